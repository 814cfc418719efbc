"""Every mistake a member can make is reported once, at its place, in both languages, and a
build that finds one leaves the published site exactly as it was.

Each folder in tests/fixtures/invalid/ is one mistake:
  overlay/      files copied over a copy of tests/fixtures/site/content (paths under content/)
  remove.txt    optional: content-relative paths deleted after copying, one a line
  expected.txt  the exact stderr of `build.py check` on that tree, written by hand from what
                the member needs to read (see the README in that folder)
Folders in tests/fixtures/valid_variants/ hold the same content saved differently (CRLF, a
byte-order mark, NFD): they must pass and build the very same site.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import shutil
import struct
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from sitegen.errors import CATALOGUE
from support import FIXTURES, ROOT, TODAY

BASE = FIXTURES / "site" / "content"
INVALID = FIXTURES / "invalid"
VALID = FIXTURES / "valid_variants"
# Warnings, or bugs in our own templates: no member content can be made to cause them alone.
NOT_CONTENT_MISTAKES = {"template_failed", "unexpected_file", "translation_missing"}
BINARY_LIMIT = 2048


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build", ROOT / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()

CASES = sorted(p for p in INVALID.iterdir() if p.is_dir())
VARIANTS = sorted(p for p in VALID.iterdir() if p.is_dir())
PHOTO_CASES = [c for c in CASES if c.name.startswith("photo_")]


def _copy_overlay(overlay: Path, content: Path) -> None:
    """Copy files and symbolic links (as links) over the tree, replacing what is there."""
    for folder, dirs, files in os.walk(overlay):
        here = Path(folder)
        for name in sorted([*dirs, *files]):
            src = here / name
            target = content / src.relative_to(overlay)
            if src.is_symlink() or src.is_file():
                if target.is_symlink() or target.is_file():
                    target.unlink()
                elif target.is_dir():
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                if src.is_symlink():
                    os.symlink(os.readlink(src), target)
                else:
                    target.write_bytes(src.read_bytes())
            else:
                target.mkdir(parents=True, exist_ok=True)


def make_tree(case: Path, where: Path) -> Path:
    content = where / "content"
    shutil.copytree(BASE, content)
    if (case / "overlay").is_dir():
        _copy_overlay(case / "overlay", content)
    remove = case / "remove.txt"
    for rel in remove.read_text(encoding="utf-8").split() if remove.is_file() else ():
        target = content / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
    return content


def tree_hash(root: Path) -> dict[str, str]:
    """Every path under root: a file's content hash, or 'dir'."""
    return {
        p.relative_to(root).as_posix(): (
            "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(root.rglob("*"))
    }


def run(*args: str | Path) -> tuple[int, str, str]:
    """build.main in this process (fast), with its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = build.main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def good_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The fixture content built once, and the hash of every file of it."""
    root = tmp_path_factory.mktemp("good")
    content = root / "content"
    shutil.copytree(BASE, content)
    site = root / "site"
    code, _, err = run("build", "--content", content, "--out", site, "--today", TODAY)
    assert code == 0, err
    return site, tree_hash(site)


@pytest.fixture(scope="session")
def base_check_stderr(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What `check` says about the unchanged fixture content (its one warning)."""
    content = tmp_path_factory.mktemp("base") / "content"
    shutil.copytree(BASE, content)
    code, _, err = run("check", "--content", content)
    assert code == 0, err
    return err


def _assert_build_fails_and_keeps(
    content: Path, where: Path, good_site: tuple[Path, dict[str, str]]
) -> None:
    site = where / "site"
    # Hard links are enough: publishing renames folders and never writes into a file, and if
    # a build ever did, the hashes below would differ from the session's.
    shutil.copytree(good_site[0], site, copy_function=os.link)
    before = tree_hash(site)
    assert before == good_site[1]
    code, out, err = run("build", "--content", content, "--out", site, "--today", TODAY)
    assert code == 1, err
    assert err.endswith("FAILED: site/ was not changed / THẤT BẠI\n")
    assert str(where) not in out + err
    assert tree_hash(site) == before
    assert not list(where.glob("*.staging-*")) and not list(where.glob("*.old-*"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_check_reports_the_mistake(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    content = make_tree(case, tmp_path)
    code = build.main(["check", "--content", str(content)])
    out, err = capsys.readouterr()
    assert err == (case / "expected.txt").read_text(encoding="utf-8")
    assert code == 1
    assert str(tmp_path) not in out + err


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_failed_build_leaves_the_site_unchanged(
    case: Path, tmp_path: Path, good_site: tuple[Path, dict[str, str]]
):
    content = make_tree(case, tmp_path / "tree")
    _assert_build_fails_and_keeps(content, tmp_path, good_site)


@pytest.mark.parametrize("case", PHOTO_CASES, ids=lambda p: p.name)
def test_build_after_check_fails_the_same_way(
    case: Path, tmp_path: Path, good_site: tuple[Path, dict[str, str]]
):
    """A member checks, then builds: the second run reads what the first cached of each photo."""
    content = make_tree(case, tmp_path / "tree")
    code, _, first = run("check", "--content", content)
    assert code == 1
    _assert_build_fails_and_keeps(content, tmp_path, good_site)
    code, _, again = run("check", "--content", content)
    assert (code, again) == (1, first)


def test_every_problem_code_has_a_case():
    names = [c.name for c in CASES]
    codes = set(CATALOGUE) - NOT_CONTENT_MISTAKES
    without = sorted(
        code for code in codes if not any(n == code or n.startswith(code + "-") for n in names)
    )
    assert not without, f"no folder in tests/fixtures/invalid/ for {without}"
    unknown = [
        n for n in names if not any(n == code or n.startswith(code + "-") for code in CATALOGUE)
    ]
    assert not unknown, f"case folders named after no problem code: {unknown}"


def test_case_folders_are_complete_and_small():
    for case in CASES:
        assert (case / "expected.txt").is_file(), case
        assert (case / "overlay").is_dir() or (case / "remove.txt").is_file(), case
        for path in (case / "overlay").rglob("*"):
            if path.is_file() and not path.is_symlink() and path.suffix not in (".md", ".yaml"):
                assert path.stat().st_size < BINARY_LIMIT, path


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: p.name)
def test_valid_variant_passes_and_builds_the_same_site(
    variant: Path,
    tmp_path: Path,
    good_site: tuple[Path, dict[str, str]],
    base_check_stderr: str,
):
    content = make_tree(variant, tmp_path)
    code, _, err = run("check", "--content", content)
    assert (code, err) == (0, base_check_stderr)
    site = tmp_path / "site"
    code, _, err = run("build", "--content", content, "--out", site, "--today", TODAY)
    assert code == 0, err
    assert tree_hash(site) == good_site[1]


# ---- generated: too big to keep in the repository ------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height: the start of a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1_000_000, 9)  # would inflate to gigabytes if decoded
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


BOMB_EXPECTED = """\
content/spaces/dinh-kim-ngan/facts.yaml:24: photos[0].file: ảnh 'bom.png' quá lớn \
(50000×50000, tối đa 40 MP)
    the photo 'bom.png' is too large (50000×50000, at most 40 MP)
    → thu nhỏ ảnh còn khoảng 3000 điểm ảnh chiều ngang / resize the photo to about 3000 pixels wide
content/spaces/hoi-quan-quang-dong/en.md: cảnh báo / warning: chưa có bản tiếng Anh; \
trang sẽ hiện bản tiếng Việt kèm ghi chú
    no English text yet; the page shows the Vietnamese text with a notice
    → thêm tệp ngôn ngữ còn thiếu khi có thể / add the missing language file when you can
1 lỗi trong 1 tệp / 1 error in 1 file
1 cảnh báo / 1 warning
FAILED: check failed / THẤT BẠI
"""


def test_decompression_bomb_is_measured_not_decoded(
    tmp_path: Path, good_site: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture
):
    content = tmp_path / "tree" / "content"
    shutil.copytree(BASE, content)
    folder = content / "spaces" / "dinh-kim-ngan"
    (folder / "san-dinh.jpg").unlink()
    (folder / "bom.png").write_bytes(_png_header(50_000, 50_000))
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    assert "  - file: san-dinh.jpg\n" in text
    facts.write_text(text.replace("  - file: san-dinh.jpg\n", "  - file: bom.png\n"), "utf-8")
    code = build.main(["check", "--content", str(content)])
    out, err = capsys.readouterr()
    assert err == BOMB_EXPECTED
    assert code == 1
    assert str(tmp_path) not in out + err
    _assert_build_fails_and_keeps(content, tmp_path, good_site)
