"""Shared fixtures: build a content tree once, write tiny trees."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen import pipeline, serve
from support import FIXTURES, TODAY, run_build


def pytest_configure(config: pytest.Config) -> None:
    # When the suite itself runs in GitHub Actions, the failures it provokes on purpose must not
    # reach the job summary members read; a test that wants a summary sets these itself.
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        os.environ.pop(name, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps an event loop running in this thread from the first browser
    # test on, so tests that build in-process (search.index calls asyncio.run) go before them.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden from the fixture site"
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


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[..., Path]:
    """Write {relative path: text or bytes} over a copy of a fixture content tree."""

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


@pytest.fixture
def preview(tmp_path: Path):
    """`build.py serve` on a copy of the fixture content: (Preview, its URL, the content)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    opts = replace(
        pipeline.Options(),
        content_dir=content,
        site_dir=tmp_path / "site",
        cache_dir=tmp_path / ".cache" / "images",
        build_cache=tmp_path / ".cache" / "build",  # as build.py serve has it
        today=dt.date.fromisoformat(TODAY),
    )
    preview = serve.Preview(opts)
    preview.rebuild()
    httpd = serve.server(preview)
    stop = threading.Event()
    threads = [
        threading.Thread(target=httpd.serve_forever, daemon=True),
        threading.Thread(target=preview.watch, args=(stop, 0.05, lambda *_: None), daemon=True),
    ]
    for thread in threads:
        thread.start()
    yield preview, f"http://127.0.0.1:{httpd.server_port}", content
    stop.set()
    httpd.shutdown()
    threads[1].join()  # its builds done and the process that made them ended
