"""Shared fixtures: build a content tree once, parse output as HTML/XML, write tiny trees."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-01-10"  # pinned so "upcoming" is stable; fixtures hold events on both sides


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden from the fixture site"
    )


def run_build(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """build.py as a member or CI runs it, in a subprocess."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture content built once; tests read it, never write it."""
    out = tmp_path_factory.mktemp("fixture") / "site"
    content = FIXTURES / "site" / "content"
    result = run_build("--content", content, "--out", out, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content of content/, built once."""
    out = tmp_path_factory.mktemp("shipped") / "site"
    result = run_build("--out", out, "--today", TODAY)
    assert result.returncode == 0, result.stderr
    return out


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: text or bytes} under a copy of the fixture content; returns it."""

    def make(files: dict[str, str | bytes], base: str | None = "site") -> Path:
        content = tmp_path / "content"
        if base:
            shutil.copytree(FIXTURES / base / "content", content)
        for rel, data in files.items():
            path = content / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return content

    return make


def today() -> dt.date:
    return dt.date.fromisoformat(TODAY)
