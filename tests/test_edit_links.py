"""Links from the site back to its sources: 'Edit this page' on every space and event, the
contribution guide in the footer, and the end of each event for assets/upcoming.js."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
import yaml

from sitegen.pipeline import ROOT, Options
from support import parse

REPO = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hanoi-creative-spaces"][
    "repository"
]
GITHUB = f"https://github.com/{REPO}"


def test_the_repository_is_one_setting():
    assert Options().repository == REPO
    config = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "config.yml").read_text())
    assert config["contact_links"][0]["url"] == f"{GITHUB}/blob/main/CONTRIBUTING.md"


@pytest.mark.parametrize(
    ("page", "href", "label"),
    [
        (
            "vi/spaces/dinh-kim-ngan",
            f"{GITHUB}/edit/main/content/spaces/dinh-kim-ngan/vi.md",
            "Sửa trang này trên GitHub",
        ),
        (
            "en/spaces/dinh-kim-ngan",
            f"{GITHUB}/edit/main/content/spaces/dinh-kim-ngan/en.md",
            "Edit this page on GitHub",
        ),
        (
            "en/events/photo-hanoi-2025",
            f"{GITHUB}/edit/main/content/events/photo-hanoi-2025/en.md",
            "Edit this page on GitHub",
        ),
        # no English text yet: the link starts the file
        (
            "en/spaces/hoi-quan-quang-dong",
            f"{GITHUB}/new/main/content/spaces/hoi-quan-quang-dong?filename=en.md",
            "Write the English text on GitHub",
        ),
    ],
)
def test_each_entry_page_links_to_its_own_file_in_githubs_editor(
    fixture_site: Path, page: str, href: str, label: str
):
    (link,) = parse(fixture_site / page / "index.html").findall(".//p[@class='wrap edit']/a")
    assert (link.get("href"), link.text_content()) == (href, label)


def test_every_entry_page_has_an_edit_link_and_no_other_page_does(fixture_site: Path):
    for path in sorted(fixture_site.glob("*/**/index.html")):
        parts = path.relative_to(fixture_site).parts
        is_entry = len(parts) == 4 and parts[1] in ("spaces", "events")
        links = parse(path).findall(".//p[@class='wrap edit']/a")
        assert len(links) == (1 if is_entry else 0), path


def test_the_footer_leads_to_the_contribution_guide(fixture_site: Path):
    for page in (
        "vi/index.html",
        "en/about/index.html",
        "en/spaces/hoi-quan-quang-dong/index.html",
    ):
        footer = parse(fixture_site / page).find(".//footer")
        hrefs = [a.get("href") for a in footer.iter("a")]
        assert f"{GITHUB}/blob/main/CONTRIBUTING.md" in hrefs, page


def test_every_event_item_says_when_it_is_over(fixture_site: Path):
    items = parse(fixture_site / "en/events/index.html").findall(".//li[@class='event']")
    ends = {li.find(".//a").text_content(): li.get("data-end") for li in items}
    assert ends == {
        "Photo Hanoi'25": "2025-06-03T23:59:59+07:00",  # the whole last day
        # the last Tết the calendar knows, at its end time
        "Vietnam Tet – Street Tet": "2035-02-10T21:00:00+07:00",
    }
    for end in ends.values():
        assert dt.datetime.fromisoformat(end).utcoffset() == dt.timedelta(hours=7)


def test_the_script_loads_deferred_only_where_events_are_listed(fixture_site: Path):
    def scripts(page: str) -> list[tuple[str, str | None]]:
        found = parse(fixture_site / page).findall(".//script[@src]")
        return [(s.get("src"), s.get("defer")) for s in found if "upcoming" in s.get("src")]

    for page in ("vi/index.html", "en/events/index.html", "vi/spaces/dinh-kim-ngan/index.html"):
        ((src, defer),) = scripts(page)
        assert src.startswith("/assets/upcoming.") and defer is not None
    for page in ("vi/about/index.html", "vi/spaces/index.html", "vi/events/tet-pho/index.html"):
        assert scripts(page) == [], page
