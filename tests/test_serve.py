"""`build.py serve`: rebuild on change, reload script added in flight, never written to disk."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from sitegen import buildcache, pipeline, search, serve
from support import FIXTURES, TODAY, parse


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _wait_for_version(url: str, version: int, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = json.loads(_get(url + serve.STATE_PATH))
        if state["version"] > version:
            return state
        time.sleep(0.05)
    raise AssertionError("no rebuild")


def _script(html: bytes) -> lxml.html.HtmlElement:
    """The preview's script element, the last thing in the body."""
    body = lxml.html.fromstring(html).find("body")
    assert body is not None
    return body[-1]


def test_a_saved_change_is_rebuilt_and_served(preview):
    state, url, content = preview
    page = _get(url + "/en/spaces/dinh-kim-ngan/")
    script = _script(page)
    assert script.tag == "script" and script.get("src") == serve.SCRIPT_PATH
    on_disk = (state.opts.site_dir / "en/spaces/dinh-kim-ngan/index.html").read_bytes()
    assert serve.SCRIPT_PATH.encode() not in on_disk  # the built files stay publishable
    assert script.get("data-page") == serve._digest(on_disk)  # what the page compares
    text = content / "spaces" / "dinh-kim-ngan" / "en.md"
    text.write_text(text.read_text().replace("Kim Ngan Communal House", "Kim Ngân House"))
    started = time.monotonic()
    after = _wait_for_version(url, 1)
    assert after["ok"]
    assert time.monotonic() - started < 10
    served = lxml.html.fromstring(_get(url + "/en/spaces/dinh-kim-ngan/"))
    assert served.find(".//h1").text_content() == "Kim Ngân House"
    _wait_for_index(state)
    path = state.opts.site_dir / "en/spaces/dinh-kim-ngan/index.html"
    assert parse(path).find(".//h1").text_content() == "Kim Ngân House"


def test_the_state_tells_the_digest_of_the_page_asked_for(preview):
    """A page reloads when the digest differs from the one it was served with: its own
    digest while it is unchanged, none for a page that is gone."""
    state, url, _ = preview
    page = _get(url + "/vi/spaces/hoi-quan-quang-dong/")
    asked = json.loads(_get(f"{url}{serve.STATE_PATH}?page=/vi/spaces/hoi-quan-quang-dong/"))
    assert asked["page"] == _script(page).get("data-page")
    assert json.loads(_get(f"{url}{serve.STATE_PATH}?page=/vi/gone/"))["page"] == ""
    assert json.loads(_get(f"{url}{serve.STATE_PATH}?page=/vi/"))["page"] == serve._digest(
        (state.opts.site_dir / "vi/index.html").read_bytes()
    )


def test_a_broken_save_keeps_the_last_site_and_reports(preview):
    _, url, content = preview
    before = _get(url + "/vi/")
    (content / "spaces" / "dinh-kim-ngan" / "facts.yaml").write_text("type: [\n")
    after = _wait_for_version(url, 1)
    assert not after["ok"]
    assert "facts.yaml" in after["problems"] and "YAML" in after["problems"]
    assert _get(url + "/vi/") == before
    assert b"location.reload" in _get(url + serve.SCRIPT_PATH)


def test_the_state_is_answered_once_the_next_build_is_done(preview):
    """The page's script asks for the build after the one it has seen: the answer waits for
    that build, so the page reloads as soon as it is published, not at the next poll."""
    state, url, content = preview
    now = json.loads(_get(url + serve.STATE_PATH))["version"]
    assert json.loads(_get(f"{url}{serve.STATE_PATH}?seen=-1"))["version"] == now
    assert json.loads(state.state(seen=now, wait=0.1))["version"] == now  # nothing yet
    text = content / "spaces" / "dinh-kim-ngan" / "en.md"
    save = threading.Timer(0.3, lambda: text.write_text(text.read_text() + "\nMore.\n"))
    save.start()
    started = time.monotonic()
    after = json.loads(_get(f"{url}{serve.STATE_PATH}?seen={now}"))
    assert after["version"] == now + 1 and after["ok"]
    assert time.monotonic() - started >= 0.3


def _wait_for_index(state: serve.Preview, seconds: float = 60) -> None:
    """Until the build that indexes the search again has published and recorded its inputs."""
    deadline = time.monotonic() + seconds
    while buildcache.read(state.opts.build_cache, state.opts.site_dir).inputs != (
        pipeline._inputs(state.opts)
    ):
        assert time.monotonic() < deadline, "the search index was not made again"
        time.sleep(0.05)


