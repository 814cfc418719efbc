"""Hostile but valid entries: text that looks like code in every field a member writes.

The build must accept them (they are legal text) and every output must carry them as inert
text for its own context: HTML, JSON-LD, Atom, iCalendar, sitemap. Property tests then feed
random values through the same path.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.etree
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import load, model, output, render, validate
from sitegen.errors import Problems
from sitegen.i18n import Strings
from support import FIXTURES, ROOT, TODAY, parse, run_build

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
    "<!--<script>alert(3)//-->",
    "]]></summary><script>alert(4)</script>",
    "{{ site.urls }} {% raw %}",
    "javascript:alert(5)",
    "a\\b;c,d:e",
    "' onmouseover='alert(6)",
    "<svg/onload=alert(7)>",
    "&lt;script&gt;alert(8)&lt;/script&gt;",
]
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


def _q(text: str) -> str:
    """A YAML double-quoted scalar: the payload arrives exactly as written."""
    return json.dumps(text, ensure_ascii=False)


def _bi(text: str) -> str:
    return f"{{vi: {_q(text)}, en: {_q(text + ' EN')}}}"


def hostile_tree(root: Path, payload: str, body: str) -> Path:
    content = root / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    space = content / "spaces" / "dinh-kim-ngan"
    (space / "facts.yaml").write_text(
        f"""type: heritage-site
fields: [heritage]
ward: hoan-kiem
address: {_q("42 Hàng Bạc " + payload)}
location: {{lat: 21.0343, lon: 105.8529}}
hours_note: {_bi(payload)}
website: {_q("https://example.vn/" + quote(payload))}
social: {{facebook: "https://www.facebook.com/x?q=%22%3E%3Cscript%3E"}}
accessibility: {{step_free_entrance: true, note: {_bi(payload)}}}
entry_fee: {{free: false, price_vnd: 40000, note: {_bi(payload)}}}
network: {{member: true, since: 2025-12-10}}
featured: true
photos:
  - file: san-dinh.jpg
    alt: {_bi(payload)}
    credit: {_q(payload)}
""",
        encoding="utf-8",
    )
    for lang in ("vi", "en"):
        (space / f"{lang}.md").write_text(
            f"---\nname: {_q(payload + ' ' + lang)}\nsummary: {_q('Tóm tắt ' + payload)}\n---\n"
            f"{body}\n",
            encoding="utf-8",
        )
    event = content / "events" / "tet-pho"
    (event / "facts.yaml").write_text(
        f"""start: "2026-02-10 19:30"
end: "2026-02-10 21:00"
venues:
  - space: dinh-kim-ngan
  - place: {_bi(payload)}
