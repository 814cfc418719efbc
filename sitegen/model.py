"""Valid entries -> the site: spaces, events, listings and every page, in both languages.

Receives ValidContent, the UI Strings, the URL settings and today's date; returns Site. Every
order, label, date text and URL a template prints is decided here, so templates only loop and
print. Reports nothing: anything that could be wrong was checked in validate.py.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .i18n import LANGS, Strings
from .markup import plain_text
from .validate import Fee, ValidContent, ValidEvent, ValidPhoto, ValidSpace, ValidText
from .validate_fields import WEEKDAYS
from .vietnamese import LUNAR_NEW_YEAR, collation_key

NETWORK_LAUNCH = dt.date(2025, 12, 10)
BRANCH = "main"  # the branch the site is published from, which members edit
CERTIFIED_MEMBERS = 82
RELATED_COUNT = 3
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
L = dict[str, str]  # one text per language


@dataclass(frozen=True, slots=True)
class Urls:
    """Where the site lives: `origin` + `base` (a path ending in '/'), e.g. under a sub-path."""

    origin: str
    base: str
    repository: str = ""  # 'owner/name' on GitHub, where members edit the content

    def path(self, *parts: str) -> str:
        return self.base + "".join(f"{p}/" for p in parts)

    def file(self, name: str) -> str:
        return self.base + name

    def absolute(self, path: str) -> str:
        return self.origin + path

    def edit(self, path: str) -> str:
        """GitHub's web editor for a project file, such as 'content/spaces/x/vi.md'."""
        return f"https://github.com/{self.repository}/edit/{BRANCH}/{path}"

    def new_file(self, folder: str, name: str) -> str:
        """GitHub's web editor for a file not written yet."""
        return f"https://github.com/{self.repository}/new/{BRANCH}/{folder}?filename={name}"

    @property
    def contributing(self) -> str:
        return f"https://github.com/{self.repository}/blob/{BRANCH}/CONTRIBUTING.md"


@dataclass(frozen=True, slots=True)
class Link:
    label: L
    url: L


@dataclass(frozen=True, slots=True)
class Photo:
    """A member's photo: `width` and `height` as shown (after its EXIF orientation), `path`
    project-relative for problems, `colours` the placeholder gradient shown while it loads."""

    sha256: str
    source: str
    width: int
    height: int
    alt: L
    credit: str | None
    path: str = ""
    colours: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """What a page shows in each language; `lang` is the language of the text actually shown,
    which differs from the page's when a translation is missing."""

    name: L
    summary: L
    body_html: L
    lang: L
    source: L

    def is_fallback(self, lang: str) -> bool:
        return self.lang[lang] != lang


@dataclass(eq=False, slots=True)
class Event:
    slug: str
    url: L
    text: Text
    start: dt.date
    end: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    repeat_rule: str | None
    repeat_days: tuple[str, ...]
    repeat_until: dt.date | None
    occurrences: tuple[dt.date, ...]
    next_date: dt.date | None
    next_text: L
    when: L
    schedule: L
    venues: tuple[Link, ...]
    venue_slugs: tuple[str, ...]
    ics_url: str
    fields: tuple[Link, ...]
    organiser: L | None
    fee: L | None
    free: bool | None
    registration: str | None
    photos: tuple[Photo, ...]
    updated: dt.date
    path: str
    edit_url: L  # each page's own language file in GitHub's web editor
    ends_at: str | None  # when it is over for good, Hanoi time; None: it keeps coming back
    search: SearchFacets | None = None

    @property
    def upcoming(self) -> bool:
        return self.next_date is not None

    @property
    def sort_date(self) -> dt.date:
        return self.next_date or self.start


@dataclass(eq=False, slots=True)
class Space:
    slug: str
    url: L
    text: Text
    type: Link
    type_key: str
    schema_type: str
    fields: tuple[Link, ...]
    field_keys: tuple[str, ...]
    ward: Link | None
    ward_key: str | None
    address: str | None
    location: tuple[float, float] | None
    map_url: str | None
    hours: dict[str, list[tuple[str, str]]] | None
    hours_note: L | None
    website: str | None
    social: tuple[tuple[str, str], ...]
    email: str | None
    phone: str | None
    operator: L | None
    member: L | None
    access: dict[str, list[str]]
    fee: L | None
    free: bool | None
    step_free: bool | None
    featured: bool
    photos: tuple[Photo, ...]
    updated: dt.date
    path: str
    edit_url: L  # each page's own language file in GitHub's web editor
    upcoming_events: tuple[Event, ...] = ()
    past_events: tuple[Event, ...] = ()
    related: tuple[Space, ...] = ()
    search: SearchFacets | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """A group of spaces: one type, creative field or ward."""

    kind: str
    key: str
    label: L
    url: L
    title: L
    lead: L
    spaces: dict[str, tuple[Space, ...]]


