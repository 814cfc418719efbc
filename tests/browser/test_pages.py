"""The shipped site in a real browser: language switch, no third-party requests, no sideways
scrolling at 320 px, keyboard focus."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_root_picks_the_language_from_the_browser(browser, served):
    for locale, expected in (("en-GB", "/en/"), ("vi-VN", "/vi/"), ("fr-FR", "/en/")):
        context = browser.new_context(locale=locale)
        page = context.new_page()
        page.goto(served)
        page.wait_for_url(f"**{expected}")
        assert page.evaluate("document.documentElement.lang") == expected.strip("/")
        context.close()


def test_language_switch_leads_to_the_same_page(page, served):
    page.goto(served + "vi/spaces/")
    first = page.locator(".card__link").first
    first.click()
    vi_url = page.url
    assert "/vi/spaces/" in vi_url
    page.locator("a.langswitch").click()
    assert page.url == vi_url.replace("/vi/", "/en/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("a.langswitch").click()
    assert page.url == vi_url


def test_no_request_leaves_the_site(page, served):
    for path in ("vi/", "en/spaces/", "vi/events/", "en/about/"):
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
    assert page.requests
    assert all(r.startswith(served.rstrip("/")) for r in page.requests), page.requests


@pytest.mark.parametrize("path", ["vi/", "vi/spaces/", "en/events/", "vi/about/"])
def test_no_horizontal_scrolling_at_320_px(browser, served, path):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(served + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0


def test_keyboard_reaches_skip_link_then_main(page, served):
    page.goto(served + "vi/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).top") == "0px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_work_without_javascript(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served)
    page.wait_for_url("**/vi/")  # the meta refresh alone
    page.locator("a.langswitch").click()
    assert page.url.endswith("/en/")
    context.close()
