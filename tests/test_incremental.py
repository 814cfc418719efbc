"""Incremental builds: after each kind of change, the rebuilt site is byte for byte the site a
clean build of the same content writes, and the rebuild made only part of it again."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from support import FIXTURES, ROOT, TODAY, run_build

SPACE = "spaces/dinh-kim-ngan"


def tree(root: Path) -> dict[str, str]:
    """Every file by its hash, and every folder (a rebuild stages into the last site's)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "folder"
        for p in sorted(root.rglob("*"))
    }


def build(project: Path) -> dict[str, int]:
    """Build project/content with project/templates into project/site; the summary's counts."""
    return counted(built(project))


def built(project: Path) -> subprocess.CompletedProcess[str]:
    result = run_build(
        "--content", project / "content", "--out", project / "site", "--today", TODAY,
        "--templates", project / "templates",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def counted(result: subprocess.CompletedProcess[str]) -> dict[str, int]:
    line = next(x for x in result.stdout.splitlines() if x.startswith("built "))
    return {name: int(n) for name, n in re.findall(r"([a-z][a-z ]*[a-z]) (\d+)(?=,| \()", line)}


def project(root: Path) -> Path:
    shutil.copytree(FIXTURES / "site" / "content", root / "content")
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def photo(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (96, 64), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def add_space(p: Path) -> None:
    folder = p / "content/spaces/nha-san"
    folder.mkdir()
    (folder / "facts.yaml").write_text("type: heritage-site\nfields: [heritage]\nward: hoan-kiem\n")
    (folder / "vi.md").write_text(
        "---\nname: Nhà sàn\nsummary: Một nhà sàn mới trong danh bạ.\n---\nNhà sàn gỗ.\n",
        encoding="utf-8",
    )


CHANGES: dict[str, Callable[[Path], None]] = {
    "an entry's text": lambda p: edit(
        p / f"content/{SPACE}/vi.md", "\n---\n", "\n---\nMột câu mới ở đầu bài.\n\n"
    ),
    "an entry's facts": lambda p: edit(
        p / f"content/{SPACE}/facts.yaml", "42 Hàng Bạc", "44 Hàng Bạc"
    ),
    "an event's dates": lambda p: edit(
        p / "content/events/tet-pho/facts.yaml", "2016-02-10 21:00", "2016-02-11 21:00"
    ),
    "a template": lambda p: edit(
        p / "templates/space.html", '<article class="entry"', '<article class="entry entry--space"'
    ),
    "a UI string": lambda p: edit(
        p / "templates/i18n/en.yaml", "about: About the network", "about: About this network"
    ),
    "a vocabulary label": lambda p: edit(
        p / "content/vocabularies.yaml", "en: Hoàn Kiếm}", "en: Hoan Kiem ward}"
    ),
    # printed by the calendar of each event held there
    "a space's name": lambda p: edit(
        p / "content/spaces/hoi-quan-quang-dong/vi.md", "Quảng Đông\n", "Quảng Đông mới\n"
    ),
    "a new entry": add_space,
    "a deleted entry": lambda p: shutil.rmtree(p / "content/events/photo-hanoi-2025"),
    "a photo": lambda p: (p / f"content/{SPACE}/san-dinh.jpg").write_bytes(photo("#2a6f97")),
}


# Every page prints the UI strings and links the stylesheet of photo placeholders, which is
# named after its content: these two changes make every page again, the others only some.
EVERY_PAGE = {"a UI string", "a photo"}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project built once, then rebuilt after each change in turn (see the test)."""
    root = project(tmp_path_factory.mktemp("incremental"))
    build(root)
    return root


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_after_a_change_writes_what_a_clean_build_writes(
    change: str, rebuilt: Path, tmp_path: Path
):
    CHANGES[change](rebuilt)
    counts = build(rebuilt)
    clean = tmp_path / "clean"
    shutil.copytree(rebuilt / "content", clean / "content")
    shutil.copytree(rebuilt / "templates", clean / "templates")
    assert build(clean)["pages reused"] == 0  # no .cache/build beside it: a clean build
    assert tree(rebuilt / "site") == tree(clean / "site")
    assert counts["pages rendered"] > 0
    if change in EVERY_PAGE:
        assert counts["pages reused"] == 0
    else:
        assert counts["pages reused"] > 0
    if change == "a photo":
        assert counts["photos encoded"] == 1


def test_nothing_changed_rebuilds_nothing_and_a_touched_file_reuses_every_page(tmp_path: Path):
    root = project(tmp_path)
    build(root)
    before = tree(root / "site")
    again = build(root)
    assert again["pages rendered"] == 0 and again["photos encoded"] == 0
    assert tree(root / "site") == before
    (root / f"content/{SPACE}/vi.md").touch()  # a new time, the same bytes
    touched = build(root)
    assert touched["pages rendered"] == 0 and touched["pages reused"] == touched["pages"]
    assert tree(root / "site") == before


def test_a_page_changed_in_site_is_made_again(tmp_path: Path):
    root = project(tmp_path)
    build(root)
    before = tree(root / "site")
    page = root / "site" / "vi" / SPACE / "index.html"
    page.write_text("tampered", encoding="utf-8")
    (root / "site/events/tet-pho.ics").write_text("tampered", encoding="utf-8")
    counts = build(root)
    assert counts["pages rendered"] == 1
    assert tree(root / "site") == before


def test_problems_in_unchanged_files_are_reported_again(tmp_path: Path):
    """What reading or checking a file found is reused with it, and told again each build."""
    root = project(tmp_path / "project")
    (root / f"content/{SPACE}/notes.txt").write_text("not a photo\n")
    (root / "content/events/tet-pho/en.md").unlink()
    first = built(root)
    edit(root / "content/spaces/hoi-quan-quang-dong/vi.md", "Quảng Đông\n", "Quảng Đông mới\n")
    again = built(root)
    assert counted(again)["pages reused"] > 0
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    shutil.copytree(root / "templates", clean / "templates")
    expected = built(clean).stderr
    assert "notes.txt" in expected and "tet-pho/en.md" in expected
    assert again.stderr == expected == first.stderr


def test_an_unchanged_event_at_a_deleted_space_fails_as_in_a_clean_build(tmp_path: Path):
    """Checks across entries run every build, reading an unchanged entry's facts if need be."""
    root = project(tmp_path / "project")
    build(root)
    shutil.rmtree(root / "content/spaces/hoi-quan-quang-dong")
    again = run_build(
        "--content", root / "content", "--out", root / "site", "--today", TODAY,
        "--templates", root / "templates",
    )  # fmt: skip
    clean = tmp_path / "clean"
    shutil.copytree(root / "content", clean / "content")
    expected = run_build("--content", clean / "content", "--out", clean / "site", "--today", TODAY)
    assert again.returncode == expected.returncode != 0
    assert "photo-hanoi-2025/facts.yaml:4" in expected.stderr
    assert again.stderr == expected.stderr


def test_search_is_indexed_again_only_when_what_it_reads_changed(tmp_path: Path):
    """Pagefind reads the data-pagefind-body parts of a page: a template change around them
    links the last index (the same file, not a copy); a changed text makes it again."""
    root = project(tmp_path)
    build(root)
    entry = root / "site/pagefind/pagefind-entry.json"
    first = entry.stat().st_ino
    edit(root / "templates/space.html", '<article class="entry"', '<article class="entry x"')
    assert build(root)["pages rendered"] > 0
    assert entry.stat().st_ino == first
    CHANGES["an entry's text"](root)
    build(root)
    assert entry.stat().st_ino != first
