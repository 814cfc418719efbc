import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import markup
from sitegen.buildcache import Recall
from sitegen.markup import MarkupError, sanitize, to_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "<a href='data:text/html,<script>alert(1)</script>'>d</a>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
    '<p style="position:fixed">x</p>',
    "<svg onload=alert(1)>",
    "<object data=x></object>",
    "<form action=https://evil.example><input></form>",
    '<a href="vbscript:msgbox(1)">v</a>',
    "<math><mi xlink:href=javascript:alert(1)>m</mi></math>",
    "<div onclick=alert(1)>c</div>",
    "<base href=https://evil.example>",
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    "![x](https://tracker.example/pixel.gif)",
]
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def assert_safe(html: str) -> None:
    if not html.strip():
        return
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in {
            "script", "iframe", "style", "object", "embed", "svg", "math", "form", "input",
            "img", "base", "meta", "link",
        }, el.tag  # fmt: skip
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), name
            assert name != "style"
            if name in ("href", "src", "action", "xlink:href"):
                assert value.startswith(SAFE_SCHEMES), value


def test_markdown_renders_and_shifts_headings():
    html = to_html("# Title\n\nSome **bold** and [a link](https://hanoi.gov.vn).\n\n## Sub")
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert [h.tag for h in root.iter("h1", "h2", "h3")] == ["h2", "h3"]
    link = root.find(".//a")
    assert link.get("href") == "https://hanoi.gov.vn"
    assert "noopener" in link.get("rel")
    assert root.find(".//strong").text == "bold"


def test_headings_start_at_the_level_asked():
    root = lxml.html.fragment_fromstring(
        to_html("## A\n\n### B", top_heading=3), create_parent="div"
    )
    assert [h.tag for h in root.iter("h2", "h3", "h4")] == ["h3", "h4"]


def test_each_hostile_fragment_is_neutralised():
    for fragment in HOSTILE:
        assert_safe(to_html(fragment))
        assert_safe(to_html(f"Text before\n\n{fragment}\n\ntext after"))


def test_deep_nesting_does_not_crash_the_build():
    try:
        html = to_html(">" * 5000 + " deep")
    except MarkupError:
        return
    assert_safe(html)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE)), max_size=6))
def test_random_markdown_never_yields_script_or_dangerous_urls(parts):
    html = to_html("\n".join(parts))
    assert_safe(html)
    assert sanitize(html) == html  # a fixed point: nothing left for the sanitizer to remove


def test_texts_converted_ahead_on_other_cores_are_what_one_process_makes():
    texts = [
        f"# Tiêu đề {n}\n\nĐoạn **{n}** với [liên kết](https://example.vn/{n}).\n"
        for n in range(250)
    ]
    deep = "- " * 3000 + "sâu"  # lists nested past Python-Markdown's recursion
    memo: Recall[str, str] = Recall({})
    with markup.remembering(memo, workers=2):
        assert markup.convert_ahead([*texts, deep, texts[0]], 3) == 251
        ahead = [to_html(text, 3) for text in texts]
        with pytest.raises(MarkupError):  # failed in a worker: converted here, and reported
            to_html(deep)
    assert ahead == [to_html(text, 3) for text in texts]  # no memo: converted here
    assert len(memo.now) == 250
    with markup.remembering(Recall(memo.now), workers=2):
        assert markup.convert_ahead(texts, 3) == 0  # all known
        assert markup.convert_ahead(["new"] * 300, 3) == 0  # too few to start a pool
    with markup.remembering(Recall({})):
        assert markup.convert_ahead(texts, 3) == 0  # one worker: converted as they come
