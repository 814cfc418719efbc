"""Check raw entries against the content format and each other; return typed, valid entries.

Receives RawContent; returns ValidContent, in which every value has its final type. Reports
every problem of every file (a failed field only skips the checks that depend on it). Builds
no model: links between entries are checked here, resolved in model.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import markup
from . import validate_fields as check
from .errors import Bilingual, Problems, Severity
from .load import LANGS, PHOTO_LIMIT, PHOTO_PIXELS, Bundle, PhotoFile, RawContent, TextFile, YamlDoc
from .validate_fields import WEEKDAYS, Field
from .vietnamese import slug_identity

LANG_NAMES = {"vi": ("tiếng Việt", "Vietnamese"), "en": ("tiếng Anh", "English")}
SOCIAL_NETWORKS = {"facebook", "instagram", "youtube", "tiktok", "zalo"}
REPEAT_RULES = {"weekly", "lunar-new-year"}
_PIL_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


@dataclass(frozen=True)
class Term:
    key: str
    label: Bilingual
    schema: str | None = None


@dataclass(frozen=True)
class Vocabularies:
    space_types: dict[str, Term]
    fields: dict[str, Term]
    wards: dict[str, Term]


@dataclass(frozen=True)
class ValidText:
    path: str
    name: str
    summary: str
    body_html: str


@dataclass(frozen=True)
class ValidPhoto:
    file: PhotoFile
    alt: Bilingual
    credit: str | None


@dataclass(frozen=True)
class Fee:
    free: bool
    price_vnd: int | None
    note: Bilingual | None


@dataclass(frozen=True)
class Access:
    step_free_entrance: bool | None
    accessible_toilet: bool | None
    note: Bilingual | None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Venue:
    space: str | None
    place: Bilingual | None


@dataclass(frozen=True)
class Repeat:
    rule: str
    days: tuple[str, ...]
    until: dt.date | None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
        return Vocabularies({}, {}, {})
    top = Field(doc, "", problems)
    data = check.mapping(top, doc.data, {"space_types", "fields", "wards"}, set()) or {}
    return Vocabularies(
        _vocabulary(Field(doc, "space_types", problems), data.get("space_types"), True),
        _vocabulary(Field(doc, "fields", problems), data.get("fields"), False),
        _vocabulary(Field(doc, "wards", problems), data.get("wards"), False),
    )


def _text_file(file: TextFile, title_key: str, top: int, problems: Problems) -> ValidText | None:
    assert file.front is not None  # load returns a TextFile only with its front matter
    front = Field(file.front, "", problems)
    data = check.mapping(front, file.front.data, {title_key, "summary"}, set())
    if data is None:
        return None
    name = check.text(Field(file.front, title_key, problems), data.get(title_key), 2, 160)
    summary = check.text(Field(file.front, "summary", problems), data.get("summary"), 10, 300)
    try:
        body = markup.to_html(file.body, top_heading=top)
    except markup.MarkupError as err:
        problems.add("markdown_failed", file.path, None, "body", detail=str(err))
        return None
    if name is None or summary is None:
        return None
    return ValidText(file.path, name, summary, body)


def texts(
    folder: str, files: dict[str, TextFile | None], title_key: str, problems: Problems, top: int = 3
) -> dict[str, ValidText | None] | None:
    """Both languages; one missing is a warning (the page shows the other), both an error.
    `top` is the highest heading the body may use: entry pages put their own h2 above it."""
    present = [lang for lang in LANGS if files.get(lang) is not None]
    out = {
        lang: _text_file(file, title_key, top, problems) if file else None
        for lang, file in files.items()
    }
    if not present:
        problems.add("file_missing", folder, name="vi.md, en.md")
        return None
    if any(files.get(lang) is not None and out[lang] is None for lang in LANGS):
        return None
    for lang in LANGS:
        if files.get(lang) is None:
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
    return out


def _photo(f: Field, value: object, bundle: Bundle) -> ValidPhoto | None:
    data = check.mapping(f, value, {"file", "alt"}, {"credit"})
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
    photo = bundle.photos.get(name)
    if photo is None:
        file_field.add("photo_missing", value=name)
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
        file_field.add("photo_too_large", value=name, size=pixels, limit=f"{PHOTO_PIXELS:,} px")
        return None
    if alt is None or ("credit" in data and credit is None):
        return None
    return ValidPhoto(photo, alt, credit)


def photos(f: Field, value: object, bundle: Bundle) -> tuple[ValidPhoto, ...] | None:
    result = check.listing(f, value, lambda item, v: _photo(item, v, bundle), empty_ok=True)
    used = {p.file.name for p in result or ()}
    unused = sorted(set(bundle.photos) - used) if result is not None else []
    for name in [*unused, *bundle.other_files]:
        bundle_path = f"{bundle.path}/{name}"
        f.problems.add("unexpected_file", bundle_path, severity=Severity.WARNING, name=name)
    return result  # type: ignore[return-value]


class Facts:
    """The keys of one YAML mapping, checked one by one. An entry is valid when no error was
    added while reading it, so one failed field never hides the others."""

    def __init__(self, f: Field, value: object, required: set[str], optional: set[str]) -> None:
        self.f, self.problems = f, f.problems
        self.start = len(f.problems.errors())
        self.data = check.mapping(f, value, required, optional) or {}

    def field(self, key: str) -> Field:
        return self.f.child(key) if self.f.key else Field(self.f.doc, key, self.problems)

    def get(self, key: str, parse, *args):  # type: ignore[no-untyped-def]
        if key not in self.data:
            return None
        if self.data[key] is None:
            self.field(key).add("empty_value")
            return None
        return parse(self.field(key), self.data[key], *args)

    @property
    def ok(self) -> bool:
        return len(self.problems.errors()) == self.start


def fee(f: Field, value: object) -> Fee | None:
    facts = Facts(f, value, {"free"}, {"price_vnd", "note"})
    free = facts.get("free", check.boolean)
    price = facts.get("price_vnd", check.whole_number)
    note = facts.get("note", check.bilingual)
    return Fee(free, price, note) if facts.ok else None


def access(f: Field, value: object) -> Access | None:
    facts = Facts(f, value, set(), {"step_free_entrance", "accessible_toilet", "note"})
    step_free = facts.get("step_free_entrance", check.boolean)
    toilet = facts.get("accessible_toilet", check.boolean)
    note = facts.get("note", check.bilingual)
    return Access(step_free, toilet, note) if facts.ok else None


def opening_hours(f: Field, value: object) -> dict[str, tuple[tuple[str, str], ...]] | None:
    facts = Facts(f, value, set(WEEKDAYS), set())
    week = {day: facts.get(day, check.hours) for day in WEEKDAYS}
    return week if facts.ok else None  # type: ignore[return-value]


def social(f: Field, value: object) -> tuple[tuple[str, str], ...] | None:
    facts = Facts(f, value, set(), SOCIAL_NETWORKS)
    links = tuple((name, facts.get(name, check.url)) for name in sorted(facts.data))
    return links if facts.ok else None  # type: ignore[return-value]


def network(f: Field, value: object) -> tuple[bool, dt.date | None] | None:
    facts = Facts(f, value, {"member"}, {"since"})
    member = facts.get("member", check.boolean)
    since = facts.get("since", check.date)
    return (bool(member), since) if facts.ok else None


SPACE_REQUIRED = {"type", "fields"}
SPACE_OPTIONAL = {
    "ward", "address", "location", "opening_hours", "hours_note", "website", "social", "email",
    "phone", "operator", "network", "accessibility", "entry_fee", "featured", "photos", "updated",
}  # fmt: skip


def space(bundle: Bundle, vocab: Vocabularies, problems: Problems) -> ValidSpace | None:
    start = len(problems.errors())
    check.slug(Field(_folder_doc(bundle), "", problems), bundle.slug)
    text = texts(bundle.path, bundle.texts, "name", problems)
    if bundle.facts is None:
        return None
    facts = Facts(
        Field(bundle.facts, "", problems), bundle.facts.data, SPACE_REQUIRED, SPACE_OPTIONAL
    )
    kind = facts.get("type", check.term, vocab.space_types, "space_types")
    fields = facts.get(
        "fields",
        lambda f, v: check.listing(
            f, v, lambda i, x: check.term(i, x, vocab.fields, "fields"), empty_ok=False
        ),
    )
    ward = facts.get("ward", check.term, vocab.wards, "wards")
    address = facts.get("address", check.text, 5, 200)
    location = facts.get("location", check.location)
    hours = facts.get("opening_hours", opening_hours)
    hours_note = facts.get("hours_note", check.bilingual)
    website = facts.get("website", check.url)
    links = facts.get("social", social)
    email = facts.get("email", check.email)
    phone = facts.get("phone", check.phone)
    operator = facts.get("operator", check.term, {"public": 1, "private": 1}, "operator")
    membership = facts.get("network", network)
    access_ = facts.get("accessibility", access)
    fee_ = facts.get("entry_fee", fee)
    featured = facts.get("featured", check.boolean)
    updated = facts.get("updated", check.date)
    photo_list = photos(facts.field("photos"), facts.data.get("photos") or [], bundle)
    if len(problems.errors()) != start or text is None:
        return None
    return ValidSpace(
        slug=bundle.slug,
        path=bundle.path,
        type=kind,
        fields=fields,
        ward=ward,
        address=address,
        location=location,
        opening_hours=hours,
        hours_note=hours_note,
        website=website,
        social=links or (),
        email=email,
        phone=phone,
        operator=operator,
        is_member=bool(membership and membership[0]),
        member_since=membership[1] if membership else None,
        access=access_,
        fee=fee_,
        featured=bool(featured),
        photos=photo_list or (),
        updated=updated,
        texts=text,
    )


def venue(f: Field, value: object) -> Venue | None:
    if not isinstance(value, dict) or len(value) != 1 or not {"space", "place"} & set(value):
        f.add("venue_shape")
        return None
    if "space" in value:
        slug = check.text(f.child("space"), value["space"], 2, 80)
        return Venue(slug, None) if slug else None
    place = check.bilingual(f.child("place"), value["place"], hi=160)
    return Venue(None, place) if place else None


def repeat(f: Field, value: object) -> Repeat | None:
    facts = Facts(f, value, {"rule"}, {"days", "until"})
    rule = facts.get("rule", check.term, dict.fromkeys(REPEAT_RULES), "repeat")
    days = facts.get(
        "days",
        lambda d, v: check.listing(
            d, v, lambda i, x: check.term(i, x, dict.fromkeys(WEEKDAYS), "days"), empty_ok=False
        ),
    )
    until = facts.get("until", check.date)
    if rule == "weekly" and "days" not in facts.data:
        f.add("repeat_days")
    if rule == "lunar-new-year" and "days" in facts.data:
        facts.field("days").add("repeat_no_days")
    if not facts.ok:
        return None
    order = {day: i for i, day in enumerate(WEEKDAYS)}
    return Repeat(rule, tuple(sorted(days or (), key=order.__getitem__)), until)


EVENT_REQUIRED = {"start", "venues"}
EVENT_OPTIONAL = {
    "end", "repeat", "fields", "organiser", "entry_fee", "registration", "photos", "updated",
}  # fmt: skip


def event(bundle: Bundle, vocab: Vocabularies, problems: Problems) -> ValidEvent | None:
    start_count = len(problems.errors())
    check.slug(Field(_folder_doc(bundle), "", problems), bundle.slug)
    text = texts(bundle.path, bundle.texts, "title", problems)
    if bundle.facts is None:
        return None
    facts = Facts(
        Field(bundle.facts, "", problems), bundle.facts.data, EVENT_REQUIRED, EVENT_OPTIONAL
    )
    start = facts.get("start", check.date_time)
    end = facts.get("end", check.date_time)
    if start and end and (end[0], end[1] or dt.time()) < (start[0], start[1] or dt.time()):
        facts.field("end").add(
            "end_before_start", start=bundle.facts.data["start"], end=bundle.facts.data["end"]
        )
    rule = facts.get("repeat", repeat)
    venues = facts.get("venues", lambda f, v: check.listing(f, v, venue, empty_ok=False))
    fields = facts.get(
        "fields",
        lambda f, v: check.listing(
            f, v, lambda i, x: check.term(i, x, vocab.fields, "fields"), empty_ok=False
        ),
    )
    organiser = facts.get("organiser", check.bilingual)
    fee_ = facts.get("entry_fee", fee)
    registration = facts.get("registration", check.url)
    updated = facts.get("updated", check.date)
    photo_list = photos(facts.field("photos"), facts.data.get("photos") or [], bundle)
    if len(problems.errors()) != start_count or text is None or start is None:
        return None
    end = end or start
    return ValidEvent(
        slug=bundle.slug,
        path=bundle.path,
        start=start[0],
        start_time=start[1],
        end=end[0],
        end_time=end[1],
        repeat=rule,
        venues=venues,
        fields=fields or (),
        organiser=organiser,
        fee=fee_,
        registration=registration,
        photos=photo_list or (),
        updated=updated,
        texts=text,
    )


def _folder_doc(bundle: Bundle) -> YamlDoc:
    """Problems about the folder itself point at the folder, with no line."""
    return YamlDoc({}, {}, bundle.path)


def _unique_slugs(bundles: list[Bundle], problems: Problems) -> None:
    seen: dict[str, str] = {}
    for bundle in bundles:
        identity = slug_identity(bundle.slug)
        if identity in seen:
            problems.add("duplicate_slug", bundle.path, other=seen[identity])
        else:
            seen[identity] = bundle.slug


def _venues_exist(
    events: list[ValidEvent], space_slugs: list[str], raw: RawContent, problems: Problems
) -> list[ValidEvent]:
    facts = {b.slug: b.facts for b in raw.bundles["events"]}
    kept = []
    for ev in events:
        doc = facts[ev.slug]
        assert doc is not None  # a ValidEvent was read from its facts
        missing = [
            (i, v.space) for i, v in enumerate(ev.venues) if v.space not in (None, *space_slugs)
        ]
        for i, slug in missing:
            key = f"venues[{i}].space"
            hint = check.suggest(str(slug), space_slugs)
            problems.add("unknown_space", doc.path, doc.line(key), key, suggestion=hint, value=slug)
        if not missing:
            kept.append(ev)
    return kept


def entries(raw: RawContent, problems: Problems) -> ValidContent:
    vocab = vocabularies(raw, problems)
    for kind in ("spaces", "events"):
        _unique_slugs(raw.bundles[kind], problems)
    spaces = [s for b in raw.bundles["spaces"] if (s := space(b, vocab, problems))]
    events = [e for b in raw.bundles["events"] if (e := event(b, vocab, problems))]
    # Venues are checked against every space folder, valid or not, so that one broken space
    # does not also fail each event held there.
    events = _venues_exist(events, sorted(b.slug for b in raw.bundles["spaces"]), raw, problems)
    pages = {}
    for name, files in sorted(raw.pages.items()):
        folder = f"{raw.root.name}/pages/{name}"
        pages[name] = texts(folder, files, "title", problems, top=2) or {}
    return ValidContent(vocab, tuple(spaces), tuple(events), pages)