organiser: {_bi(payload)}
registration: "https://example.vn/dang-ky?x=%3Cscript%3E"
""",
        encoding="utf-8",
    )
    for lang in ("vi", "en"):
        (event / f"{lang}.md").write_text(
            f"---\ntitle: {_q(payload + ' sự kiện')}\nsummary: {_q('Sự kiện ' + payload)}\n---\n"
            f"{body}\n",
            encoding="utf-8",
        )
    return content


def assert_inert_html(page: Path, base: str = "/") -> None:
    doc = lxml.html.fromstring(page.read_bytes())
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in {"iframe", "object", "embed", "svg", "math", "base"}, page
        if el.tag == "form":  # only our own search form, sending to our own search page
            assert el.get("action", "").startswith(base) and el.get("method", "get") == "get"
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (page, name)
            assert name != "style", page
            if name in ("href", "src", "action", "srcset"):
                for ref in value.split(","):
                    ref = ref.strip().split(" ")[0]
                    scheme = urlsplit(ref).scheme
                    assert not scheme or scheme in SAFE_SCHEMES, (page, ref)
        if el.tag == "script":
            if el.get("type") == "application/ld+json":
                json.loads(el.text)  # well-formed: member text cannot close the block
            else:
                assert el.get("src", "").startswith(base), (page, lxml.html.tostring(el))
                assert not (el.text or "").strip(), page
        if el.tag == "img":
            assert el.get("src", "").startswith((base + "media/", base + "assets/")), page


@pytest.fixture(scope="module", params=range(len(PAYLOADS)), ids=lambda i: f"payload{i}")
def hostile_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    payload = PAYLOADS[request.param]
    root = tmp_path_factory.mktemp("hostile")
    body = "\n\n".join(["## " + payload, payload, f"[link]({payload})", "<script>x()</script>"])
    content = hostile_tree(root, payload, body)
    out = root / "site"
    result = run_build("--content", content, "--out", out, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    return payload, out


def test_every_page_stays_inert(hostile_site):
    _, out = hostile_site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        assert_inert_html(page)


def test_payload_is_shown_as_text(hostile_site):
    payload, out = hostile_site
    for lang in ("vi", "en"):
        doc = parse(out / lang / "spaces" / "dinh-kim-ngan" / "index.html")
        assert doc.find(".//h1").text_content() == f"{payload} {lang}"
        ld = json.loads(doc.find(".//script[@type='application/ld+json']").text)
        assert ld["name"] == f"{payload} {lang}"
        assert f"42 Hàng Bạc {payload}" in doc.find(".//aside").text_content()
        img = doc.find(".//figure//img")
        assert img.get("alt") == (payload if lang == "vi" else payload + " EN")
        event = parse(out / lang / "events" / "tet-pho" / "index.html")
        assert event.find(".//h1").text_content() == f"{payload} sự kiện"


def test_feeds_stay_well_formed(hostile_site):
    payload, out = hostile_site
    for lang in ("vi", "en"):
        feed = lxml.etree.parse(str(out / lang / "feed.xml"))  # raises on broken XML
        titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
        assert any(t and payload in t for t in titles)
    lxml.etree.parse(str(out / "sitemap.xml"))
    raw = (out / "events.ics").read_bytes().decode()
    lines = raw.replace("\r\n ", "").split("\r\n")
    assert all(not line or ":" in line for line in lines)  # no injected line breaks
    names = {line.split(":", 1)[0].split(";")[0] for line in lines if line}
    assert names <= {
        "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME",
        "X-WR-TIMEZONE", "TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "UID",
        "DTSTAMP", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "RRULE", "STATUS",
    }  # fmt: skip


# --- property tests: random text in the fields that reach pages -----------------------------

SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), min_size=1
).map(str.strip)


def _render(content: Path, out: Path) -> Path:
    """load -> validate -> model -> render, as the build does, without images or search."""
    problems = Problems()
    valid = validate.entries(load.content(content, problems), problems)
    assert not problems.fail(strict=False), [p.message.en for p in problems.errors()]
    strings = Strings.load(ROOT / "templates" / "i18n")
    urls = model.Urls("https://sangtao.hanoi.gov.vn", "/", "owner/repo")
    site = model.build(valid, strings, urls, dt.date.fromisoformat(TODAY))
    with output.staging(out) as stage:
        render.pages(site, stage, ROOT / "templates", ROOT / "assets", problems)
        assert not problems.fail(strict=False)
        stage.publish()
    return out


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=SAFE_TEXT.filter(lambda s: 2 <= len(s) <= 120),
    body=st.lists(st.one_of(st.text(max_size=60), st.sampled_from(PAYLOADS)), max_size=5),
)
def test_random_names_and_bodies_never_reach_the_page_as_markup(tmp_path_factory, name, body):
    root = tmp_path_factory.mktemp("prop")
    content = hostile_tree(root, name, "\n\n".join(body))
    out = _render(content, root / "site")
    for page in (out / "vi" / "spaces" / "dinh-kim-ngan" / "index.html", out / "en" / "index.html"):
        assert_inert_html(page)
    doc = parse(out / "vi" / "spaces" / "dinh-kim-ngan" / "index.html")
    assert doc.find(".//h1").text_content() == f"{name} vi"
