"""sitemap.xml, robots.txt, Atom and iCalendar: parsed, not grepped."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml",
      "a": "http://www.w3.org/2005/Atom"}  # fmt: skip


def test_sitemap_lists_every_page_with_its_alternates(fixture_site: Path):
    tree = etree.parse(str(fixture_site / "sitemap.xml"))
    urls = tree.xpath("//s:url", namespaces=NS)
    pages = [p for p in fixture_site.rglob("index.html") if p.parent != fixture_site]
    assert len(urls) == len(pages)
    for url in urls:
        loc = url.findtext("s:loc", namespaces=NS)
        links = {e.get("hreflang"): e.get("href") for e in url.findall("x:link", NS)}
        assert set(links) == {"vi", "en", "x-default"}
        assert loc in links.values()
        assert (fixture_site / loc.split(".vn/", 1)[1] / "index.html").is_file()


def test_robots_points_to_the_sitemap(fixture_site: Path):
    lines = (fixture_site / "robots.txt").read_text().splitlines()
    assert "Sitemap: https://sangtao.hanoi.gov.vn/sitemap.xml" in lines


def test_atom_feed_per_language(fixture_site: Path):
    for lang in ("vi", "en"):
        feed = etree.parse(str(fixture_site / lang / "feed.xml")).getroot()
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        entries = feed.findall("a:entry", NS)
        assert len(entries) == 4  # 2 spaces and 2 events
        ids = [e.findtext("a:id", namespaces=NS) for e in entries]
        assert all(f"/{lang}/" in i for i in ids)
        updated = [e.findtext("a:updated", namespaces=NS) for e in entries]
        assert updated == sorted(updated, reverse=True)


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def _events(lines: list[str]) -> dict[str, dict[str, str]]:
    events, current = {}, None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events[current["UID"].split("@")[0]] = current
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def test_icalendar_has_time_zone_and_recurrence(fixture_site: Path):
    raw = (fixture_site / "events.ics").read_bytes()
    assert raw.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = _unfold(raw.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and "TZID:Asia/Ho_Chi_Minh" in lines
    events = _events(lines)
    photo = events["photo-hanoi-2025"]
    assert photo["DTSTART;VALUE=DATE"] == "20250421"
    assert photo["DTEND;VALUE=DATE"] == "20250604"  # all-day DTEND is exclusive
    tet = events["tet-pho"]
    assert tet["DTSTART;TZID=Asia/Ho_Chi_Minh"] == "20160208T193000"
    assert "STATUS" not in tet  # the announced edition is a fact
    assert tet["SUMMARY"] == "Tết Việt – Tết Phố / Vietnam Tet – Street Tet"
    # the next Lunar New Year edition is our estimate: published alone, as tentative
    expected = events["tet-pho-2026"]
    assert expected["DTSTART;TZID=Asia/Ho_Chi_Minh"] == "20260217T193000"
    assert expected["DTEND;TZID=Asia/Ho_Chi_Minh"] == "20260219T210000"
    assert expected["STATUS"] == "TENTATIVE"
    assert not any(key.startswith("RDATE") for key in tet)


def test_each_event_has_its_own_calendar_file(fixture_site: Path):
    lines = _unfold((fixture_site / "events" / "photo-hanoi-2025.ics").read_bytes().decode())
    assert list(_events(lines)) == ["photo-hanoi-2025"]
    assert "METHOD:PUBLISH" in lines


def test_icalendar_escapes_text():
    from sitegen.feeds import _fold, _ics_text

    assert _ics_text("a, b; c\\d\ne") == "a\\, b\\; c\\\\d\\ne"
    folded = _fold("SUMMARY:" + "Hội quán Quảng Đông " * 10)
    assert all(len(part.encode()) <= 75 for part in folded)
    assert (
        "".join(p[1:] if i else p for i, p in enumerate(folded))
        == "SUMMARY:" + "Hội quán Quảng Đông " * 10
    )
