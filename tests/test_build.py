"""The build as a whole: deterministic, atomic, sub-path aware, and the shipped content."""

from __future__ import annotations

import hashlib
from pathlib import Path

from support import FIXTURES, TODAY, parse, run_build


def tree_hash(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_byte_identical(tmp_path: Path, fixture_site: Path):
    out = tmp_path / "again"
    content = FIXTURES / "site" / "content"
    assert run_build("--content", content, "--out", out, "--today", TODAY).returncode == 0
    assert tree_hash(out) == tree_hash(fixture_site)


def test_failed_build_leaves_the_site_as_it_was(tmp_path: Path, make_tree):
    content = make_tree({})
    out = tmp_path / "site"
    assert run_build("--content", content, "--out", out, "--today", TODAY).returncode == 0
    before = tree_hash(out)
    (content / "events" / "tet-pho" / "facts.yaml").write_text("start: 2026-02-30\nvenues: [x]\n")
    result = run_build("--content", content, "--out", out, "--today", TODAY)
    assert result.returncode == 1
    assert "site/ was not changed" in result.stderr
    assert tree_hash(out) == before
    assert not list(tmp_path.glob("site.*"))


def test_base_url_moves_every_link_under_the_sub_path(tmp_path: Path):
    out = tmp_path / "site"
    content = FIXTURES / "site" / "content"
    result = run_build(
        "--content", content, "--out", out, "--today", TODAY,
        "--base-url", "https://example.github.io/hanoi/",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for page in out.rglob("*.html"):
        doc = parse(page)
        for el in doc.iter("a", "link", "script", "img"):
            ref = el.get("href") or el.get("src") or ""
            if ref.startswith("/"):
                assert ref.startswith("/hanoi/"), (page, ref)
            elif ref.startswith("http") and "example.github.io" in ref:
                assert ref.startswith("https://example.github.io/hanoi/"), (page, ref)
    canonical = parse(out / "en/spaces/dinh-kim-ngan/index.html").find(".//link[@rel='canonical']")
    assert canonical.get("href") == "https://example.github.io/hanoi/en/spaces/dinh-kim-ngan/"
    assert (
        "Sitemap: https://example.github.io/hanoi/sitemap.xml" in (out / "robots.txt").read_text()
    )
    assert "https://example.github.io/hanoi/vi/" in (out / "sitemap.xml").read_text()
    assert (
        parse(out / "index.html").find(".//meta[@http-equiv='refresh']").get("content")
        == "0; url=/hanoi/vi/"
    )


def test_shipped_content_builds_every_page_kind(shipped_site: Path):
    spaces = sorted(p.name for p in (Path(__file__).parent.parent / "content" / "spaces").iterdir())
    events = sorted(p.name for p in (Path(__file__).parent.parent / "content" / "events").iterdir())
    assert len(spaces) >= 12 and len(events) >= 8
    for lang in ("vi", "en"):
        for slug in spaces:
            assert (shipped_site / lang / "spaces" / slug / "index.html").is_file()
        for slug in events:
            assert (shipped_site / lang / "events" / slug / "index.html").is_file()
        for page in ("index.html", "spaces/index.html", "events/index.html", "about/index.html"):
            assert (shipped_site / lang / page).is_file()
    for name in (
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "events.ics",
        "vi/feed.xml",
        "en/feed.xml",
    ):
        assert (shipped_site / name).is_file()


def test_check_reports_ok_on_the_shipped_content():
    result = run_build("check", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_build_works_inside_a_running_event_loop(tmp_path: Path):
    """A caller with its own asyncio loop (a preview server, Playwright) can still build:
    the search index is then made on a thread of its own."""
    import asyncio

    import build

    async def inside() -> int:
        content = FIXTURES / "site" / "content"
        return build.main(
            ["--content", str(content), "--out", str(tmp_path / "s"), "--today", TODAY]
        )

    assert asyncio.run(inside()) == 0
    assert (tmp_path / "s" / "pagefind" / "pagefind.js").is_file()
