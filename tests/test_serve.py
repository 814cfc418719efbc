"""`build.py serve`: rebuild on change, reload script added in flight, never written to disk."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

from sitegen import serve
from support import parse


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
