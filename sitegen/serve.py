"""`build.py serve`: a local preview that rebuilds when content, templates or assets change and
reloads the open page. A side door: it reuses pipeline.build and adds nothing to site/.

A saved text or facts file of an entry is shown within a second, even in a directory of
thousands: its pages are made at once over the model of the last build (pipeline.revise) and
served from memory, while the whole site is built in a process of its own; an open page
reloads only when the HTML served for it changed.

The reload script is added to pages as they are served, never written into the built files,
so the preview shows exactly the bytes that would be published plus one same-origin script
(allowed by the pages' Content-Security-Policy, which permits scripts from 'self').
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import multiprocessing
import os
import threading
import time
import urllib.parse
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from . import buildcache, pipeline
from .errors import format_text

SCRIPT_PATH = "/__preview.js"
STATE_PATH = "/__preview"
# Asks for the state of the build after the one this page has seen; the server answers when
# there is one (or after LONG_POLL seconds), so a reload follows a build at once. The answer
# carries the digest of this page as it would be served now: the page reloads when that
# differs from the one it was served with, and shows the problems when a build failed.
SCRIPT = """(function () {
  var served = document.currentScript.getAttribute("data-page");
  var seen = -1;
  function tick() {
    var asked = "__STATE__?seen=" + seen + "&page=" + encodeURIComponent(location.pathname);
    fetch(asked, {cache: "no-store"}).then(function (r) { return r.json(); })
    .then(function (s) {
      if (s.ok && s.page !== served) { location.reload(); return; }
      seen = s.version;
      var box = document.getElementById("preview-problems");
      if (!s.ok) {
        if (!box) {
          box = document.createElement("pre");
          box.id = "preview-problems";
          box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
            "margin:0;padding:1rem;background:#611313;color:#fff;font-size:14px;z-index:99";
          document.body.appendChild(box);
        }
        box.textContent = s.problems;
      } else if (box) { box.remove(); }
      tick();
    }).catch(function () { setTimeout(tick, 1000); });
  }
  tick();
})();
""".replace("__STATE__", STATE_PATH)
LONG_POLL = 20.0
Files = dict[str, tuple[int, ...]]  # buildcache.folder_files()
TEXTS = ("facts.yaml", "vi.md", "en.md")  # an entry's files that revise() can make pages from


class Preview:
    """The watched folders, the last build's number and problems, and the pages made at once
    after a save (`overlay`, by their names in site/) until the whole site is built again."""

    def __init__(self, opts: pipeline.Options) -> None:
        self.opts = opts
        self.folders = [opts.content_dir, opts.templates_dir, opts.assets_dir]
        self.version = 0
        self.ok = False
        self.problems = ""
        self.seen: Files = {}
        self.looks = 0  # how many times the files were taken in
        self.made: pipeline.Made | None = None
        # `made` is made again after a change look() could not show: a save it showed left
        # the rest of the site as it was, and making the model costs seconds at 1,000 spaces
        self.stale = True
        self.overlay: dict[str, bytes] = {}
        self.changed = threading.Condition()
        self.pending = threading.Event()  # a change the whole site is not yet built with
        self.builder: ProcessPoolExecutor | None = None

    def snapshot(self) -> Files:
        """Every watched file's identity and version: a walk, no file read."""
        return buildcache.folder_files(self.folders)

    def rebuild(self) -> float:
        """Takes in the files as they are and builds the whole site: what watch() does for
        one change. Returns the seconds until the open pages were told."""
        shown = self.look()
        built = self.build()
        return shown if shown is not None else built

    def look(self, now: Files | None = None) -> float | None:
        """Takes in the files as they are `now`. If only the texts or facts of entries changed
        since the last look, their pages are made again over the last build's model, shown at
        once and kept until the whole site is built again. Returns the seconds that took;
        None if nothing was shown."""
        started = time.perf_counter()
        before, self.seen = self.seen, now if now is not None else self.snapshot()
        with self.changed:
            self.looks += 1
        folders = self._entries(before, self.seen)
        quick = pipeline.revise(self.opts, self.made, folders) if folders and self.made else None
        if quick is None:
            self.stale = True
            return None
        report, pages = quick
        with self.changed:
            overlay = {**self.overlay, **pages}
        self._tell(report, not report.problems.fail(strict=self.opts.strict), overlay)
        return time.perf_counter() - started

    def build(self, stop: threading.Event | None = None) -> float:
        """Builds the whole site and tells the open pages; returns the seconds until they were
        told. With a build cache, the search index is made after that, by another build that
        renders nothing again, unless a file changed meanwhile: a saved change shows without
        waiting for Pagefind. Both build in a process of their own, so that a save made
        meanwhile is shown at once; this one makes the model look() needs meanwhile."""
        started = time.perf_counter()
        with self.changed:
            looks = self.looks
        deferred = self.opts.build_cache is not None
        report = self._apart(replace(self.opts, search=not deferred)).result()
        with self.changed:
            # the pages made at once after a later look show what this build has not read
            overlay = self.overlay if self.looks != looks else {}
        self._tell(report, report.published, overlay)
        seconds = time.perf_counter() - started
        waited = self.pending.is_set() or (stop is not None and stop.is_set())
        if report.published and not waited:
            indexing = self._apart(self.opts) if deferred else None
            if self.stale:
                self.stale = False
                self.made = pipeline.made(self.opts) or self.made
            if indexing is not None:
                indexing.result()  # the same content, published again with its index
        return seconds

    def _apart(self, opts: pipeline.Options) -> Future[pipeline.Report]:
        if self.builder is None:
            self.builder = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_behind
            )
        return self.builder.submit(pipeline.build, opts)

    def close(self) -> None:
        """Ends the process that builds."""
        if self.builder is not None:
            self.builder.shutdown()
            self.builder = None

    def _tell(self, report: pipeline.Report, ok: bool, overlay: dict[str, bytes]) -> None:
        with self.changed:
            self.version += 1
            self.ok = ok
            self.problems = format_text(report.problems.sorted())
            self.overlay = overlay
            self.changed.notify_all()

    def _entries(self, before: Files, now: Files) -> set[str]:
        """The entry folders ('content/spaces/x') of the files changed between the snapshots,
        if every one is an entry's text or facts file that was there before and still is;
        otherwise none. Dot files (an editor's swap file) are not part of the site."""
        content = f"{self.opts.content_dir}/"
        folders: set[str] = set()
        for path in before.keys() | now.keys():
            if before.get(path) == now.get(path) or Path(path).name.startswith("."):
                continue
            parts = path.removeprefix(content).split("/")
            if not (
                path.startswith(content)
                and path in before
                and path in now
                and len(parts) == 3
                and parts[0] in ("spaces", "events")
                and parts[2] in TEXTS
            ):
                return set()
            folders.add(f"{self.opts.content_dir.name}/{parts[0]}/{parts[1]}")
        return folders

    def page(self, relative: str) -> bytes | None:
        """The HTML served for `relative` ('vi/index.html'): made at once after a save, or as
        published; None if there is none."""
        with self.changed:
            made = self.overlay.get(relative)
        if made is not None:
            return made
        try:
            return (self.opts.site_dir / relative).read_bytes()
        except OSError:
            return None

    def state(self, seen: int | None = None, wait: float = LONG_POLL, page: str = "") -> bytes:
        """The state now, or once the build after `seen` is done (at most `wait` seconds),
        with the digest of the HTML served now for `page` ('/vi/'; '' if none)."""
        with self.changed:
            if seen is not None:
                self.changed.wait_for(lambda: self.version != seen, timeout=wait)
            data = {"version": self.version, "ok": self.ok, "problems": self.problems}
        html = self.page(_html_name(page)) if page else None
        data["page"] = _digest(html) if html is not None else ""
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    def watch(self, stop: threading.Event, interval: float = 0.2, log=print) -> None:  # type: ignore[no-untyped-def]
        """Until `stop`, looks at the files every `interval` seconds; another thread builds
        the whole site after each change, so a save made while it builds is shown at once."""
        builder = threading.Thread(target=self._builder, args=(stop, log), daemon=True)
        builder.start()
        while not stop.wait(interval):
            now = self.snapshot()
            if now != self.seen:
                shown = self.look(now)
                self.pending.set()
                if shown is not None and self.ok:
                    log(f"shown in {shown:.2f}s")
        builder.join()
        self.close()

    def _builder(self, stop: threading.Event, log) -> None:  # type: ignore[no-untyped-def]
        while not stop.is_set():
            if self.pending.wait(0.1):
                self.pending.clear()
                seconds = self.build(stop)
                log(f"built in {seconds:.2f}s" if self.ok else self.problems.rstrip())


