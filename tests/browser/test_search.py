"""Search in headless Chromium against built sites: the query set over the shipped content with
Pagefind's own JavaScript, then the search page as a visitor uses it (typing, filters, sort, the
keyboard, both languages, no JavaScript), a fixture site served under a sub-path, and the shipped
content with its index in shards."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from sitegen import pipeline, search
from support import FIXTURES, ROOT, TODAY, parse, run_build, serve

pytestmark = pytest.mark.browser
STRINGS = {
    lang: yaml.safe_load((ROOT / "templates" / "i18n" / f"{lang}.yaml").read_text("utf-8"))[
        "search"
    ]
    for lang in ("vi", "en")
}

# (language, query, the page expected in the top three, or None when nothing may match)
QUERIES = [
    # toned, as typed with a Vietnamese keyboard
    ("vi", "Bảo tàng Phụ nữ Việt Nam", "spaces/bao-tang-phu-nu-viet-nam"),
    ("vi", "Đình Kim Ngân", "spaces/dinh-kim-ngan"),
    ("vi", "Hội quán Quảng Đông", "spaces/hoi-quan-quang-dong"),
    ("vi", "hàng buồm", "spaces/hoi-quan-quang-dong"),
    ("vi", "Văn Miếu", "spaces/van-mieu-quoc-tu-giam"),
    ("vi", "công viên Thống Nhất", "spaces/cong-vien-thong-nhat"),
    ("vi", "Bảo tàng Mỹ thuật", "spaces/bao-tang-my-thuat-viet-nam"),
    ("vi", "Tết Việt Tết Phố", "events/tet-viet-tet-pho"),
    # without tone marks, as typed on a phone
    ("vi", "bao tang phu nu", "spaces/bao-tang-phu-nu-viet-nam"),
    ("vi", "hang buom", "spaces/hoi-quan-quang-dong"),
    ("vi", "bao tang ha noi", "spaces/bao-tang-ha-noi"),
    ("vi", "van mieu quoc tu giam", "spaces/van-mieu-quoc-tu-giam"),
    ("vi", "cung thieu nhi", "spaces/cung-thieu-nhi-ha-noi"),
    ("vi", "42 hang bac", "spaces/dinh-kim-ngan"),
    ("vi", "le hoi thiet ke sang tao", "events/le-hoi-thiet-ke-sang-tao-ha-noi-2024"),
    ("vi", "am nhac cuoi tuan", "events/am-nhac-cuoi-tuan"),
    ("vi", "tasco mall", "spaces/tasco-mall"),
    ("vi", "lotte", "spaces/lotte-mall"),
    ("vi", "nhau studio", "spaces/nhau-studio"),
    # đ typed as d
    ("vi", "dinh kim ngan", "spaces/dinh-kim-ngan"),
    ("vi", "hoi quan quang dong", "spaces/hoi-quan-quang-dong"),
    ("vi", "truong dai hoc my thuat cong nghiep", "spaces/truong-dai-hoc-my-thuat-cong-nghiep"),
    ("vi", "pho di bo ho hoan kiem", "spaces/pho-di-bo-ho-hoan-kiem"),
    ("vi", "trung tam dieu phoi", "events/ra-mat-trung-tam-dieu-phoi-2024"),
    # partial words, as results appear while typing
    ("vi", "bảo tàng phụ n", "spaces/bao-tang-phu-nu-viet-nam"),
    ("vi", "dinh kim ng", "spaces/dinh-kim-ngan"),
    ("vi", "tasc", "spaces/tasco-mall"),
    ("en", "cantonese assem", "spaces/hoi-quan-quang-dong"),
    # English
    ("en", "women's museum", "spaces/bao-tang-phu-nu-viet-nam"),
    ("en", "communal house", "spaces/dinh-kim-ngan"),
    ("en", "temple of literature", "spaces/van-mieu-quoc-tu-giam"),
    ("en", "fine arts museum", "spaces/bao-tang-my-thuat-viet-nam"),
    ("en", "children's palace", "spaces/cung-thieu-nhi-ha-noi"),
    ("en", "photography biennale", "events/photo-hanoi-2025"),
    ("en", "street tet", "events/tet-viet-tet-pho"),
    ("en", "industrial fine arts university", "spaces/truong-dai-hoc-my-thuat-cong-nghiep"),
    # Vietnamese words on the English site, with and without marks
    ("en", "hang buom", "spaces/hoi-quan-quang-dong"),
    ("en", "Hàng Bạc", "spaces/dinh-kim-ngan"),
    # nothing to find
    ("vi", "zqxjv", None),
    ("en", "kangaroo", None),
]
TOP = 3
HIT_RATE = 0.95

RUN_QUERIES = """async ([module, queries, top]) => {
  const pagefind = await import(module);
  await pagefind.init();
  const found = [];
  for (const query of queries) {
    const search = await pagefind.search(query);
    const pages = await Promise.all(search.results.slice(0, top).map((r) => r.data()));
    found.push({count: search.results.length, urls: pages.map((p) => p.url)});
  }
  return found;
}"""


def test_query_set_finds_the_expected_page_in_the_top_three(page, served):
    misses, answers = [], {}
    for lang in ("vi", "en"):
        page.goto(f"{served}{lang}/search/")
        queries = [q for q in QUERIES if q[0] == lang]
        found = page.evaluate(RUN_QUERIES, ["/pagefind/pagefind.js", [q[1] for q in queries], TOP])
        answers.update({q: f for q, f in zip(queries, found, strict=True)})
    for (lang, query, expected), result in answers.items():
        ok = result["count"] == 0 if expected is None else f"/{lang}/{expected}/" in result["urls"]
        if not ok:
            misses.append(f"{lang} {query!r}: {result['count']} results, top {result['urls']}")
    rate = 1 - len(misses) / len(QUERIES)
    print(f"query set: {len(QUERIES) - len(misses)}/{len(QUERIES)} = {rate:.1%} in the top {TOP}")
    assert len(QUERIES) >= 30
    assert rate >= HIT_RATE, "\n".join(misses)


# --- the search page --------------------------------------------------------------------------


def results(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every result's path, pressing 'more' until all are shown."""
    more = page.locator(".search__more")
    while more.is_visible():
        count = page.locator(".result").count()
        more.click()
        expect(page.locator(".result").nth(count)).to_be_attached()
    return page.locator(".result__link").evaluate_all("links => links.map(a => a.pathname)")


