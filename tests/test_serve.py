"""`build.py serve`: rebuild on change, reload script added in flight, never written to disk."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

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


def test_a_saved_change_is_rebuilt_and_served(preview):
    state, url, content = preview
    page = _get(url + "/en/spaces/dinh-kim-ngan/")
    assert f'<script src="{serve.SCRIPT_PATH}"></script></body>'.encode() in page
    on_disk = (state.opts.site_dir / "en/spaces/dinh-kim-ngan/index.html").read_bytes()
    assert serve.SCRIPT_PATH.encode() not in on_disk  # the built files stay publishable
    text = content / "spaces" / "dinh-kim-ngan" / "en.md"
    text.write_text(text.read_text().replace("Kim Ngan Communal House", "Kim Ngân House"))
    started = time.monotonic()
    after = _wait_for_version(url, 1)
    assert after["ok"]
    assert time.monotonic() - started < 10
    path = state.opts.site_dir / "en/spaces/dinh-kim-ngan/index.html"
    assert parse(path).find(".//h1").text_content() == "Kim Ngân House"


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
    deadline = time.monotonic() + 60
    while buildcache.read(state.opts.build_cache, state.opts.site_dir).inputs != (
        pipeline._inputs(state.opts)
    ):  # the second build records its inputs once published with the index
        assert time.monotonic() < deadline, "the search index was not made again"
        time.sleep(0.05)
