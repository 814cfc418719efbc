"""The built fixture site, read as HTML: every page kind, both languages, the head metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import parse

LANGS = ("vi", "en")
PAGES = [
    "{lang}/index.html",
    "{lang}/spaces/index.html",
    "{lang}/spaces/dinh-kim-ngan/index.html",
    "{lang}/spaces/hoi-quan-quang-dong/index.html",
    "{lang}/spaces/type/heritage-site/index.html",
    "{lang}/spaces/field/photography/index.html",
    "{lang}/spaces/ward/hoan-kiem/index.html",
    "{lang}/events/index.html",
    "{lang}/events/photo-hanoi-2025/index.html",
    "{lang}/events/tet-pho/index.html",
    "{lang}/about/index.html",
]
ALL = [p.format(lang=lang) for p in PAGES for lang in LANGS]


@pytest.mark.parametrize("page", ALL)
def test_page_head_is_complete(fixture_site: Path, page: str):
    lang = page[:2]
    other = "en" if lang == "vi" else "vi"
    doc = parse(fixture_site / page)
    assert doc.get("lang") == lang
    assert len(doc.findall(".//h1")) == 1
    url = "/" + page.removesuffix("index.html")
    canonical = doc.find(".//link[@rel='canonical']").get("href")
    assert canonical == "https://sangtao.hanoi.gov.vn" + url
    alternates = {
        e.get("hreflang"): e.get("href")
        for e in doc.findall(".//link[@rel='alternate']")
        if e.get("hreflang")
    }
    assert alternates[lang] == canonical
    assert alternates[other] == canonical.replace(f"/{lang}/", f"/{other}/")
    assert alternates["x-default"] == canonical.replace(f"/{lang}/", "/vi/")
    switch = doc.find(".//a[@class='langswitch']")
    assert switch.get("href") == url.replace(f"/{lang}/", f"/{other}/")
    assert switch.get("hreflang") == other
    assert (fixture_site / switch.get("href").lstrip("/") / "index.html").is_file()
    og = {m.get("property"): m.get("content") for m in doc.findall(".//meta[@property]")}
    assert og["og:url"] == canonical and og["og:title"] and og["og:description"]
    csp = doc.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    for script in doc.findall(".//script"):
        assert script.get("src") or script.get("type") == "application/ld+json"
    # landmarks and skip link
    assert doc.find(".//main[@id='main']") is not None
    assert doc.find(".//a[@class='skip']").get("href") == "#main"
    assert doc.find(".//nav") is not None and doc.find(".//footer") is not None
    for img in doc.iter("img"):
        assert img.get("alt") is not None and img.get("width") and img.get("height")


@pytest.mark.parametrize("built", ["fixture_site", "shipped_site"])
def test_every_internal_link_resolves(built: str, request: pytest.FixtureRequest):
    fixture_site = request.getfixturevalue(built)
    for page in fixture_site.rglob("*.html"):
        for a in parse(page).iter("a", "link"):
            href = a.get("href") or ""
            if href.startswith("/"):
                path = href.split("#")[0]
                target = fixture_site / path.lstrip("/")
                assert target.is_file() or (target / "index.html").is_file(), (page, href)


def _json_ld(page: Path) -> dict:
    return json.loads(parse(page).find(".//script[@type='application/ld+json']").text)


def test_space_page_shows_its_facts(fixture_site: Path):
    doc = parse(fixture_site / "en/spaces/dinh-kim-ngan/index.html")
    assert doc.find(".//h1").text_content() == "Kim Ngan Communal House"
    facts = {dt.text_content(): dt.getnext().text_content() for dt in doc.findall(".//aside//dt")}
    assert facts["Type"] == "Heritage site"
    assert "42 Hàng Bạc" in facts["Address"]
    assert "Monday – Friday08:00–17:00" in facts["Opening hours"].replace("\n", "")
    assert "Sunday" in facts["Opening hours"] and "Closed" in facts["Opening hours"]
    assert facts["Entry"] == "Free"
    osm = doc.xpath(".//a[contains(@href, 'openstreetmap.org')]")[0].get("href")
    assert "mlat=21.0343" in osm and "mlon=105.8529" in osm
    # the member's "# History" became an h3 under the page's "About" h2
    assert [h.text_content() for h in doc.findall(".//div[@class='prose']/h3")] == ["History"]
    upcoming = doc.xpath(".//section[@aria-labelledby='upcoming-title']//h3/a")
    assert [a.text_content() for a in upcoming] == ["Vietnam Tet – Street Tet"]
    ld = _json_ld(fixture_site / "en/spaces/dinh-kim-ngan/index.html")
    assert ld["@type"] == "LandmarksOrHistoricalBuildings"
    assert (
        ld["geo"]["latitude"] == 21.0343 and ld["address"]["streetAddress"] == "42 Hàng Bạc, Hà Nội"
    )


def test_photos_have_alt_in_the_page_language(fixture_site: Path):
    for lang, alt in (("vi", "Sân đình Kim Ngân"), ("en", "The courtyard of Kim Ngân")):
        img = parse(fixture_site / f"{lang}/spaces/dinh-kim-ngan/index.html").find(".//figure//img")
        assert img.get("alt") == alt
        assert (fixture_site / img.get("src").lstrip("/")).is_file()


def test_missing_translation_shows_other_text_marked(fixture_site: Path):
    doc = parse(fixture_site / "en/spaces/hoi-quan-quang-dong/index.html")
    h1 = doc.find(".//h1")
    assert h1.text_content() == "Hội quán Quảng Đông" and h1.get("lang") == "vi"
    assert doc.find(".//p[@role='note']").text_content().startswith("This text is not yet")
    assert doc.find(".//div[@class='prose']").get("lang") == "vi"
    # the Vietnamese page is the original: no notice, no lang override
    vi = parse(fixture_site / "vi/spaces/hoi-quan-quang-dong/index.html")
    assert vi.find(".//p[@role='note']") is None and vi.find(".//h1").get("lang") is None


def test_event_pages_link_venues_and_describe_recurrence(fixture_site: Path):
    doc = parse(fixture_site / "en/events/tet-pho/index.html")
    venues = doc.xpath(".//aside//dd/ul/li")
    assert venues[0].find("a").get("href") == "/en/spaces/dinh-kim-ngan/"
    assert venues[1].text_content() == "Hanoi Old Quarter" and venues[1].find("a") is None
    when = doc.xpath(".//aside//dd")[0].text_content()
    assert "Every year, around Lunar New Year (Tết)" in when
    assert "Announced dates: 8 February, 19:30 – 10 February 2016, 21:00" in when
    assert "Expected next: Tuesday, 17 February 2026, 19:30–21:00" in when
    calendar = doc.xpath(".//a[@download]")[0].get("href")
    assert calendar == "/events/tet-pho.ics"
    ended = parse(fixture_site / "en/events/photo-hanoi-2025/index.html")
    assert not ended.xpath(".//a[@download]")  # no "add to calendar" once it is over
    ld = _json_ld(fixture_site / "en/events/tet-pho/index.html")
    assert ld["@type"] == "Event" and ld["startDate"] == "2026-02-17T19:30:00+07:00"


def test_events_index_splits_upcoming_and_past_by_month(fixture_site: Path):
    doc = parse(fixture_site / "vi/events/index.html")
    upcoming = doc.xpath(".//section[@aria-labelledby='upcoming-title']")[0]
    past = doc.xpath(".//section[@aria-labelledby='past-title']")[0]
    assert [h.text_content() for h in upcoming.iter("h3") if h.get("class") == "month"] == [
        "Tháng 2 năm 2026"
    ]
    assert [a.text_content() for a in past.xpath(".//li//h4/a")] == ["Photo Hà Nội'25"]
    assert [h.get("id") for h in past.iter("h3") if h.get("class") == "month"] == ["past-2025-04"]


def test_spaces_are_in_vietnamese_alphabetical_order(fixture_site: Path):
    doc = parse(fixture_site / "vi/spaces/index.html")
    names = [e.text_content() for e in doc.xpath(".//ul[@class='cards']//*[@class='card__title']")]
    assert names == ["Đình Kim Ngân", "Hội quán Quảng Đông"]


def test_root_sends_visitors_to_a_language_without_javascript(fixture_site: Path):
    doc = parse(fixture_site / "index.html")
    refresh = doc.find(".//meta[@http-equiv='refresh']").get("content")
    assert refresh == "0; url=/vi/"
    assert {a.get("href") for a in doc.iter("a")} == {"/vi/", "/en/"}


def test_404_page_is_bilingual(fixture_site: Path):
    doc = parse(fixture_site / "404.html")
    assert doc.find(".//h1").text_content().startswith("Không tìm thấy trang")
    assert doc.xpath(".//p[@lang='en']")
    assert {a.get("href") for a in doc.iter("a")} == {
        "/vi/", "/en/", "/vi/spaces/", "/vi/events/", "/en/spaces/", "/en/events/",
    }  # fmt: skip
