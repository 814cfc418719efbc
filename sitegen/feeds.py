"""sitemap.xml, robots.txt, an Atom feed per language and events.ics, from the model only.

Dates in the feeds come from content (`updated`, event dates), never from the clock, so the
same content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .buildcache import Recall, code_version, text_key
from .i18n import LANGS
from .markup import plain_text
from .model import Event, Site
from .output import Stage

ICS_DAYS = {
    "mon": "MO",
    "tue": "TU",
    "wed": "WE",
    "thu": "TH",
    "fri": "FR",
    "sat": "SA",
    "sun": "SU",
}


def sitemap(site: Site) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in site.pages:
        out.append(f"<url><loc>{escape(page.canonical)}</loc>")
        for lang, href in page.alternates.items():
            out.append(f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(href)}/>')
        default = quoteattr(page.alternates["vi"])
        out.append(f'<xhtml:link rel="alternate" hreflang="x-default" href={default}/>')
        out.append("</url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"


def robots(site: Site) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.urls.absolute(site.feeds['sitemap'])}\n"


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+07:00"


def atom(site: Site, lang: str) -> str:
    s, urls = site.strings, site.urls
    items = [(sp.updated, "space", sp) for sp in site.spaces] + [
        (ev.updated, "event", ev) for ev in site.events
    ]
    items.sort(key=lambda item: (item[0], item[1], item[2].slug), reverse=True)
    feed_url = urls.absolute(site.feeds[f"atom_{lang}"])
    home_url = urls.absolute(urls.path(lang))
    updated = max((item[0] for item in items), default=dt.date(2025, 12, 10))
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
        f"<title>{escape(s.t(lang, 'feed.title'))}</title>",
        f"<id>{escape(feed_url)}</id>",
        f'<link rel="self" href={quoteattr(feed_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(home_url)}/>',
        f"<updated>{_stamp(updated)}</updated>",
        f"<author><name>{escape(s.t(lang, 'site.name'))}</name></author>",
    ]
    for day, kind, obj in items:
        url = urls.absolute(obj.url[lang])
        out += [
            "<entry>",
            f"<title>{escape(s.t(lang, f'feed.{kind}'))}: {escape(obj.text.name[lang])}</title>",
            f"<id>{escape(url)}</id>",
            f'<link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"<updated>{_stamp(day)}</updated>",
            f"<summary>{escape(obj.text.summary[lang])}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 lines are at most 75 octets; longer ones continue after CRLF and a space,
    never splitting a UTF-8 character."""
    data = line.encode("utf-8")
    out, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character starts earlier
            end -= 1
        out.append(data[start:end].decode("utf-8"))
        start, limit = end, 74
    out.append(data[start:].decode("utf-8"))
    return [out[0]] + [" " + part for part in out[1:]]


def _when(day: dt.date, time: dt.time | None) -> str:
    return (
        f";TZID=Asia/Ho_Chi_Minh:{day:%Y%m%d}T{time:%H%M}00"
        if time
        else f";VALUE=DATE:{day:%Y%m%d}"
    )


@dataclass(frozen=True)
class _Occasion:
    """Every value of the site an event's calendar lines print, and nothing else: its repr is
    the key its lines are reused by."""

    slug: str
    updated: dt.date
    start: dt.date
    start_time: dt.time | None
    end: dt.date
    end_time: dt.time | None
    location: str
    title: str
    summary: str
    url: str
    uid_host: str
    repeat_rule: str | None
    repeat_days: tuple[str, ...]
    repeat_until: dt.date | None
    next_date: dt.date | None

    @classmethod
    def of(cls, ev: Event, site: Site) -> _Occasion:
        urls = site.urls
        title = ev.text.name["vi"]
        if ev.text.name["en"] != title:
            title = f"{title} / {ev.text.name['en']}"
        return cls(
            ev.slug, ev.updated, ev.start, ev.start_time, ev.end, ev.end_time,
            " / ".join(v.label["vi"] for v in ev.venues), title, ev.text.summary["vi"],
            urls.absolute(ev.url["vi"]), urls.origin.split("://")[-1],
            ev.repeat_rule, ev.repeat_days, ev.repeat_until, ev.next_date,
        )  # fmt: skip


