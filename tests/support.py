"""Helpers shared by the tests: run the build as a member would, parse its output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-01-10"  # pinned so "upcoming" is stable; fixtures hold events on both sides


def run_build(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """build.py as a member or CI runs it, in a subprocess."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())
