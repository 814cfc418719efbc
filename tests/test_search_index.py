"""Search without a browser: what the pages hand Pagefind, the đ copy, the index on disk, and
that two builds write the same index bytes. What the index finds is tested in tests/browser."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path

import pytest

from sitegen import model, search
from support import parse

LANGS = ("vi", "en")
INDEXED = [
    "spaces/dinh-kim-ngan",
    "spaces/hoi-quan-quang-dong",
    "events/tet-pho",
    "events/photo-hanoi-2025",
]


def facets(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """{'filter:kind': ['space'], 'sort:name': ['00001'], 'meta:type': [...]} of a parsed page."""
    out: dict[str, list[str]] = {}
    for kind in ("filter", "sort", "meta"):
        for el in page.xpath(f"//*[@data-pagefind-{kind}]"):
            name, _, inline = el.get(f"data-pagefind-{kind}").partition(":")
            out.setdefault(f"{kind}:{name}", []).append(inline or el.text_content())
    return out


def read(html: str) -> search._Reader:
    reader = search._Reader()
    reader.feed(html)
    reader.close()
    return reader


# --- what Pagefind reads ---------------------------------------------------------------------


def test_reader_keeps_d_words_of_the_body_only_with_their_heading_level():
    reader = read(
        "<html><body><header>Điều hướng</header><main>"
        "<article data-pagefind-body><h1>Đình <em>Đồng</em> Kim Ngân</h1>"
        "<p>Phố Hàng Đào<br>đẹp <img src=x alt='Đèn'></p>"
        "<div data-pagefind-ignore><p>Địa chỉ</p></div><p>Đông</p></article>"
        "<aside>Đống Đa</aside></main></body></html>"
    )
    assert reader.has_body
    assert reader.d_words == [
        ("h1", "Dình"), ("h1", "Dồng"), ("p", "Dào"), ("p", "dẹp"), ("p", "Dông"),
    ]  # fmt: skip


def test_a_page_without_a_body_is_not_indexed():
    assert not read("<html><body><h1>Đình</h1></body></html>").has_body


def test_the_d_copy_is_a_hidden_body_before_the_end_of_the_page():
    html = "<html><body><main data-pagefind-body><h1>Đình</h1><p>Đông đẹp</p></main></body></html>"
    copy = search.with_d_spellings(html, read(html).d_words)
    assert copy == (
        "<html><body><main data-pagefind-body><h1>Đình</h1><p>Đông đẹp</p></main>"
        "<div data-pagefind-body hidden><h1>Dình</h1><p>Dông dẹp</p></div></body></html>"
    )
    plain = "<html><body><main data-pagefind-body>Hàng Bạc</main></body></html>"
    assert search.with_d_spellings(plain, read(plain).d_words) == plain


# --- the pages ---------------------------------------------------------------------------------


def test_only_spaces_and_events_are_indexed_and_only_their_content(fixture_site: Path):
    indexed = {f"{lang}/{rel}/index.html" for lang in LANGS for rel in INDEXED}
    for page in sorted(fixture_site.rglob("*.html")):
        rel = page.relative_to(fixture_site).as_posix()
        bodies = parse(page).xpath("//*[@data-pagefind-body]")
        assert bool(bodies) == (rel in indexed), rel
        for body in bodies:
            assert not body.xpath("ancestor-or-self::header[@class='masthead']"), rel
            assert not body.xpath(".//nav[not(ancestor-or-self::*[@data-pagefind-ignore])]"), rel


def test_a_space_carries_its_filters_sort_keys_and_result_meta(fixture_site: Path):
    vi = facets(parse(fixture_site / "vi/spaces/dinh-kim-ngan/index.html"))
    assert vi["filter:kind"] == ["space"]
    assert vi["filter:type"] == ["heritage-site"]
    assert vi["filter:field"] == ["heritage", "performing-arts"]
    assert vi["filter:ward"] == ["hoan-kiem"]
    assert vi["filter:free"] == ["yes"]
    assert "filter:step_free" not in vi  # the fixture says the entrance has steps
    assert vi["meta:title"] == ["Đình Kim Ngân"]
    assert vi["meta:type"] == ["Di tích"]
    assert vi["meta:ward"] == ["Hoàn Kiếm"]
    assert vi["meta:image"][0].startswith("/media/") and vi["meta:image"][0].endswith(".jpg")
    en = facets(parse(fixture_site / "en/spaces/dinh-kim-ngan/index.html"))
    assert en["meta:type"] == ["Heritage site"]
    assert en["meta:summary"] == ["An old communal house on Hàng Bạc street, home of Street Tet."]


def test_an_event_is_filed_under_its_venues_wards_and_every_month_it_runs(fixture_site: Path):
    en = facets(parse(fixture_site / "en/events/photo-hanoi-2025/index.html"))
    assert en["filter:kind"] == ["event"]
    assert en["filter:ward"] == ["hoan-kiem"]
    assert en["filter:month"] == ["2025-04", "2025-05", "2025-06"]
    assert en["meta:type"] == ["Event"]
    assert en["meta:when"] == ["21 April – 3 June 2025"]
    assert en["meta:image"] == [""]  # no photo: without it Pagefind would take any <img>


def test_a_page_in_the_other_languages_text_says_so_in_its_meta(fixture_site: Path):
    page = "{}/spaces/hoi-quan-quang-dong/index.html"
    assert facets(parse(fixture_site / page.format("en")))["meta:lang"] == ["vi"]
    assert "meta:lang" not in facets(parse(fixture_site / page.format("vi")))


@pytest.mark.parametrize("lang", LANGS)
def test_every_indexed_page_carries_every_sort_key_once(fixture_site: Path, lang: str):
    names, dates = [], []
    for rel in INDEXED:
        found = facets(parse(fixture_site / lang / rel / "index.html"))
        names += found["sort:name"]
        dates += found["sort:date"]
    assert len(names) == len(dates) == len(INDEXED)
    assert sorted(names) == sorted(set(names)) and sorted(dates) == sorted(set(dates))
    by_name = [rel for _, rel in sorted(zip(names, INDEXED, strict=True))]
    if lang == "vi":  # Vietnamese order puts Đ between D and E; code points put it after Z
        assert by_name == [INDEXED[0], INDEXED[1], INDEXED[3], INDEXED[2]]
    by_date = [rel for _, rel in sorted(zip(dates, INDEXED, strict=True))]
    assert by_date[:2] == ["events/tet-pho", "events/photo-hanoi-2025"]  # upcoming, then past


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_a_search_box_leading_to_the_search_page(fixture_site: Path, lang: str):
    for rel in ("", "spaces/", "spaces/dinh-kim-ngan/", "events/tet-pho/", "about/"):
        doc = parse(fixture_site / lang / rel / "index.html")
        (form,) = doc.xpath("//header//form[@role='search']")
        assert form.get("action") == f"/{lang}/search/" and form.get("method") == "get"
        (field,) = form.xpath(".//input[@name='q']")
        assert doc.xpath(f"//label[@for='{field.get('id')}']")


@pytest.mark.parametrize("lang", LANGS)
def test_the_search_page_offers_filters_in_its_language_and_the_listings_without_js(
    fixture_site: Path, lang: str
):
    doc = parse(fixture_site / lang / "search/index.html")
    assert doc.get("lang") == lang
    assert not doc.xpath("//header//form")  # its own box is the page
    (root,) = doc.xpath("//*[@id='search']")
    assert root.get("data-pagefind") == "/pagefind/pagefind.js"
    assert doc.xpath("//form[@role='search']")[0].get("hidden") is not None  # shown by search.js
    assert doc.xpath("//noscript")
    links = doc.xpath("//nav[@aria-labelledby='browse-title']//a/@href")
    assert f"/{lang}/spaces/" in links and f"/{lang}/events/" in links
    options = {
        select.get("name"): [(o.get("value"), o.text_content()) for o in select.xpath("option")[1:]]
        for select in doc.xpath("//select[@data-filter]")
    }
    assert list(options) == ["kind", "type", "field", "ward", "month"]
    assert options["ward"] == [("hoan-kiem", "Hoàn Kiếm")]
    months = {"vi": "Tháng 4 năm 2025", "en": "April 2025"}
    assert options["month"][0] == ("2025-04", months[lang])
    assert [o[0] for o in options["month"]] == sorted(o[0] for o in options["month"])
    fields = {"vi": ["Di sản", "Kiến trúc", "Nghệ thuật biểu diễn", "Nhiếp ảnh"],
              "en": ["Architecture", "Heritage", "Performing arts", "Photography"]}  # fmt: skip
    assert [label for _, label in options["field"]] == fields[lang]
    assert doc.xpath("//input[@type='checkbox']/@name") == ["free"]  # no space is step-free


def test_event_months_span_the_occurrence_and_a_year_of_a_weekly_repeat_at_most():
    def event(start: str, end: str, rule: str | None = None, until: str | None = None):  # type: ignore[no-untyped-def]
        day = dt.date.fromisoformat
        ev = model.Event.__new__(model.Event)
        ev.start, ev.end, ev.next_date = day(start), day(end), None
        ev.repeat_rule, ev.repeat_until = rule, day(until) if until else None
        return ev

    months = ["2025-11", "2025-12", "2026-01"]
    assert model._event_months(event("2025-11-28", "2026-01-03")) == months
    assert model._event_months(event("2026-01-10", "2026-01-10", "weekly", "2026-03-01")) == [
        "2026-01", "2026-02", "2026-03"
    ]  # fmt: skip
    assert len(model._event_months(event("2026-01-10", "2026-01-10", "weekly"))) == 12


# --- the index on disk -------------------------------------------------------------------------


def test_one_index_per_language_holding_the_indexed_pages(fixture_site: Path):
    folder = fixture_site / "pagefind"
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["en", "vi"]
    assert {lang: v["page_count"] for lang, v in entry["languages"].items()} == {"en": 4, "vi": 4}
    assert not [name for name in search.UNUSED if (folder / name).exists()]
    size = search.index_size(fixture_site)
    assert size.pages == 8
    assert 0 < size.index_bytes < 100_000 and size.library_bytes > 100_000
    assert size.bytes_per_page == size.index_bytes / 8


def test_rewritten_index_files_are_sorted_and_named_as_pagefind_names_them(fixture_site: Path):
    folder = fixture_site / "pagefind"
    files = sorted(folder.glob("*.pf_meta")) + sorted(folder.glob("filter/*.pf_filter"))
    assert len(files) > 2
    for path in files:
        data = gzip.decompress(path.read_bytes())
        value, end = search._cbor_decode(data, len(search._MAGIC))
        assert end == len(data) and search._cbor_encode(value) == data[len(search._MAGIC) :]
        digest = "".join(f"{b:x}" for b in hashlib.sha1(data[len(search._MAGIC) :]).digest())
        assert path.name.split("_", 1)[1].startswith(digest[:7])
        if path.suffix == ".pf_filter":
            assert value[1] == sorted(value[1])
        else:
            assert value[3] == sorted(value[3]) and value[4] == sorted(value[4])
            assert all((folder / "filter" / f"{name}.pf_filter").is_file() for _, name in value[3])


def test_a_site_without_indexed_pages_still_gets_pagefinds_code(tmp_path: Path):
    (tmp_path / "index.html").write_text("<html lang='vi'><body>Trang chủ</body></html>")
    search.index(tmp_path)
    folder = tmp_path / search.FOLDER
    assert (folder / "pagefind.js").is_file()
    assert json.loads((folder / search.SHARDS).read_text("utf-8")) == []


def test_what_pagefind_reads_is_what_decides_indexing_again():
    """The view of a page (search._words) changes with its data-pagefind-body parts, its
    language and any data-pagefind tag outside them, and with nothing else."""
    page = (
        '<!doctype html><html lang="{lang}"><head><title>T</title></head><body>'
        "<nav>{nav}</nav><main data-pagefind-body><h1>{name}</h1></main>"
        '<span data-pagefind-filter="kind">{kind}</span><footer>{footer}</footer></body></html>'
    )
    base = {"lang": "vi", "nav": "Trang chủ", "name": "Đình", "kind": "space", "footer": "©"}

    def view(**change: str) -> str:
        return search._words(page.format(**{**base, **change}))[3]

    assert view(nav="Home") == view(footer="© 2026") == view()
    for change in ({"name": "Đền"}, {"lang": "en"}, {"kind": "event"}):
        assert view(**change) != view(), change