def _vevent(ev: _Occasion) -> list[str]:
    end_day, end_time = ev.end, ev.end_time
    if end_time is None and ev.start_time is None:
        end_day = ev.end + dt.timedelta(days=1)  # all-day DTEND is exclusive
    elif end_time is None:
        end_time = ev.start_time
    uid_host, title, description = ev.uid_host, ev.title, plain_text(ev.summary)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ev.slug}@{uid_host}",
        f"DTSTAMP:{ev.updated:%Y%m%d}T000000Z",
        f"DTSTART{_when(ev.start, ev.start_time)}",
        f"DTEND{_when(end_day, end_time)}",
        f"SUMMARY:{_ics_text(title)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"LOCATION:{_ics_text(ev.location)}",
        f"URL:{ev.url}",
    ]
    if ev.repeat_rule == "weekly":
        rule = "RRULE:FREQ=WEEKLY;BYDAY=" + ",".join(ICS_DAYS[d] for d in ev.repeat_days)
        if ev.repeat_until:
            rule += f";UNTIL={ev.repeat_until:%Y%m%d}"
            if ev.start_time:
                rule += "T235959Z"
        lines.append(rule)
    lines.append("END:VEVENT")
    if ev.repeat_rule == "lunar-new-year" and ev.next_date and ev.next_date != ev.start:
        # No RRULE follows the lunar calendar, and later dates are our estimate, not the
        # organisers': publish the next one alone, as tentative, under its own UID.
        shift = ev.next_date - ev.start
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ev.slug}-{ev.next_date.year}@{uid_host}",
            f"DTSTAMP:{ev.updated:%Y%m%d}T000000Z",
            f"DTSTART{_when(ev.next_date, ev.start_time)}",
            f"DTEND{_when(end_day + shift, end_time)}",
            "STATUS:TENTATIVE",
            f"SUMMARY:{_ics_text(title)}",
            f"DESCRIPTION:{_ics_text(description)}",
            f"LOCATION:{_ics_text(ev.location)}",
            f"URL:{ev.url}",
            "END:VEVENT",
        ]
    return lines


def _folded(lines: list[str]) -> str:
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def _head(site: Site) -> str:
    return _folded(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Hanoi Creative Spaces//sitegen//VI",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{_ics_text(site.strings.t('vi', 'site.name'))}",
            "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
            # Hanoi has kept UTC+7 without daylight saving since 1975.
            "BEGIN:VTIMEZONE",
            "TZID:Asia/Ho_Chi_Minh",
            "BEGIN:STANDARD",
            "DTSTART:19750613T000000",
            "TZOFFSETFROM:+0700",
            "TZOFFSETTO:+0700",
            "TZNAME:+07",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    )


_TAIL = "END:VCALENDAR\r\n"


def calendar(site: Site, events: tuple[Event, ...]) -> str:
    return _head(site) + "".join(_folded(_vevent(_Occasion.of(ev, site))) for ev in events) + _TAIL


def write(site: Site, stage: Stage, vevents: Recall[str, str] | None = None) -> None:
    """`vevents`: each event's calendar lines by the key of what they print, from the last
    build. An event whose key it holds had the same .ics file written last time, which is
    then linked from site/ if still there as published."""
    stage.write("sitemap.xml", sitemap(site))
    stage.write("robots.txt", robots(site))
    for lang in LANGS:
        stage.write(f"{lang}/feed.xml", atom(site, lang))
    head = _head(site)
    shared = text_key(head, code_version())  # what every event's file has besides its lines
    parts = []
    for ev in site.events:
        occasion = _Occasion.of(ev, site)
        key = text_key(repr(occasion), shared)
        lines = vevents.get(key) if vevents is not None else None
        output = f"events/{ev.slug}.ics"
        if lines is None:
            lines = _folded(_vevent(occasion))
            stage.write(output, head + lines + _TAIL)
            if vevents is not None:
                vevents[key] = lines
        elif not stage.reuse(output):
            stage.write(output, head + lines + _TAIL)
        parts.append(lines)
    stage.write("events.ics", head + "".join(parts) + _TAIL)