@dataclass(frozen=True, slots=True)
class MonthGroup:
    id: str
    label: L
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML file: which template, for what, in which language, with its head metadata."""

    template: str
    lang: str
    output: str
    url: str
    canonical: str
    alternates: dict[str, str]
    paths: dict[str, str]
    title: str
    description: str
    og_type: str = "website"
    json_ld: str | None = None
    subject: object = None


@dataclass(frozen=True, slots=True)
class SearchFacets:
    """How the search index files one space or event, printed as data-pagefind-* attributes.

    Filter values are vocabulary keys, which the search page labels in its own language. Every
    page carries every sort key, as Pagefind leaves a page without one out of sorted results.
    Meta is what a result shows under its title: the type, the ward, an event's dates.
    """

    filters: tuple[tuple[str, str], ...]
    sort: dict[str, tuple[tuple[str, str], ...]]
    meta: dict[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """One filter of the search page, its options (value, label) in the order shown."""

    name: str
    label: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SearchPage:
    """The search page's controls per language: select filters, then yes-only checkboxes."""

    filters: dict[str, tuple[SearchFilter, ...]]
    toggles: dict[str, tuple[tuple[str, str], ...]]


@dataclass
class Site:
    urls: Urls
    today: dt.date
    strings: Strings
    spaces: tuple[Space, ...]
    spaces_az: dict[str, tuple[Space, ...]]
    featured: dict[str, tuple[Space, ...]]
    events: tuple[Event, ...]
    upcoming: tuple[Event, ...]
    past: tuple[Event, ...]
    upcoming_months: dict[str, tuple[MonthGroup, ...]]
    past_months: dict[str, tuple[MonthGroup, ...]]
    listings: dict[str, dict[str, tuple[Listing, ...]]]
    about: Text | None
    counts: dict[str, int]
    pages: list[Page] = field(default_factory=list)
    nav: dict[str, list[Link]] = field(default_factory=dict)
    feeds: dict[str, str] = field(default_factory=dict)
    search: SearchPage | None = None

    @cached_property
    def space_by_slug(self) -> dict[str, Space]:
        """Each space by its folder name, for what looks up an event's venues per page."""
        return {sp.slug: sp for sp in self.spaces}


def _capital(text: str) -> str:
    """Weekdays are lower case mid-sentence in Vietnamese ('thứ Bảy'), capital at its start."""
    return text[:1].upper() + text[1:]


def _both(make) -> L:  # type: ignore[no-untyped-def]
    return {lang: make(lang) for lang in LANGS}


def _text(texts: dict[str, ValidText | None]) -> Text:
    shown = {lang: texts.get(lang) or next(t for t in texts.values() if t) for lang in LANGS}
    return Text(
        name=_both(lambda lang: shown[lang].name),
        summary=_both(lambda lang: shown[lang].summary),
        body_html=_both(lambda lang: shown[lang].body_html),
        lang=_both(lambda lang: lang if texts.get(lang) else ("en" if lang == "vi" else "vi")),
        source=_both(lambda lang: shown[lang].path),
    )


def _photos(photos: tuple[ValidPhoto, ...], folder: str) -> tuple[Photo, ...]:
    return tuple(
        Photo(
            p.file.sha256 or "",
            str(p.file.source),
            p.file.width,
            p.file.height,
            {"vi": p.alt.vi, "en": p.alt.en},
            p.credit,
            f"{folder}/{p.file.name}",
            p.file.colours,
        )
        for p in photos
    )


def _fee(fee: Fee | None, s: Strings) -> L | None:
    if fee is None:
        return None

    def text(lang: str) -> str:
        if fee.free:
            out = s.t(lang, "fee.free")
        elif fee.price_vnd is not None:
            sep = "." if lang == "vi" else ","
            out = s.t(lang, "fee.price", price=f"{fee.price_vnd:,}".replace(",", sep))
        else:
            out = s.t(lang, "fee.paid")
        note = getattr(fee.note, lang) if fee.note else None
        return f"{out}. {note}" if note else out

    return _both(text)


def _hours(space: ValidSpace, s: Strings) -> dict[str, list[tuple[str, str]]] | None:
    """Rows such as ('Tuesday – Sunday', '08:00–17:00'): consecutive days with equal hours."""
    if space.opening_hours is None:
        return None
    groups: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
    for i, day in enumerate(WEEKDAYS):
        ranges = space.opening_hours[day]
        if groups and groups[-1][2] == ranges and groups[-1][1] == i - 1:
            groups[-1] = (groups[-1][0], i, ranges)
        else:
            groups.append((i, i, ranges))

    def rows(lang: str) -> list[tuple[str, str]]:
        out = []
        for first, last, ranges in groups:
            days = _capital(s.weekday(lang, first))
            if last > first:
                days += s.t(lang, "date.range") + s.weekday(lang, last)
            hours = ", ".join(f"{a}–{b}" for a, b in ranges) or s.t(lang, "space.closed")
            out.append((days, hours))
        return out

    return {lang: rows(lang) for lang in LANGS}


