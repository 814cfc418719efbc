"""Helpers shared by the tests: run the build as a member would, parse its output."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-01-10"  # pinned so "upcoming" is stable; fixtures hold events on both sides


def run_build(
    *args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """build.py as a member or CI runs it, in a subprocess; `env` adds to the environment."""
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **env} if env else None,
    )


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(root: Path, mount: str = "/") -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `root` at `mount` (a sub-path like /hanoi/ maps onto the same files)."""

    class Handler(_Quiet):
        def translate_path(self, path: str) -> str:
            if mount != "/" and path.startswith(mount):
                path = "/" + path[len(mount) :]
            return super().translate_path(path)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}{mount}"