@pytest.fixture
def still(tmp_path: Path) -> Iterator[serve.Preview]:
    """A Preview of a copy of the fixture content, built once, with no watcher: the tests
    take its steps (look at the files, build the whole site) one by one."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    templates = tmp_path / "templates"
    shutil.copytree(pipeline.Options().templates_dir, templates)
    opts = pipeline.Options(
        content_dir=content,
        site_dir=tmp_path / "site",
        templates_dir=templates,
        cache_dir=tmp_path / "images",
        build_cache=tmp_path / "build",
        today=dt.date.fromisoformat(TODAY),
    )
    preview = serve.Preview(opts)
    preview.rebuild()
    assert preview.ok and preview.made is not None
    yield preview
    preview.close()


def test_a_saved_text_is_shown_before_the_site_is_built_again(still):
    """The page of the entry saved is made at once from the content checked again and the
    model of the last build; the whole build that follows makes the same bytes."""
    name = "en/spaces/dinh-kim-ngan/index.html"
    published = still.opts.site_dir / name
    before = published.read_bytes()
    text = still.opts.content_dir / "spaces" / "dinh-kim-ngan" / "en.md"
    text.write_text(text.read_text().replace("Kim Ngan Communal House", "Kim Ngân House"))
    version = still.version
    assert still.look() is not None
    assert still.version == version + 1 and still.ok
    shown = still.page(name)
    assert shown is not None and shown != before and published.read_bytes() == before
    assert lxml.html.fromstring(shown).find(".//h1").text_content() == "Kim Ngân House"
    still.build()
    assert published.read_bytes() == shown  # the whole build agrees
    assert still.overlay == {} and still.ok


def test_a_saved_event_is_shown_at_once_with_its_facts(still):
    name = "vi/events/tet-pho/index.html"
    facts = still.opts.content_dir / "events" / "tet-pho" / "facts.yaml"
    facts.write_text(facts.read_text() + "registration: https://example.vn/dang-ky\n")
    assert still.look() is not None
    shown = still.page(name)
    assert shown is not None
    links = [a.get("href") for a in lxml.html.fromstring(shown).iter("a")]
    assert "https://example.vn/dang-ky" in links
    still.build()
    assert (still.opts.site_dir / name).read_bytes() == shown


def test_pages_shown_at_once_stay_until_a_build_has_read_them(still):
    """A build that started before a save does not take away the page shown for it."""
    text = still.opts.content_dir / "spaces" / "dinh-kim-ngan" / "en.md"
    name = "en/spaces/dinh-kim-ngan/index.html"
    real = still._apart

    def saved_meanwhile(opts: pipeline.Options):  # type: ignore[no-untyped-def]
        running = real(opts)
        if still.overlay == {}:
            text.write_text(text.read_text() + "\nSaved while it built.\n")
            still.look()
        return running

    still._apart = saved_meanwhile  # type: ignore[method-assign]
    text.write_text(text.read_text() + "\nFirst save.\n")
    still.pending.set()  # as the watcher does: the index waits for the next build
    still.build()
    assert b"Saved while it built." in (still.page(name) or b"")
    still._apart = real  # type: ignore[method-assign]
    still.pending.clear()
    still.build()
    assert still.overlay == {}
    assert b"Saved while it built." in (still.opts.site_dir / name).read_bytes()


def test_a_broken_save_is_told_before_the_site_is_built_again(still):
    facts = still.opts.content_dir / "spaces" / "dinh-kim-ngan" / "facts.yaml"
    facts.write_text("type: [\n")
    assert still.look() is not None
    assert not still.ok and "facts.yaml" in still.problems and "YAML" in still.problems
    still.build()
    assert not still.ok and still.overlay == {}


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda c, t: (c / "spaces/dinh-kim-ngan/extra.txt").write_text("x"), id="file-added"
        ),
        pytest.param(lambda c, t: (c / "spaces/dinh-kim-ngan/san-dinh.jpg").touch(), id="photo"),
        pytest.param(lambda c, t: (t / "base.html").touch(), id="template"),
        pytest.param(lambda c, t: (c / "vocabularies.yaml").touch(), id="vocabularies"),
        pytest.param(
            lambda c, t: (c / "spaces/dinh-kim-ngan/.en.md.swp").write_text("x"), id="dot-file"
        ),
    ],
)
def test_other_changes_wait_for_the_whole_build(still, edit):
    """Only an entry's texts and facts are made at once: a photo, a new file, a template or a
    vocabulary can change any page, and is shown once the whole site is built again."""
    time.sleep(0.01)  # a touched file's time differs from the one seen
    edit(still.opts.content_dir, still.opts.templates_dir)
    version = still.version
    assert still.look() is None
    assert still.version == version and still.overlay == {}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_build_without_search_keeps_the_last_index_and_the_next_one_indexes(tmp_path: Path):
    """serve's first build after a save keeps the search index published last; the build
    after it indexes what changed, and the site is then what a clean build makes."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    opts = pipeline.Options(
        content_dir=content,
        site_dir=tmp_path / "site",
        cache_dir=tmp_path / "images",
        build_cache=tmp_path / "build",
        today=dt.date.fromisoformat(TODAY),
    )
    assert pipeline.build(opts).published
    index = opts.site_dir / search.FOLDER
    before = _files(index)
    text = content / "spaces" / "dinh-kim-ngan" / "en.md"
    text.write_text(text.read_text() + "\nA word never seen: quizzical.\n")
    assert pipeline.build(replace(opts, search=False)).published
    assert b"quizzical" in (opts.site_dir / "en/spaces/dinh-kim-ngan/index.html").read_bytes()
    assert _files(index) == before
    assert "unchanged" not in pipeline.build(opts).seconds
    assert _files(index) != before
    clean = replace(opts, site_dir=tmp_path / "clean", build_cache=None)
    assert pipeline.build(clean).published
    assert _files(opts.site_dir) == _files(clean.site_dir)
    assert "unchanged" in pipeline.build(opts).seconds  # nothing left to do


def test_serve_indexes_after_showing_the_change(preview):
    state, url, content = preview
    text = content / "spaces" / "dinh-kim-ngan" / "en.md"
    text.write_text(text.read_text() + "\nA word never seen: quizzical.\n")
    assert _wait_for_version(url, 1)["ok"]
    assert b"quizzical" in _get(url + "/en/spaces/dinh-kim-ngan/")
    _wait_for_index(state)  # the last build records its inputs once published with the index