def _occurrences(ev: ValidEvent) -> tuple[dt.date, ...]:
    """Start dates of every occurrence we can name (a weekly repeat lists none: it is a rule)."""
    if ev.repeat is None or ev.repeat.rule != "lunar-new-year":
        return (ev.start,)
    nearest = min(LUNAR_NEW_YEAR.values(), key=lambda tet: abs((ev.start - tet).days))
    offset = ev.start - nearest
    dates = [tet + offset for year, tet in sorted(LUNAR_NEW_YEAR.items()) if tet >= nearest]
    return tuple(d for d in dates if ev.repeat.until is None or d <= ev.repeat.until)


def _next_date(ev: ValidEvent, occurrences: tuple[dt.date, ...], today: dt.date) -> dt.date | None:
    length = ev.end - ev.start
    if ev.repeat and ev.repeat.rule == "weekly":
        day = max(today, ev.start)
        wanted = {WEEKDAYS.index(d) for d in ev.repeat.days}
        for _ in range(7):
            if day.weekday() in wanted:
                break
            day += dt.timedelta(days=1)
        if ev.repeat.until and day > ev.repeat.until:
            return None
        return day
    return next((d for d in occurrences if d + length >= today), None)


def _ends_at(ev: ValidEvent, occurrences: tuple[dt.date, ...]) -> str | None:
    """When the event is over for good, for the script that keeps 'upcoming' true between
    builds: its last day's end time, else the end of that day, in Hanoi time (UTC+7)."""
    if ev.repeat and ev.repeat.rule == "weekly":
        last, time = ev.repeat.until, None
    else:
        last, time = occurrences[-1] + (ev.end - ev.start), ev.end_time
    if last is None:
        return None
    return f"{last.isoformat()}T{time or dt.time(23, 59, 59):%H:%M:%S}+07:00"


def _edit_urls(text: Text, folder: str, urls: Urls) -> L:
    """Each page edits its own language's file; a missing translation starts that file."""
    return _both(
        lambda lang: (
            urls.new_file(folder, f"{lang}.md")
            if text.is_fallback(lang)
            else urls.edit(f"{folder}/{lang}.md")
        )
    )


def _event(
    ev: ValidEvent, spaces: dict[str, ValidSpace], site: Site, vocab, space_fields: set[str]
) -> Event:  # type: ignore[no-untyped-def]
    """`space_fields`: the creative fields some space works in, which have listing pages."""
    s, urls = site.strings, site.urls
    occurrences = _occurrences(ev)
    next_date = _next_date(ev, occurrences, site.today)

    def when(lang: str) -> str:
        return s.date_range(lang, ev.start, ev.end, ev.start_time, ev.end_time)

    def hours(lang: str) -> str:
        if ev.start_time is None:
            return ""
        dash = s.t(lang, "date.range").strip()
        end = f"{dash}{ev.end_time:%H:%M}" if ev.end_time and ev.end_time != ev.start_time else ""
        return f", {ev.start_time:%H:%M}{end}"

    def schedule(lang: str) -> str:
        if ev.repeat is None:
            return ""
        if ev.repeat.rule == "weekly":
            days = s.join(lang, [s.weekday(lang, WEEKDAYS.index(d)) for d in ev.repeat.days])
            text = _capital(s.t(lang, "event.weekly", days=days)) + hours(lang)
            text += ", " + s.t(lang, "event.since", date=s.date(lang, ev.start))
        else:
            # Only the dates the organisers announced are facts; later years are estimates.
            text = s.t(lang, "event.lunar") + ". " + s.t(lang, "event.announced", date=when(lang))
        if ev.repeat.until:
            text += ", " + s.t(lang, "event.until", date=s.date(lang, ev.repeat.until))
        return text

    def next_text(lang: str) -> str:
        if next_date is None or ev.repeat is None:
            return ""
        day = f"{s.weekday(lang, next_date.weekday())}, {s.date(lang, next_date)}"
        estimated = ev.repeat.rule == "lunar-new-year" and next_date != ev.start
        return s.t(lang, "event.expected" if estimated else "event.next", date=day + hours(lang))

    venues = []
    for v in ev.venues:
        if v.space:
            target = spaces[v.space]
            names = _text(target.texts).name
            venues.append(
                Link(names, _both(lambda lang, x=target: urls.path(lang, "spaces", x.slug)))
            )
        else:
            assert v.place is not None
            venues.append(Link({"vi": v.place.vi, "en": v.place.en}, {}))
    text = _text(ev.texts)
    return Event(
        slug=ev.slug,
        url=_both(lambda lang: urls.path(lang, "events", ev.slug)),
        text=text,
        start=ev.start,
        end=ev.end,
        start_time=ev.start_time,
        end_time=ev.end_time,
        repeat_rule=ev.repeat.rule if ev.repeat else None,
        repeat_days=ev.repeat.days if ev.repeat else (),
        repeat_until=ev.repeat.until if ev.repeat else None,
        occurrences=occurrences,
        next_date=next_date,
        next_text=_both(next_text),
        when=_both(when),
        schedule=_both(schedule),
        venues=tuple(venues),
        venue_slugs=tuple(v.space for v in ev.venues if v.space),
        ics_url=urls.file(f"events/{ev.slug}.ics"),
        # a field no space works in has no listing page: named, not linked
        fields=tuple(
            _term_link(vocab.fields[k], "field", urls)
            if k in space_fields
            else Link({"vi": vocab.fields[k].label.vi, "en": vocab.fields[k].label.en}, {})
            for k in ev.fields
        ),
        organiser={"vi": ev.organiser.vi, "en": ev.organiser.en} if ev.organiser else None,
        fee=_fee(ev.fee, s),
        free=ev.fee.free if ev.fee else None,
        registration=ev.registration,
        photos=_photos(ev.photos, ev.path),
        # an event not yet held cannot have changed in the future: its feed date is today at most
        updated=ev.updated or min(ev.start, site.today),
        path=ev.path,
        edit_url=_edit_urls(text, ev.path, urls),
        ends_at=_ends_at(ev, occurrences),
    )


