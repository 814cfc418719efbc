"""Check raw entries against the content format and each other; return typed, valid entries.

Receives RawContent; returns ValidContent, in which every value has its final type. Reports
every problem of every file (a failed field only skips the checks that depend on it). Builds
no model: links between entries are checked here, resolved in model.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from . import markup, schema
from . import validate_fields as check
from .buildcache import Recall, code_version, text_key
from .errors import Bilingual, Problem, Problems, Severity
from .load import (
    LANGS,
    PHOTO_LIMIT,
    PHOTO_PIXELS,
    Bundle,
    PhotoFile,
    RawContent,
    TextFile,
    YamlDoc,
    complete,
)
from .schema import WEEKDAYS, Spec
from .validate_fields import Field
from .vietnamese import slug_identity, slugify

LANG_NAMES = {"vi": ("tiếng Việt", "Vietnamese"), "en": ("tiếng Anh", "English")}
_PIL_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    label: Bilingual
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Vocabularies:
    space_types: dict[str, Term]
    fields: dict[str, Term]
    wards: dict[str, Term]
    # False when vocabularies.yaml itself is broken: entries' terms are then not judged,
    # or one slip there would be reported again in every entry.
    usable: bool = True


@dataclass(frozen=True, slots=True)
class ValidText:
    path: str
    name: str
    summary: str
    body_html: str


@dataclass(frozen=True, slots=True)
class ValidPhoto:
    file: PhotoFile
    alt: Bilingual
    credit: str | None


@dataclass(frozen=True, slots=True)
class Fee:
    free: bool
    price_vnd: int | None
    note: Bilingual | None


@dataclass(frozen=True, slots=True)
class Access:
    step_free_entrance: bool | None
    accessible_toilet: bool | None
    note: Bilingual | None


@dataclass(frozen=True, slots=True)
class ValidSpace:
    slug: str
    path: str
    type: str
    fields: tuple[str, ...]
    ward: str | None
    address: str | None
    location: tuple[float, float] | None
    opening_hours: dict[str, tuple[tuple[str, str], ...]] | None
    hours_note: Bilingual | None
    website: str | None
    social: tuple[tuple[str, str], ...]
    email: str | None
    phone: str | None
    operator: str | None
    member_since: dt.date | None
    is_member: bool
    access: Access | None
    fee: Fee | None
    featured: bool
    photos: tuple[ValidPhoto, ...]
    updated: dt.date | None
    texts: dict[str, ValidText | None]


@dataclass(frozen=True, slots=True)
class Venue:
    space: str | None
    place: Bilingual | None


@dataclass(frozen=True, slots=True)
class Repeat:
    rule: str
    days: tuple[str, ...]
    until: dt.date | None


@dataclass(frozen=True, slots=True)
class ValidEvent:
    slug: str
    path: str
    start: dt.date
    start_time: dt.time | None
    end: dt.date
    end_time: dt.time | None
    repeat: Repeat | None
    venues: tuple[Venue, ...]
    fields: tuple[str, ...]
    organiser: Bilingual | None
    fee: Fee | None
    registration: str | None
    photos: tuple[ValidPhoto, ...]
    updated: dt.date | None
    texts: dict[str, ValidText | None]


@dataclass(frozen=True, slots=True)
class ValidContent:
    vocabularies: Vocabularies
    spaces: tuple[ValidSpace, ...]
    events: tuple[ValidEvent, ...]
    pages: dict[str, dict[str, ValidText | None]]


def _vocabulary(f: Field, value: object, with_schema: bool) -> dict[str, Term]:
    data = check.mapping(f, value, set(), set(value) if isinstance(value, dict) else set())
    terms: dict[str, Term] = {}
    for key, entry in sorted((data or {}).items()):
        item = f.child(key)
        check.slug(item, key)
        keys = {"vi", "en"} | ({"schema"} if with_schema else set())
        spec = check.mapping(item, entry, keys, set())
        if spec is None:
            continue
        vi = check.text(item.child("vi"), spec.get("vi"), hi=80)
        en = check.text(item.child("en"), spec.get("en"), hi=80)
        schema = (
            check.text(item.child("schema"), spec.get("schema"), hi=60) if with_schema else None
        )
        if vi and en:
            terms[key] = Term(key, Bilingual(vi, en), schema)
    return terms


def vocabularies(raw: RawContent, problems: Problems) -> Vocabularies:
    doc = raw.vocabularies
    if doc is None:
        return Vocabularies({}, {}, {}, usable=False)
    start = len(problems.errors())
    top = Field(doc, "", problems)
    data = check.mapping(top, doc.data, {"space_types", "fields", "wards"}, set()) or {}
    return Vocabularies(
        _vocabulary(Field(doc, "space_types", problems), data.get("space_types"), True),
        _vocabulary(Field(doc, "fields", problems), data.get("fields"), False),
        _vocabulary(Field(doc, "wards", problems), data.get("wards"), False),
        usable=len(problems.errors()) == start,
    )


def _text_file(file: TextFile, title_key: str, top: int, problems: Problems) -> ValidText | None:
    assert file.front is not None  # load returns a TextFile only with its front matter
    start = len(problems.errors())
    spec = schema.front_matter(title_key)
    front = value(spec, Field(file.front, "", problems), file.front.data, None)  # type: ignore[arg-type]
    try:
        body = markup.to_html(file.body, top_heading=top)
    except markup.MarkupError as err:
        problems.add("markdown_failed", file.path, None, "body", detail=str(err))
        return None
    if len(problems.errors()) != start or not isinstance(front, dict):
        return None
    return ValidText(file.path, front[title_key], front["summary"], body)


ENTRY_TOP = 3  # the highest heading an entry's text may use: its page puts its own h2 above


def texts(
    folder: str,
    files: dict[str, TextFile | None],
    title_key: str,
    problems: Problems,
    top: int = ENTRY_TOP,
) -> dict[str, ValidText | None] | None:
    """Both languages; one missing is a warning (the page shows the other), both an error.
    `top` is the highest heading the body may use: entry pages put their own h2 above it."""
    present = [lang for lang in LANGS if lang in files]  # None there: broken, already reported
    out = {
        lang: _text_file(file, title_key, top, problems) if file else None
        for lang, file in files.items()
    }
    if not present:
        problems.add("file_missing", folder, name="vi.md, en.md")
        return None
    for lang in LANGS:
        if lang not in files:
            other = present[0]
            problems.add(
                "translation_missing",
                f"{folder}/{lang}.md",
                severity=Severity.WARNING,
                missing_vi=LANG_NAMES[lang][0],
                missing_en=LANG_NAMES[lang][1],
                shown_vi=LANG_NAMES[other][0],
                shown_en=LANG_NAMES[other][1],
            )
    if any(out[lang] is None for lang in present):
        return None
    return out


def _photo(f: Field, value: object, bundle: Bundle) -> ValidPhoto | None:
    data = check.mapping(f, value, schema.PHOTO.required_keys, schema.PHOTO.optional_keys)
    if data is None:
        return None
    alt = check.bilingual(f.child("alt"), data.get("alt"), hi=200) if "alt" in data else None
    credit = check.text(f.child("credit"), data["credit"], hi=120) if "credit" in data else None
    name, file_field = data.get("file"), f.child("file")
    if not isinstance(name, str):
        if "file" in data:
            file_field.wrong_type("text")
        return None
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        file_field.add("photo_path", value=name)
        return None
    ext = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in _PIL_FORMATS:
        file_field.add("photo_extension", value=name)
        return None
    if name in bundle.rejected:
        return None  # a link, reported where it lies
    photo = bundle.photos.get(name)
    if photo is None:
        # a name differing only by capitals is the usual slip (phones write IMG_1234.JPG)
        same = [n for n in bundle.photos if n.lower() == name.lower()]
        file_field.add("photo_missing", suggestion=same[0] if same else None, value=name)
        return None
    if photo.size > PHOTO_LIMIT:
        mb = f"{photo.size / 1e6:.1f} MB"
        file_field.add("photo_too_large", value=name, size=mb, limit=f"{PHOTO_LIMIT // 2**20} MB")
        return None
    if photo.error or photo.size == 0:
        detail = photo.error or "0 byte / 0 bytes"
        if "exceeds limit" in detail or "decompression bomb" in detail.lower():
            pixels = f"{PHOTO_PIXELS // 10**6} MP"
            file_field.add("photo_too_large", value=name, size="> " + pixels, limit=pixels)
        else:
            file_field.add("photo_unreadable", value=name, detail=detail)
        return None
    if photo.format != _PIL_FORMATS[ext]:
        file_field.add("photo_mismatch", value=name, ext=ext[1:], actual=photo.format)
        return None
    if photo.width * photo.height > PHOTO_PIXELS:
        pixels = f"{photo.width}×{photo.height}"
        file_field.add(
            "photo_too_large", value=name, size=pixels, limit=f"{PHOTO_PIXELS // 10**6} MP"
        )
        return None
    if alt is None or ("credit" in data and credit is None):
        return None
    return ValidPhoto(photo, alt, credit)


class Facts:
    """The keys of one YAML mapping, checked one by one. An entry is valid when no error was
    added while reading it, so one failed field never hides the others."""

    def __init__(self, f: Field, value: object, required: set[str], optional: set[str]) -> None:
        self.f, self.problems = f, f.problems
        self.start = len(f.problems.errors())
        self.data = check.mapping(f, value, required, optional) or {}
        self.required = set(required)

    def field(self, key: str) -> Field:
        return self.f.child(key) if self.f.key else Field(self.f.doc, key, self.problems)

    def get(self, key: str, parse, *args):  # type: ignore[no-untyped-def]
        if key not in self.data:
            return None
        if self.data[key] is None:
            self.field(key).add("empty_required" if key in self.required else "empty_value")
            return None
        return parse(self.field(key), self.data[key], *args)

    @property
    def ok(self) -> bool:
        return len(self.problems.errors()) == self.start


@dataclass(frozen=True, slots=True)
class Context:
    vocab: Vocabularies
    bundle: Bundle


def _term(spec: Spec, f: Field, value: object, ctx: Context) -> str | None:
    assert spec.vocabulary is not None  # every term spec names its vocabulary
    if spec.choices:
        return check.term(f, value, dict.fromkeys(spec.choices), spec.vocabulary, fixed=True)
    if not ctx.vocab.usable:
        return value if isinstance(value, str) else None
    return check.term(f, value, getattr(ctx.vocab, spec.vocabulary), spec.vocabulary)


def _venue(f: Field, value: object) -> Venue | None:
    if not isinstance(value, dict) or len(value) != 1 or not {"space", "place"} & set(value):
        f.add("venue_shape")
        return None
    if "space" in value:
        slug = check.text(f.child("space"), value["space"], 2, 80)
        return Venue(slug, None) if slug else None
    place = check.bilingual(f.child("place"), value["place"], hi=160)
    return Venue(None, place) if place else None


# Leaf kinds of schema.Spec and their checkers; objects and lists are walked in `value`.
LEAVES = {
    "bool": lambda spec, f, v, ctx: check.boolean(f, v),
    "int": lambda spec, f, v, ctx: check.whole_number(f, v),
    "date": lambda spec, f, v, ctx: check.date(f, v),
    "datetime": lambda spec, f, v, ctx: check.date_time(f, v),
    "url": lambda spec, f, v, ctx: check.url(f, v),
    "email": lambda spec, f, v, ctx: check.email(f, v),
    "phone": lambda spec, f, v, ctx: check.phone(f, v),
    "hours": lambda spec, f, v, ctx: check.hours(f, v),
    "location": lambda spec, f, v, ctx: check.location(f, v),
    "text": lambda spec, f, v, ctx: check.text(f, v, *spec.length),
    "bilingual": lambda spec, f, v, ctx: check.bilingual(f, v),
    "term": _term,
    "venue": lambda spec, f, v, ctx: _venue(f, v),
    "photo": lambda spec, f, v, ctx: _photo(f, v, ctx.bundle),
}


def value(spec: Spec, f: Field, raw: object, ctx: Context) -> object | None:
    """Check `raw` against `spec`. An object gives a dict of the keys that passed (the entry's
    problem count, not None, says whether all did); anything else gives its value or None."""
    if spec.kind == "object":
        facts = Facts(f, raw, spec.required_keys, spec.optional_keys)
        return {
            key: facts.get(key, lambda ff, v, sub=sub: value(sub, ff, v, ctx))
            for key, sub in spec.fields.items()
            if key in facts.data
        }
    if spec.kind == "list":
        assert spec.item is not None  # every list spec names its item
        item = spec.item
        return check.listing(f, raw, lambda ff, v: value(item, ff, v, ctx), empty_ok=spec.empty_ok)
    if isinstance(raw, str) and raw[:1] in "“”‘’„" and raw[-1:] in "“”‘’":
        f.add("curly_quotes")  # the member typed quotes; a word processor curled them
        return None
    return LEAVES[spec.kind](spec, f, raw, ctx)


def _fee(data: dict[str, object] | None) -> Fee | None:
    if data is None:
        return None
    return Fee(bool(data["free"]), data.get("price_vnd"), data.get("note"))  # type: ignore[arg-type]


def _warn_unused_files(bundle: Bundle, photos: tuple[ValidPhoto, ...], problems: Problems) -> None:
    used = {p.file.name for p in photos}
    for name in [*sorted(set(bundle.photos) - used), *bundle.other_files]:
        bundle_path = f"{bundle.path}/{name}"
        problems.add("unexpected_file", bundle_path, severity=Severity.WARNING, name=name)


def _facts(bundle: Bundle, spec: Spec, vocab: Vocabularies, problems: Problems) -> dict | None:  # type: ignore[type-arg]
    if bundle.facts is None:
        return None
    facts = value(
        spec, Field(bundle.facts, "", problems), bundle.facts.data, Context(vocab, bundle)
    )
    if isinstance(facts, dict) and facts.get("photos") is not None:
        _warn_unused_files(bundle, facts["photos"], problems)
    elif isinstance(facts, dict) and "photos" not in bundle.facts.data:  # type: ignore[operator]
        _warn_unused_files(bundle, (), problems)
    return facts  # type: ignore[return-value]


def space(bundle: Bundle, vocab: Vocabularies, problems: Problems) -> ValidSpace | None:
    start = len(problems.errors())
    check.slug(Field(_folder_doc(bundle), "", problems), bundle.slug)
    text = texts(bundle.path, bundle.texts, "name", problems)
    facts = _facts(bundle, schema.SPACE, vocab, problems)
    if len(problems.errors()) != start or text is None or facts is None:
        return None
    access = facts.get("accessibility")
    network = facts.get("network") or {}
    return ValidSpace(
        slug=bundle.slug,
        path=bundle.path,
        type=facts["type"],
        fields=facts["fields"],
        ward=facts.get("ward"),
        address=facts.get("address"),
        location=facts.get("location"),
        opening_hours=facts.get("opening_hours"),
        hours_note=facts.get("hours_note"),
        website=facts.get("website"),
        social=tuple(sorted((facts.get("social") or {}).items())),
        email=facts.get("email"),
        phone=facts.get("phone"),
        operator=facts.get("operator"),
        is_member=bool(network.get("member")),
        member_since=network.get("since"),
        access=Access(
            access.get("step_free_entrance"), access.get("accessible_toilet"), access.get("note")
        )
        if access is not None
        else None,
        fee=_fee(facts.get("entry_fee")),
        featured=bool(facts.get("featured")),
        photos=facts.get("photos") or (),
        updated=facts.get("updated"),
        texts=text,
    )


def _check_dates(bundle: Bundle, facts: dict, problems: Problems) -> None:  # type: ignore[type-arg]
    """What no single field shows: an end before the start, days that do not fit the rule."""
    assert bundle.facts is not None  # only called with facts read
    doc, start, end = bundle.facts, facts.get("start"), facts.get("end")
    if start and end and (end[0], end[1] or dt.time()) < (start[0], start[1] or dt.time()):
        raw = doc.data  # type: ignore[assignment]
        Field(doc, "end", problems).add("end_before_start", start=raw["start"], end=raw["end"])
    rule = facts.get("repeat") or {}
    repeat_raw = doc.data.get("repeat") if isinstance(doc.data, dict) else None
    has_days = isinstance(repeat_raw, dict) and "days" in repeat_raw
    if rule.get("rule") == "weekly" and not has_days:
        Field(doc, "repeat", problems).add("repeat_days")
    if rule.get("rule") == "lunar-new-year" and has_days:
        Field(doc, "repeat.days", problems).add("repeat_no_days")


def event(bundle: Bundle, vocab: Vocabularies, problems: Problems) -> ValidEvent | None:
    start_count = len(problems.errors())
    check.slug(Field(_folder_doc(bundle), "", problems), bundle.slug)
    text = texts(bundle.path, bundle.texts, "title", problems)
    facts = _facts(bundle, schema.EVENT, vocab, problems)
    if facts is not None:
        _check_dates(bundle, facts, problems)
    if len(problems.errors()) != start_count or text is None or facts is None:
        return None
    start = facts["start"]
    end = facts.get("end") or start
    rule = facts.get("repeat")
    order = {day: i for i, day in enumerate(WEEKDAYS)}
    return ValidEvent(
        slug=bundle.slug,
        path=bundle.path,
        start=start[0],
        start_time=start[1],
        end=end[0],
        end_time=end[1],
        repeat=Repeat(
            rule["rule"],
            tuple(sorted(rule.get("days") or (), key=order.__getitem__)),
            rule.get("until"),
        )
        if rule
        else None,
        venues=facts["venues"],
        fields=facts.get("fields") or (),
        organiser=facts.get("organiser"),
        fee=_fee(facts.get("entry_fee")),
        registration=facts.get("registration"),
        photos=facts.get("photos") or (),
        updated=facts.get("updated"),
        texts=text,
    )


def _folder_doc(bundle: Bundle) -> YamlDoc:
    """Problems about the folder itself point at the folder, with no line."""
    return YamlDoc({}, {}, bundle.path)


def _unique_slugs(bundles: list[Bundle], problems: Problems) -> None:
    seen: dict[str, str] = {}
    # Valid folder names claim their place first, so the clash is reported on the odd one.
    for bundle in sorted(bundles, key=lambda b: (not check.SLUG.fullmatch(b.slug), b.slug)):
        identity = slug_identity(bundle.slug)
        if identity in seen:
            problems.add("duplicate_slug", bundle.path, other=seen[identity])
        else:
            seen[identity] = bundle.slug


def _venues_exist(
    events: list[ValidEvent], space_slugs: list[str], raw: RawContent, problems: Problems
) -> list[ValidEvent]:
    bundles = {b.slug: b for b in raw.bundles["events"]}
    known = {None, *space_slugs}
    kept = []
    for ev in events:
        missing = [(i, v.space) for i, v in enumerate(ev.venues) if v.space not in known]
        if missing:  # its facts read again if need be: what reading them found is reported
            doc = complete(bundles[ev.slug], Problems()).facts
            assert doc is not None  # a ValidEvent was read from its facts
        for i, slug in missing:
            key = f"venues[{i}].space"
            valid = [s for s in space_slugs if check.SLUG.fullmatch(s)]
            hint = check.suggest(slugify(str(slug)), valid)
            problems.add("unknown_space", doc.path, doc.line(key), key, suggestion=hint, value=slug)
        if not missing:
            kept.append(ev)
    return kept


# What checking one bundle found (its valid entry or None, and its problems), by the key of
# the bundle and the vocabularies: checks that look at one entry only are redone only for the
# entries changed since the last build; those across entries run every time.
Checked = Recall[str, tuple[object, tuple[Problem, ...]]]


def _entries(
    check_one: Callable[[Bundle, Vocabularies, Problems], object],
    bundles: list[Bundle],
    vocab: Vocabularies,
    shared: str,
    problems: Problems,
    checked: Checked | None,
) -> list[object]:
    """Each bundle checked, or its checks reused from `checked`; the problems of each in the
    order of the bundles. The bundles to check are read first and their texts converted
    ahead, on every core when there are many (a clean build)."""
    keys: list[str | None] = [None] * len(bundles)
    found: list[tuple[object, tuple[Problem, ...]] | None] = [None] * len(bundles)
    if checked is not None:
        for i, bundle in enumerate(bundles):
            keys[i] = text_key(
                repr((bundle.kind, bundle.path, bundle.slug, bundle.version, bundle.photos)),
                bundle.other_files,
                bundle.rejected,
                shared,
            )
            found[i] = checked.get(keys[i])  # type: ignore[arg-type]
    todo = {}
    for i, bundle in enumerate(bundles):
        if found[i] is None:
            own = Problems()  # with the problems reading its files found
            todo[i] = (complete(bundle, own), own)
    bodies = (t.body for b, _ in todo.values() for t in b.texts.values() if t)
    markup.convert_ahead(bodies, ENTRY_TOP)
    for i, (bundle, own) in todo.items():
        found[i] = (check_one(bundle, vocab, own), tuple(own.items))
        if checked is not None:
            checked[keys[i]] = found[i]  # type: ignore[index]
    valid = []
    for result, items in found:  # type: ignore[misc]
        problems.items.extend(items)
        if result:
            valid.append(result)
    return valid


def entries(raw: RawContent, problems: Problems, checked: Checked | None = None) -> ValidContent:
    """`checked`: what checking each bundle found in earlier builds (None: check every one)."""
    vocab = vocabularies(raw, problems)
    for kind in ("spaces", "events"):
        _unique_slugs(raw.bundles[kind], problems)
    shared = text_key(repr(vocab), code_version()) if checked is not None else ""
    spaces: list[ValidSpace] = _entries(  # type: ignore[assignment]
        space, raw.bundles["spaces"], vocab, shared, problems, checked
    )
    events: list[ValidEvent] = _entries(  # type: ignore[assignment]
        event, raw.bundles["events"], vocab, shared, problems, checked
    )
    # Venues are checked against every space folder, valid or not, so that one broken space
    # does not also fail each event held there.
    events = _venues_exist(events, sorted(b.slug for b in raw.bundles["spaces"]), raw, problems)
    pages = {}
    for name, files in sorted(raw.pages.items()):
        folder = f"{raw.root.name}/pages/{name}"
        pages[name] = texts(folder, files, "title", problems, top=2) or {}
    return ValidContent(vocab, tuple(spaces), tuple(events), pages)
