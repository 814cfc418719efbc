"""Serve a built site on localhost and drive Debian's Chromium through Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import TODAY, serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    # The sites under test are built as of TODAY; the browser's clock agrees, or
    # assets/upcoming.js would move events that ended since then.
    page.clock.set_fixed_time(f"{TODAY}T12:00:00+07:00")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.requests = requests
    yield page
    context.close()


@pytest.fixture(scope="session")
def served(shipped_site: Path) -> Iterator[str]:
    server, url = serve(shipped_site)
    yield url
    server.shutdown()