@lru_cache(maxsize=4096)
def _term_link(term, kind: str, urls: Urls) -> Link:  # type: ignore[no-untyped-def]
    """One link per term, which every space and event of it shares."""
    return Link(
        {"vi": term.label.vi, "en": term.label.en},
        _both(lambda lang: urls.path(lang, "spaces", kind, term.key)),
    )


def _space(sp: ValidSpace, site: Site, vocab) -> Space:  # type: ignore[no-untyped-def]
    s, urls = site.strings, site.urls
    access: dict[str, list[str]] = {lang: [] for lang in LANGS}
    if sp.access:
        for lang in LANGS:
            if sp.access.step_free_entrance is not None:
                key = "yes" if sp.access.step_free_entrance else "no"
                access[lang].append(s.t(lang, f"space.step_free_{key}"))
            if sp.access.accessible_toilet is not None:
                key = "yes" if sp.access.accessible_toilet else "no"
                access[lang].append(s.t(lang, f"space.toilet_{key}"))
            if sp.access.note:
                access[lang].append(getattr(sp.access.note, lang))
    member = None
    if sp.is_member:
        member = _both(
            lambda lang: (
                s.t(lang, "space.member_since", date=s.date(lang, sp.member_since))
                if sp.member_since
                else s.t(lang, "space.member")
            )
        )
    map_url = None
    if sp.location:
        lat, lon = sp.location
        map_url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    text = _text(sp.texts)
    return Space(
        slug=sp.slug,
        url=_both(lambda lang: urls.path(lang, "spaces", sp.slug)),
        text=text,
        type=_term_link(vocab.space_types[sp.type], "type", urls),
        type_key=sp.type,
        schema_type=vocab.space_types[sp.type].schema or "Place",
        fields=tuple(_term_link(vocab.fields[k], "field", urls) for k in sp.fields),
        field_keys=sp.fields,
        ward=_term_link(vocab.wards[sp.ward], "ward", urls) if sp.ward else None,
        ward_key=sp.ward,
        address=sp.address,
        location=sp.location,
        map_url=map_url,
        hours=_hours(sp, s),
        hours_note={"vi": sp.hours_note.vi, "en": sp.hours_note.en} if sp.hours_note else None,
        website=sp.website,
        social=sp.social,
        email=sp.email,
        phone=sp.phone,
        operator=_both(lambda lang: s.t(lang, f"space.operator_{sp.operator}"))
        if sp.operator
        else None,
        member=member,
        access=access,
        fee=_fee(sp.fee, s),
        free=sp.fee.free if sp.fee else None,
        step_free=sp.access.step_free_entrance if sp.access else None,
        featured=sp.featured,
        photos=_photos(sp.photos, sp.path),
        updated=sp.updated or sp.member_since or NETWORK_LAUNCH,
        path=sp.path,
        edit_url=_edit_urls(text, sp.path, urls),
    )


def _az(spaces: list[Space] | tuple[Space, ...], lang: str) -> tuple[Space, ...]:
    return tuple(sorted(spaces, key=lambda sp: (collation_key(sp.text.name[lang]), sp.slug)))


def _by_venue(events: tuple[Event, ...]) -> dict[str, tuple[Event, ...]]:
    """The events held at each space, in the order given: one pass, not one per space."""
    held: dict[str, list[Event]] = {}
    for ev in events:
        for slug in dict.fromkeys(ev.venue_slugs):
            held.setdefault(slug, []).append(ev)
    return {slug: tuple(evs) for slug, evs in held.items()}