def _behind() -> None:
    """The process that builds, and the encoders and Pagefind it starts, give way to this one
    when both want a core: a save is shown first."""
    if hasattr(os, "nice"):
        os.nice(10)


def _html_name(path: str) -> str:
    """The page a URL path names, relative to site/: '/vi/' -> 'vi/index.html'."""
    name = urllib.parse.unquote(path).lstrip("/")
    return f"{name}index.html" if name == "" or name.endswith("/") else name


def _digest(html: bytes) -> str:
    return hashlib.sha256(html).hexdigest()[:16]


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == STATE_PATH:
            asked = urllib.parse.parse_qs(query)
            seen = asked.get("seen", [""])[0]
            number = int(seen) if seen.lstrip("-").isdigit() else None
            page = asked.get("page", [""])[0]
            self._send(self.preview.state(number, page=page), "application/json")
        elif path == SCRIPT_PATH:
            self._send(SCRIPT.encode("utf-8"), "text/javascript")
        else:
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            relative = target.relative_to(self.preview.opts.site_dir).as_posix()
            html = self.preview.page(relative) if target.suffix == ".html" else None
            if html is not None:
                tag = f'<script src="{SCRIPT_PATH}" data-page="{_digest(html)}"></script>'
                self._send(html.replace(b"</body>", tag.encode() + b"</body>", 1), "text/html")
            else:
                super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def server(preview: Preview, port: int = 0) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 (never other interfaces) serving the built site."""
    handler = type("Handler", (_Handler,), {"preview": preview})
    factory = functools.partial(handler, directory=str(preview.opts.site_dir))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), factory)


def run(opts: pipeline.Options, port: int) -> int:
    preview = Preview(opts)
    preview.rebuild()
    print(preview.problems.rstrip() or "built", flush=True)
    httpd = server(preview, port)
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    print(f"preview: http://127.0.0.1:{httpd.server_port}/  (Ctrl-C to stop)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        httpd.server_close()
    return 0
