"""The preview reloads the open page after a save, in a real browser."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_open_page_reloads_after_a_save(page, preview):
    _, url, content = preview
    page.goto(url + "/en/spaces/dinh-kim-ngan/")
    expect(page.locator("h1")).to_have_text("Kim Ngan Communal House")
    text = content / "spaces" / "dinh-kim-ngan" / "en.md"
    text.write_text(text.read_text().replace("Kim Ngan Communal House", "Kim Ngân House"))
    expect(page.locator("h1")).to_have_text("Kim Ngân House", timeout=15_000)
    # a broken save shows the problems over the page instead of reloading
    (content / "spaces" / "dinh-kim-ngan" / "facts.yaml").write_text("type: [\n")
    expect(page.locator("#preview-problems")).to_contain_text("YAML", timeout=15_000)


def test_a_page_a_save_leaves_unchanged_is_not_reloaded(page, preview):
    """A save elsewhere leaves the open page alone (scrolled where the reader was); a save
    of its own entry reloads it."""
    state, url, content = preview
    page.goto(url + "/vi/spaces/hoi-quan-quang-dong/")
    page.evaluate("window.stillHere = true")
    other = content / "spaces" / "dinh-kim-ngan" / "en.md"
    other.write_text(other.read_text() + "\nA line only its own page shows.\n")
    told = state.version + 2  # its page made at once, then the whole site
    deadline = time.monotonic() + 30
    while state.version < told:
        assert time.monotonic() < deadline, "no rebuild"
        time.sleep(0.05)
    page.wait_for_timeout(500)  # the page's pending request is answered by now
    assert page.evaluate("window.stillHere === true")
    own = content / "spaces" / "hoi-quan-quang-dong" / "vi.md"
    own.write_text(own.read_text() + "\nMột dòng của riêng nó.\n")
    expect(page.locator("main")).to_contain_text("Một dòng của riêng nó.", timeout=15_000)
    assert page.evaluate("window.stillHere === undefined")