def _relate(spaces: tuple[Space, ...]) -> None:
    """Sets each space's `related`: the spaces sharing the most (the type weighs 3, each creative
    field 2, the ward 1), ties in Vietnamese A–Z order. A set of spaces is a bit mask over that
    order, so the best are the lowest bits of a few masks: no sort of every space per space,
    which a directory of 10,000 spaces could not afford."""
    order = sorted(spaces, key=lambda sp: (collation_key(sp.text.name["vi"]), sp.slug))
    bit = {id(sp): 1 << i for i, sp in enumerate(order)}
    every = (1 << len(order)) - 1
    types: dict[str, int] = {}
    fields: dict[str, int] = {}
    wards: dict[str, int] = {}
    for sp in order:
        types[sp.type_key] = types.get(sp.type_key, 0) | bit[id(sp)]
        for key in set(sp.field_keys):
            fields[key] = fields.get(key, 0) | bit[id(sp)]
        if sp.ward_key is not None:
            wards[sp.ward_key] = wards.get(sp.ward_key, 0) | bit[id(sp)]
    for sp in spaces:
        shared = [fields[key] for key in set(sp.field_keys)]
        # at_least[c]: the spaces sharing c or more of its fields
        at_least = [every] + [0] * len(shared)
        for mask in shared:
            for c in range(len(shared), 0, -1):
                at_least[c] |= at_least[c - 1] & mask
        same_type = types[sp.type_key]
        same_ward = wards[sp.ward_key] if sp.ward_key is not None else 0
        by_score: dict[int, int] = {}
        for c in range(len(shared) + 1):
            exactly = at_least[c] & ~(at_least[c + 1] if c < len(shared) else 0)
            for t, type_mask in ((3, same_type), (0, every ^ same_type)):
                for w, ward_mask in ((1, same_ward), (0, every ^ same_ward)):
                    score = t + 2 * c + w
                    if score > 0:
                        by_score[score] = by_score.get(score, 0) | exactly & type_mask & ward_mask
        picked: list[Space] = []
        for score in sorted(by_score, reverse=True):
            mask = by_score[score] & ~bit[id(sp)]
            while mask and len(picked) < RELATED_COUNT:
                lowest = mask & -mask
                picked.append(order[lowest.bit_length() - 1])
                mask ^= lowest
        sp.related = tuple(picked)


def _months(
    events: tuple[Event, ...], s: Strings, prefix: str
) -> dict[str, tuple[MonthGroup, ...]]:
    groups: dict[tuple[int, int], list[Event]] = {}
    for ev in events:
        groups.setdefault((ev.sort_date.year, ev.sort_date.month), []).append(ev)
    return {
        lang: tuple(
            MonthGroup(
                f"{prefix}-{year}-{month:02d}",
                _both(lambda lg, y=year, m=month: s.month(lg, y, m)),
                tuple(evs),
            )
            for (year, month), evs in groups.items()
        )
        for lang in LANGS
    }


def _listings(
    spaces: tuple[Space, ...], vocab, site: Site
) -> dict[str, dict[str, tuple[Listing, ...]]]:  # type: ignore[no-untyped-def]
    s, urls = site.strings, site.urls
    kinds = {
        "type": (vocab.space_types, lambda sp: (sp.type_key,)),
        "field": (vocab.fields, lambda sp: sp.field_keys),
        "ward": (vocab.wards, lambda sp: (sp.ward_key,) if sp.ward_key else ()),
    }
    out: dict[str, dict[str, tuple[Listing, ...]]] = {}
    for kind, (terms, keys_of) in kinds.items():
        members: dict[str, list[Space]] = {}
        for sp in spaces:
            for key in keys_of(sp):
                members.setdefault(key, []).append(sp)
        listings = []
        for key, group in members.items():
            term = terms[key]
            link = _term_link(term, kind, urls)
            listings.append(
                Listing(
                    kind,
                    key,
                    link.label,
                    link.url,
                    _both(
                        lambda lang, t=link, k=kind: s.t(
                            lang, f"spaces.listing_{k}", label=t.label[lang]
                        )
                    ),
                    _both(lambda lang, g=group: s.t(lang, "spaces.listing_lead", count=len(g))),
                    {lang: _az(group, lang) for lang in LANGS},
                )
            )
        out[kind] = {
            lang: tuple(
                sorted(listings, key=lambda x, lg=lang: (collation_key(x.label[lg]), x.key))
            )
            for lang in LANGS
        }
    return out


