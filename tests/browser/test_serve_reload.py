"""The preview reloads the open page after a save, in a real browser."""

from __future__ import annotations

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
