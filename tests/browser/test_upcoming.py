"""'Upcoming' stays true between builds: assets/upcoming.js moves an event that has ended, by the
browser's clock, from the upcoming list to the past one; without JavaScript the page is as built."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from support import FIXTURES, TODAY, run_build, serve

pytestmark = pytest.mark.browser

# A talk on the evening of 20 January 2026, ten days after the site was built.
TALK = {
    "events/toa-dam/facts.yaml": (
        'start: "2026-01-20 18:00"\nend: "2026-01-20 20:00"\nvenues:\n  - space: dinh-kim-ngan\n'
    ),
    "events/toa-dam/vi.md": "---\ntitle: Toạ đàm Sân đình\nsummary: Một buổi toạ đàm buổi tối "
    "trong sân đình Kim Ngân.\n---\n",
}
DURING = "2026-01-20T19:00:00+07:00"
AFTER = "2026-01-20T20:30:00+07:00"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("upcoming")
    shutil.copytree(FIXTURES / "site" / "content", root / "content")
    for rel, text in TALK.items():
        (root / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / rel).write_text(text, encoding="utf-8")
    out = root / "site"
    result = run_build("--content", root / "content", "--out", out, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    server, url = serve(out)
    yield url
    server.shutdown()


def _open(browser, url: str, clock: str | None, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    if clock:
        page.clock.set_fixed_time(clock)
    page.goto(url)
    page.wait_for_load_state("load")
    page.errors = errors
    return page


def _section_of(page, title: str) -> str:
    """'upcoming', 'past' or 'gone': where the event's link is."""
    return page.evaluate(
        """title => {
            const links = [...document.querySelectorAll('li.event a')];
            const a = links.find(a => a.textContent === title);
            if (!a) return 'gone';
            if (a.closest('[data-upcoming]')) return 'upcoming';
            return a.closest('[data-past]') ? 'past' : '?';
        }""",
        title,
    )


def test_an_event_still_running_stays_upcoming(browser, site):
    page = _open(browser, site + "vi/events/", DURING)
    assert _section_of(page, "Toạ đàm Sân đình") == "upcoming"
    assert page.errors == []
    page.context.close()


def test_an_ended_event_moves_to_the_past_under_its_month(browser, site):
    page = _open(browser, site + "vi/events/", AFTER)
    assert _section_of(page, "Toạ đàm Sân đình") == "past"
    month = page.locator("[data-past] h3.month").first
    assert month.get_attribute("id") == "past-2026-01"
    assert month.text_content() == "Tháng 1 năm 2026"
    # the emptied upcoming month and its link are gone; the past month has one
    assert page.locator("#upcoming-2026-01").count() == 0
    assert page.locator('a.chip[href="#upcoming-2026-01"]').count() == 0
    assert page.locator('[data-past-chips] a.chip[href="#past-2026-01"]').count() == 1
    # the yearly Tết event comes back, so it stays
    assert _section_of(page, "Tết Việt – Tết Phố") == "upcoming"
    assert page.errors == []
    page.context.close()


def test_a_space_page_shows_its_past_events_once_one_has_ended(browser, site):
    page = _open(browser, site + "en/spaces/dinh-kim-ngan/", AFTER)
    assert page.locator("[data-past]").is_visible()
    assert _section_of(page, "Toạ đàm Sân đình") == "past"
    page.context.close()


def test_the_home_page_says_so_when_nothing_is_upcoming_any_more(browser, site):
    before = _open(browser, site + "vi/", DURING)
    assert not before.locator("[data-upcoming-none]").is_visible()
    before.context.close()
    page = _open(browser, site + "vi/", "2040-01-01T00:00:00+07:00")
    assert page.locator("[data-upcoming] li").count() == 0
    assert page.locator("[data-upcoming-none]").is_visible()
    assert page.errors == []
    page.context.close()


def test_without_javascript_the_page_is_as_built(browser, site):
    page = _open(browser, site + "vi/events/", None, javascript=False)
    assert _section_of(page, "Toạ đàm Sân đình") == "upcoming"
    assert page.locator("#upcoming-2026-01").is_visible()
    page.context.close()