def build(content: ValidContent, strings: Strings, urls: Urls, today: dt.date) -> Site:
    vocab = content.vocabularies
    site = Site(
        urls=urls, today=today, strings=strings, spaces=(), spaces_az={}, featured={},
        events=(), upcoming=(), past=(), upcoming_months={}, past_months={}, listings={},
        about=_text(content.pages["about"]) if content.pages.get("about") else None,
        counts={},
    )  # fmt: skip
    by_slug = {sp.slug: sp for sp in content.spaces}
    space_fields = {k for sp in content.spaces for k in sp.fields}
    events = tuple(
        sorted(
            (_event(ev, by_slug, site, vocab, space_fields) for ev in content.events),
            key=lambda e: (e.start, e.slug),
        )
    )
    spaces = tuple(sorted((_space(sp, site, vocab) for sp in content.spaces), key=lambda x: x.slug))
    upcoming = tuple(sorted((e for e in events if e.upcoming), key=lambda e: (e.sort_date, e.slug)))
    past = tuple(
        sorted((e for e in events if not e.upcoming), key=lambda e: (e.end, e.slug), reverse=True)
    )
    upcoming_at, past_at = _by_venue(upcoming), _by_venue(past)
    for sp in spaces:
        sp.upcoming_events = upcoming_at.get(sp.slug, ())
        sp.past_events = past_at.get(sp.slug, ())
    _relate(spaces)
    site.spaces = spaces
    site.spaces_az = {lang: _az(spaces, lang) for lang in LANGS}
    site.featured = {
        lang: tuple(sp for sp in site.spaces_az[lang] if sp.featured) for lang in LANGS
    }
    site.events, site.upcoming, site.past = events, upcoming, past
    site.upcoming_months = _months(upcoming, strings, "upcoming")
    site.past_months = _months(past, strings, "past")
    site.listings = _listings(spaces, vocab, site)
    site.counts = {
        "spaces": len(spaces),
        "members": sum(1 for sp in spaces if sp.member),
        "events": len(events),
        "certified": CERTIFIED_MEMBERS,
    }
    site.nav = {
        lang: [
            Link({lang: strings.t(lang, f"nav.{key}")}, {lang: urls.path(lang, *parts)})
            for key, parts in (
                ("spaces", ("spaces",)),
                ("events", ("events",)),
                ("about", ("about",)),
            )
        ]
        for lang in LANGS
    }
    site.feeds = {
        "atom_vi": urls.file("vi/feed.xml"),
        "atom_en": urls.file("en/feed.xml"),
        "ics": urls.file("events.ics"),
        "sitemap": urls.file("sitemap.xml"),
    }
    site.search = _search(site, content)
    site.pages = _pages(site)
    return site


# --- search ----------------------------------------------------------------------------------

SEARCH_MONTHS = 12  # a weekly repeat, ended or not, is filed under a year of months at most