def wait_for_results(page) -> None:  # type: ignore[no-untyped-def]
    """Until the status announces the outcome (not empty, not 'loading…')."""
    expect(page.locator(".search__status")).to_have_text(re.compile(r"^[^…]+$"))


def test_the_index_is_fetched_only_when_search_is_used(page, served):
    for path in ("vi/", "vi/spaces/dinh-kim-ngan/", "en/search/"):
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
    assert not [r for r in page.requests if "/pagefind/" in r]
    with page.expect_request(re.compile(r"/pagefind/pagefind\.js$")):
        page.locator("#search-q").focus()


def test_results_appear_as_the_visitor_types_without_tone_marks(page, served):
    page.goto(served + "vi/search/")
    page.locator("#search-q").press_sequentially("dinh kim ngan", delay=30)
    # results for the first letters show while typing: wait for those of the whole query
    page.wait_for_url("**/vi/search/?q=dinh+kim+ngan")
    first = page.locator(".result").first
    expect(first.locator(".result__title")).to_have_text("Đình Kim Ngân")
    assert first.locator(".result__kicker").text_content() == "Di tích · Hoàn Kiếm"
    assert first.locator(".result__text").text_content()
    assert first.locator(".result__thumb").count() == 1
    assert first.locator("a").get_attribute("href") == "/vi/spaces/dinh-kim-ngan/"
    assert re.fullmatch(r"\d+ kết quả", page.locator(".search__status").text_content())
    assert page.url.endswith("/vi/search/?q=dinh+kim+ngan")