def _event_months(ev: Event) -> list[str]:
    """The months an event runs in, from the date the events page lists it under: the whole
    occurrence, or a weekly repeat up to its end; '2025-04'."""
    first = ev.sort_date
    last = first + (ev.end - ev.start)
    if ev.repeat_rule == "weekly":
        last = ev.repeat_until or first + dt.timedelta(days=366)
    months = [(first.year, first.month)]
    while months[-1] < (last.year, last.month) and len(months) < SEARCH_MONTHS:
        year, month = months[-1]
        months.append((year + month // 12, month % 12 + 1))
    return [f"{year}-{month:02d}" for year, month in months]


def _space_filters(sp: Space) -> list[tuple[str, str]]:
    filters = [("kind", "space"), ("type", sp.type_key)]
    filters += [("field", key) for key in sp.field_keys]
    filters += [("ward", sp.ward_key)] if sp.ward_key else []
    filters += [("free", "yes")] if sp.free else []
    filters += [("step_free", "yes")] if sp.step_free else []
    return filters


def _search(site: Site, content: ValidContent) -> SearchPage:
    """Files every space and event for the search index (sets `.search`); returns the search
    page's controls, offering only the values some page has."""
    s = site.strings
    spaces = {sp.slug: sp for sp in site.spaces}
    fields = {ev.slug: ev.fields for ev in content.events}
    entries: list[Space | Event] = [*site.spaces, *site.events]
    by_name = {
        lang: sorted(entries, key=lambda e, lg=lang: (collation_key(e.text.name[lg]), e.slug))
        for lang in LANGS
    }
    # "By date": upcoming events soonest first, past ones latest first, then spaces by update.
    by_date = [*site.upcoming, *site.past]
    by_date += sorted(site.spaces, key=lambda sp: (-sp.updated.toordinal(), sp.slug))
    name_rank = {lang: {id(e): i for i, e in enumerate(by_name[lang])} for lang in LANGS}
    date_rank = {id(e): i for i, e in enumerate(by_date)}
    used: set[tuple[str, str]] = set()
    for entry in entries:
        sort = _both(
            lambda lang, e=entry: (
                ("name", f"{name_rank[lang][id(e)]:05d}"),
                ("date", f"{date_rank[id(e)]:05d}"),
            )
        )
        if isinstance(entry, Space):
            filters = _space_filters(entry)
            meta = _both(
                lambda lang, sp=entry: (
                    (("type", sp.type.label[lang]),)
                    + ((("ward", sp.ward.label[lang]),) if sp.ward else ())
                )
            )
        else:
            venues = [spaces[slug] for slug in entry.venue_slugs]
            wards = {sp.ward_key: sp.ward for sp in venues if sp.ward_key and sp.ward}
            filters = [("kind", "event"), *(("field", key) for key in fields[entry.slug])]
            filters += [("ward", key) for key in sorted(wards)]
            filters += [("free", "yes")] if entry.free else []
            filters += [("month", month) for month in _event_months(entry)]
            meta = _both(
                lambda lang, ev=entry, w=wards: (
                    (
                        ("type", s.t(lang, "search.event")),
                        ("when", ev.next_text[lang] or ev.schedule[lang] or ev.when[lang]),
                    )
                    + ((("ward", ", ".join(w[k].label[lang] for k in sorted(w))),) if w else ())
                )
            )
        # a result in the other language's text says so, for screen readers and hyphenation
        meta = {
            lang: m + ((("lang", entry.text.lang[lang]),) if entry.text.is_fallback(lang) else ())
            for lang, m in meta.items()
        }
        entry.search = SearchFacets(tuple(filters), sort, meta)
        used.update(filters)
    return SearchPage(
        _both(lambda lang: _search_filters(site, content, used, lang)),
        _both(
            lambda lang: tuple(
                (name, s.t(lang, f"search.{name}"))
                for name in ("free", "step_free")
                if (name, "yes") in used
            )
        ),
    )


def _search_filters(
    site: Site, content: ValidContent, used: set[tuple[str, str]], lang: str
) -> tuple[SearchFilter, ...]:
    s, labels = site.strings, content.vocabularies.fields
    values = {name: sorted(v for n, v in used if n == name) for name in ("kind", "field", "month")}
    groups = {
        "kind": [
            (k, s.t(lang, f"search.kind_{k}")) for k in ("space", "event") if k in values["kind"]
        ],
        "type": [(x.key, x.label[lang]) for x in site.listings["type"][lang]],
        "field": sorted(
            ((k, getattr(labels[k].label, lang)) for k in values["field"]),
            key=lambda kv: (collation_key(kv[1]), kv[0]),
        ),
        # events take their wards from their venues, so the spaces' wards are all there are
        "ward": [(x.key, x.label[lang]) for x in site.listings["ward"][lang]],
        "month": [(m, s.month(lang, int(m[:4]), int(m[5:]))) for m in values["month"]],
    }
    return tuple(
        SearchFilter(name, s.t(lang, f"search.{name}"), tuple(options))
        for name, options in groups.items()
        if options
    )


# --- pages -----------------------------------------------------------------------------------


def _json_ld(data: dict[str, object]) -> str:
    # `</script>` or `<!--` in member text would end or confuse the <script> block: JSON's
    # \u escapes keep the same data with no `<`, `>` or `&` in the HTML at all.
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _space_ld(sp: Space, lang: str, urls: Urls) -> dict[str, object]:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": sp.schema_type,
        "name": sp.text.name[lang],
        "description": sp.text.summary[lang],
        "url": urls.absolute(sp.url[lang]),
        "inLanguage": sp.text.lang[lang],
    }
    if sp.address:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": sp.address,
            "addressLocality": "Hà Nội",
            "addressCountry": "VN",
        }
    if sp.location:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": sp.location[0],
            "longitude": sp.location[1],
        }
    if sp.phone:
        data["telephone"] = sp.phone
    if sp.email:
        data["email"] = sp.email
    same_as = [u for u in [sp.website, *(u for _, u in sp.social)] if u]
    if same_as:
        data["sameAs"] = same_as
    if sp.free is not None:
        data["isAccessibleForFree"] = sp.free
    return data


def _place_ld(venue: Link, lang: str, urls: Urls) -> dict[str, object]:
    data: dict[str, object] = {
        "@type": "Place",
        "name": venue.label[lang],
        "address": {"@type": "PostalAddress", "addressLocality": "Hà Nội", "addressCountry": "VN"},
    }
    if venue.url:
        data["url"] = urls.absolute(venue.url[lang])
    return data


def _event_ld(ev: Event, lang: str, urls: Urls) -> dict[str, object]:
    def stamp(day: dt.date, time: dt.time | None) -> str:
        return f"{day.isoformat()}T{time:%H:%M}:00+07:00" if time else day.isoformat()

    first = ev.next_date or ev.start
    length = ev.end - ev.start
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": ev.text.name[lang],
        "description": ev.text.summary[lang],
        "url": urls.absolute(ev.url[lang]),
        "startDate": stamp(first, ev.start_time),
        "endDate": stamp(first + length, ev.end_time),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": ev.text.lang[lang],
        "location": [_place_ld(v, lang, urls) for v in ev.venues],
    }
    if ev.repeat_rule == "weekly":
        data["eventSchedule"] = {
            "@type": "Schedule",
            "repeatFrequency": "P1W",
            "byDay": [
                f"https://schema.org/{SCHEMA_DAYS[WEEKDAYS.index(d)]}" for d in ev.repeat_days
            ],
            "startDate": ev.start.isoformat(),
            **({"endDate": ev.repeat_until.isoformat()} if ev.repeat_until else {}),
        }
    if ev.organiser:
        data["organizer"] = {"@type": "Organization", "name": ev.organiser[lang]}
    if ev.free is not None:
        data["isAccessibleForFree"] = ev.free
    return data