def test_english_page_speaks_english_and_finds_english_words(page, served):
    page.goto(served + "en/search/?q=women%27s+museum")
    wait_for_results(page)
    first = page.locator(".result").first
    assert first.locator("a").get_attribute("href") == "/en/spaces/bao-tang-phu-nu-viet-nam/"
    assert first.locator(".result__kicker").text_content().startswith("Museum")
    assert re.fullmatch(r"\d+ results?", page.locator(".search__status").text_content())
    assert page.locator("label[for=search-q]").text_content() == STRINGS["en"]["label"]


def test_nothing_found_says_so(page, served):
    for lang in ("vi", "en"):
        page.goto(f"{served}{lang}/search/")
        page.locator("#search-q").fill("zqxjv")
        expect(page.locator(".search__status")).to_have_text(STRINGS[lang]["none"])
        assert page.locator(".result").count() == 0
        assert page.locator(".search__results").is_hidden()


def filed_under(site: Path, lang: str, name: str, value: str) -> set[str]:
    """The pages of a language whose HTML files them under a filter value."""
    found = set()
    for path in (site / lang).rglob("index.html"):
        doc = parse(path)
        if any(
            el.text_content() == value for el in doc.xpath(f"//*[@data-pagefind-filter='{name}']")
        ):
            found.add("/" + path.parent.relative_to(site).as_posix() + "/")
    return found


@pytest.mark.parametrize("name", ["kind", "type", "field", "ward", "month"])
def test_each_filter_shows_exactly_the_pages_filed_under_it(page, served, shipped_site, name):
    page.goto(served + "vi/search/")
    page.locator("summary").click()
    select = page.locator(f"#search-{name}")
    value = select.locator("option").nth(2).get_attribute("value")  # not "any", not the first
    select.select_option(value)
    wait_for_results(page)
    expected = filed_under(shipped_site, "vi", name, value)
    assert expected
    assert sorted(results(page)) == sorted(expected)
    assert f"{name}={value}" in page.url


def test_sorting_by_name_follows_vietnamese_alphabetical_order(page, served):
    page.goto(served + "vi/spaces/")
    listed = page.locator(".card__link").evaluate_all("links => links.map(a => a.pathname)")
    page.goto(served + "vi/search/?kind=space&sort=name")
    wait_for_results(page)
    assert results(page) == listed


def test_sorting_by_date_lists_events_as_the_events_page_does(page, served):
    page.goto(served + "vi/events/")
    listed = page.locator(":is(#upcoming-title, #past-title) ~ ul .event__title a").evaluate_all(
        "links => links.map(a => a.pathname)"
    )
    page.goto(served + "vi/search/?kind=event&sort=date")
    wait_for_results(page)
    assert results(page) == listed


def test_search_works_with_the_keyboard_alone(page, served):
    page.goto(served + "vi/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "searchbox-q":
            break
    else:
        pytest.fail("Tab never reached the header search box")
    page.keyboard.type("van mieu")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vi/search/?q=van+mieu")
    wait_for_results(page)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.className") == "result__link":
            break
    else:
        pytest.fail("Tab never reached a result")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vi/spaces/van-mieu-quoc-tu-giam/")


def test_without_javascript_the_page_says_so_and_offers_the_listings(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served + "vi/search/")
    note = page.locator("noscript p")  # Playwright's text search skips <noscript>
    assert note.text_content() == STRINGS["vi"]["nojs"] and note.is_visible()
    assert page.locator("#search-q").is_hidden()
    links = page.locator("nav[aria-labelledby=browse-title] a")
    assert links.count() > 2 and links.first.is_visible()
    context.close()


def test_search_breaks_no_content_security_policy(page, served):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served + "en/search/?q=museum")
    wait_for_results(page)
    assert page.locator(".result").count() > 0
    assert errors == []


# --- a site under a sub-path, with a page in one language only --------------------------------

TEXT = "---\nname: {}\nsummary: {} in the test site.\n---\n{}\n"
EXTRA = {
    "spaces/bao-tang-nho/facts.yaml": "type: museum\nfields: [heritage]\nward: hoan-kiem\n"
    "accessibility: {step_free_entrance: true}\nentry_fee: {free: true}\n",
    "spaces/bao-tang-nho/vi.md": TEXT.format("Bảo tàng Nhỏ", "Bảo tàng nhỏ", "Bảo tàng."),
    "spaces/bao-tang-nho/en.md": TEXT.format("Small Museum", "A small museum", "Museum."),
    "spaces/bao-tang-cafe/facts.yaml": "type: cafe\nfields: [design]\nward: hoan-kiem\n",
    # more often than the museum, toneless: ranks first for "bao tang", not for "bảo tàng"
    "spaces/bao-tang-cafe/vi.md": TEXT.format("Bao Tang Café", "Bao Tang", "Bao tang, bao tang."),
    "spaces/bao-tang-cafe/en.md": TEXT.format("Bao Tang Café", "A café", "Coffee."),
}


@pytest.fixture(scope="module")
def under_sub_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture content plus two spaces, built for /hanoi/ and served there."""
    root = tmp_path_factory.mktemp("subpath")
    content = root / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    for rel, text in EXTRA.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    out = root / "site"
    result = run_build(
        "--content", content, "--out", out, "--today", TODAY, "--base-url", "/hanoi/"
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    server, url = serve(out, "/hanoi/")
    yield url
    server.shutdown()


def test_under_a_sub_path_results_photos_and_requests_stay_under_it(page, under_sub_path):
    assert under_sub_path.endswith("/hanoi/")
    page.goto(under_sub_path + "vi/spaces/dinh-kim-ngan/")
    page.locator("#searchbox-q").fill("dinh kim ngan")
    page.locator("#searchbox-q").press("Enter")
    page.wait_for_url("**/hanoi/vi/search/?q=dinh+kim+ngan")
    wait_for_results(page)
    first = page.locator(".result").first
    assert first.locator("a").get_attribute("href") == "/hanoi/vi/spaces/dinh-kim-ngan/"
    thumb = first.locator("img.result__thumb")
    assert thumb.get_attribute("src").startswith("/hanoi/media/")
    assert thumb.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    first.locator("a").click()
    page.wait_for_url("**/hanoi/vi/spaces/dinh-kim-ngan/")
    assert page.requests and all(r.startswith(under_sub_path) for r in page.requests)


def test_exact_tone_marks_rank_first(page, under_sub_path):
    page.goto(under_sub_path + "vi/search/?q=b%E1%BA%A3o+t%C3%A0ng")  # bảo tàng
    wait_for_results(page)
    assert page.locator(".result__title").first.text_content() == "Bảo tàng Nhỏ"
    page.goto(under_sub_path + "vi/search/?q=bao+tang")
    wait_for_results(page)
    assert page.locator(".result__title").first.text_content() == "Bao Tang Café"


@pytest.mark.parametrize("name", ["free", "step_free"])
def test_the_yes_filters(page, under_sub_path, name):
    expected = {
        "free": ["events/tet-pho", "spaces/bao-tang-nho", "spaces/dinh-kim-ngan"],
        "step_free": ["spaces/bao-tang-nho"],
    }
    page.goto(under_sub_path + "vi/search/")
    page.locator("summary").click()
    page.locator(f"#search-{name}").check()
    wait_for_results(page)
    assert sorted(results(page)) == [f"/hanoi/vi/{rel}/" for rel in expected[name]]


def test_a_page_without_its_translation_is_found_in_the_text_it_shows(page, under_sub_path):
    """The English page of a space written only in Vietnamese is found from the English search,
    by its Vietnamese words, with or without marks, and says which language its text is in."""
    for query in ("hoi quan quang dong", "Hội quán"):
        page.goto(under_sub_path + "en/search/")
        page.locator("#search-q").fill(query)
        first = page.locator(".result").first
        first.wait_for()
        assert first.locator("a").get_attribute("href") == "/hanoi/en/spaces/hoi-quan-quang-dong/"
        assert first.locator(".result__title").get_attribute("lang") == "vi"


# --- an index in shards, as a large site's is (sitegen/search.py) -----------------------------
# The shipped content built with shards of ten pages must find what the whole index finds,
# filter the same pages and sort across shards as the listings do.


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("sharded")
    opts = pipeline.Options(
        content_dir=ROOT / "content",
        site_dir=root / "site",
        cache_dir=root / "images",
        today=dt.date.fromisoformat(TODAY),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 10)
        report = pipeline.build(opts)
    assert report.published, report.problems.items
    server, url = serve(opts.site_dir)
    yield opts.site_dir, url
    server.shutdown()


def found(page, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.goto(url)
    wait_for_results(page)
    return results(page)


def test_the_index_is_in_shards_and_each_shard_has_both_languages(sharded):
    site, _ = sharded
    folder = site / search.FOLDER
    shards = ["", *json.loads((folder / search.SHARDS).read_text("utf-8"))]
    assert len(shards) >= 4
    for shard in shards:
        entry = json.loads((folder / shard / "pagefind-entry.json").read_text("utf-8"))
        assert sorted(entry["languages"]) == ["en", "vi"]
    assert search.index_size(site).pages == sum(
        1 for p in site.rglob("index.html") if b"data-pagefind-body" in p.read_bytes()
    )


def test_the_query_set_finds_through_the_shards(page, sharded):
    _, url = sharded
    misses = []
    for lang, query, expected in QUERIES:
        page.goto(f"{url}{lang}/search/")
        page.locator("#search-q").fill(query)
        page.locator("#search-q").press("Enter")
        wait_for_results(page)
        top = page.locator(".result__link").evaluate_all("a => a.map(x => x.pathname)")[:TOP]
        count = page.locator(".result").count()
        ok = count == 0 if expected is None else f"/{lang}/{expected}/" in top
        if not ok:
            misses.append(f"{lang} {query!r}: {top}")
    assert len(misses) <= len(QUERIES) // 20, misses


@pytest.mark.parametrize("query", ["q=bao+tang", "q=ha+noi", "q=hoan+kiem"])
def test_the_shards_find_what_the_whole_index_finds(page, sharded, served, query):
    """Every page, and the best first. A small shard without a query's word widens it to the
    words it starts (Pagefind's own fallback), so the shards may find a page more."""
    _, url = sharded
    for lang in ("vi", "en"):
        whole = found(page, f"{served}{lang}/search/?{query}")
        shards = found(page, f"{url}{lang}/search/?{query}")
        assert whole
        assert set(whole) <= set(shards)
        assert whole[0] in shards[:TOP]


@pytest.mark.parametrize("name", ["kind", "type", "ward"])
def test_a_filter_shows_the_pages_filed_under_it_in_every_shard(page, sharded, name):
    site, url = sharded
    page.goto(url + "vi/search/")
    page.locator("summary").click()
    select = page.locator(f"#search-{name}")
    select.select_option(select.locator("option").nth(1).get_attribute("value"))
    wait_for_results(page)
    value = select.input_value()
    assert sorted(results(page)) == sorted(filed_under(site, "vi", name, value))


def test_sorting_by_name_spans_the_shards(page, sharded):
    _, url = sharded
    for lang in ("vi", "en"):
        page.goto(f"{url}{lang}/spaces/")
        listed = page.locator(".card__link").evaluate_all("links => links.map(a => a.pathname)")
        assert found(page, f"{url}{lang}/search/?kind=space&sort=name") == listed


def test_sorting_by_date_spans_the_shards(page, sharded):
    _, url = sharded
    page.goto(url + "vi/events/")
    listed = page.locator(":is(#upcoming-title, #past-title) ~ ul .event__title a").evaluate_all(
        "links => links.map(a => a.pathname)"
    )
    assert found(page, url + "vi/search/?kind=event&sort=date") == listed
    assert found(page, url + "vi/search/?q=ha+noi&kind=event&sort=date") == [
        path for path in listed if path in found(page, url + "vi/search/?q=ha+noi&kind=event")
    ]