def _add(
    pages: list[Page],
    site: Site,
    template: str,
    parts: tuple[str, ...],
    title: L,
    description: L,
    subject: object = None,
    og_type: str = "website",
    json_ld: dict[str, dict[str, object]] | None = None,
) -> None:
    """The page in both languages, each naming the other as its alternate."""
    s, urls = site.strings, site.urls
    alternates = {lang: urls.path(lang, *parts) for lang in LANGS}
    for lang in LANGS:
        url = alternates[lang]
        site_name = s.t(lang, "site.name")
        full_title = title[lang] if title[lang] == site_name else f"{title[lang]} · {site_name}"
        pages.append(
            Page(
                template=template,
                lang=lang,
                output="/".join((lang, *parts, "index.html")),
                url=url,
                canonical=urls.absolute(url),
                alternates={k: urls.absolute(v) for k, v in alternates.items()},
                paths=alternates,
                title=full_title,
                description=plain_text(description[lang]),
                og_type=og_type,
                json_ld=_json_ld(json_ld[lang]) if json_ld else None,
                subject=subject,
            )
        )


def _entry_pages(pages: list[Page], site: Site, entry: Space | Event) -> None:
    urls = site.urls
    if isinstance(entry, Space):
        ld = _both(lambda lang: _space_ld(entry, lang, urls))
        add_to = ("space.html", ("spaces", entry.slug), "place")
    else:
        ld = _both(lambda lang: _event_ld(entry, lang, urls))
        add_to = ("event.html", ("events", entry.slug), "article")
    template, parts, og_type = add_to
    _add(pages, site, template, parts, entry.text.name, entry.text.summary, entry, og_type, ld)


def _pages(site: Site) -> list[Page]:
    s, urls = site.strings, site.urls
    pages: list[Page] = []
    home_ld = _both(
        lambda lang: {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": s.t(lang, "site.name"),
            "url": urls.absolute(urls.path(lang)),
            "inLanguage": lang,
        }
    )
    _add(
        pages,
        site,
        "home.html",
        (),
        _both(lambda lg: s.t(lg, "site.name")),
        _both(lambda lg: s.t(lg, "site.description")),
        json_ld=home_ld,
    )
    _add(
        pages,
        site,
        "spaces.html",
        ("spaces",),
        _both(lambda lg: s.t(lg, "spaces.title")),
        _both(lambda lg: s.t(lg, "spaces.lead")),
    )
    for kind in ("type", "field", "ward"):
        for listing in site.listings[kind]["vi"]:
            parts = ("spaces", kind, listing.key)
            _add(pages, site, "listing.html", parts, listing.title, listing.lead, listing)
    for sp in site.spaces:
        _entry_pages(pages, site, sp)
    _add(
        pages,
        site,
        "events.html",
        ("events",),
        _both(lambda lg: s.t(lg, "events.title")),
        _both(lambda lg: s.t(lg, "events.lead")),
    )
    for ev in site.events:
        _entry_pages(pages, site, ev)
    if site.about:
        about = site.about
        _add(pages, site, "about.html", ("about",), about.name, about.summary, about, "article")
    _add(
        pages,
        site,
        "search.html",
        ("search",),
        _both(lambda lg: s.t(lg, "search.title")),
        _both(lambda lg: s.t(lg, "search.lead")),
        site.search,
    )
    return pages


def revised(site: Site, content: ValidContent, folders: set[str]) -> list[Page] | None:
    """The pages of the spaces and events in `folders` ('content/spaces/x'), made again from
    `content` over the rest of `site` as it was: what a preview shows at once, before the whole
    site is made again. What an entry takes from the others (the events at a space, the spaces
    related to it, its place in search) is kept from `site`; that whole build brings it up to
    date. None if a folder is not an entry of both."""
    vocab = content.vocabularies
    valid = {e.path: e for e in (*content.spaces, *content.events)}
    made = {e.path: e for e in (*site.spaces, *site.events)}
    if not all(folder in valid and folder in made for folder in folders):
        return None
    by_slug = {sp.slug: sp for sp in content.spaces}
    space_fields = {k for sp in content.spaces for k in sp.fields}

    def event(old: Event) -> Event:
        """The event made again, as it may show a changed venue's name."""
        new = _event(valid[old.path], by_slug, site, vocab, space_fields)  # type: ignore[arg-type]
        new.search = old.search
        return new

    pages: list[Page] = []
    for folder in sorted(folders):
        entry, old = valid[folder], made[folder]
        if isinstance(entry, ValidSpace) and isinstance(old, Space):
            new: Space | Event = _space(entry, site, vocab)
            new.upcoming_events = tuple(map(event, old.upcoming_events))
            new.past_events = tuple(map(event, old.past_events))
            new.related, new.search = old.related, old.search
        elif isinstance(entry, ValidEvent) and isinstance(old, Event):
            new = event(old)
        else:
            return None
        _entry_pages(pages, site, new)
    return pages
