"""`build.py serve`: a local preview that rebuilds when content, templates or assets change and
reloads the open page. A side door: it reuses pipeline.build and adds nothing to site/.

The reload script is added to pages as they are served, never written into the built files,
so the preview shows exactly the bytes that would be published plus one same-origin script
(allowed by the pages' Content-Security-Policy, which permits scripts from 'self').
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
import urllib.parse
from dataclasses import replace
from pathlib import Path

from . import buildcache, pipeline
from .errors import format_text

SCRIPT_PATH = "/__preview.js"
STATE_PATH = "/__preview"
# Asks for the state of the build after the one this page has seen; the server answers when
# there is one (or after LONG_POLL seconds), so a reload follows a build at once. Reloads when
# a build succeeded, shows the problems when one failed.
SCRIPT = """(function () {
  var seen = -1;
  function tick() {
    fetch("__STATE__?seen=" + seen, {cache: "no-store"}).then(function (r) { return r.json(); })
    .then(function (s) {
      if (seen !== -1 && s.version !== seen && s.ok) { location.reload(); return; }
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


class Preview:
    """The watched folders, the last build's number and problems."""

    def __init__(self, opts: pipeline.Options) -> None:
        self.opts = opts
        self.folders = [opts.content_dir, opts.templates_dir, opts.assets_dir]
        self.version = 0
        self.ok = False
        self.problems = ""
        self.seen = ""
        self.changed = threading.Condition()

    def snapshot(self) -> str:
        """Every watched file's identity and version, as one digest: a walk, no file read."""
        return buildcache.folder_state(self.folders)

    def rebuild(self) -> float:
        """Build and tell the open pages; returns the seconds until they were told. With a
        build cache, the search index is made after that, by a second build that renders
        nothing again: a saved change shows without waiting for Pagefind."""
        started = time.perf_counter()
        # the files as this build reads them: a save during the build starts another one
        self.seen = self.snapshot()
        deferred = self.opts.build_cache is not None
        report = pipeline.build(replace(self.opts, search=not deferred))
        with self.changed:
            self.version += 1
            self.ok = report.published
            self.problems = format_text(report.problems.sorted())
            self.changed.notify_all()
        seconds = time.perf_counter() - started
        if deferred and report.published:
            pipeline.build(self.opts)  # the same content, published again with its index
        return seconds

    def state(self, seen: int | None = None, wait: float = LONG_POLL) -> bytes:
        """The state now, or once the build after `seen` is done (at most `wait` seconds)."""
        with self.changed:
            if seen is not None:
                self.changed.wait_for(lambda: self.version != seen, timeout=wait)
            data = {"version": self.version, "ok": self.ok, "problems": self.problems}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    def watch(self, stop: threading.Event, interval: float = 0.2, log=print) -> None:  # type: ignore[no-untyped-def]
        """Rebuild whenever a watched file is added, removed or changed, until `stop`."""
        while not stop.wait(interval):
            if self.snapshot() != self.seen:
                seconds = self.rebuild()
                log(f"rebuilt in {seconds:.2f}s" if self.ok else self.problems.rstrip())


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == STATE_PATH:
            seen = urllib.parse.parse_qs(query).get("seen", [""])[0]
            number = int(seen) if seen.lstrip("-").isdigit() else None
            self._send(self.preview.state(number), "application/json")
        elif path == SCRIPT_PATH:
            self._send(SCRIPT.encode("utf-8"), "text/javascript")
        else:
            target = Path(self.translate_path(path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                html = target.read_bytes()
                tag = f'<script src="{SCRIPT_PATH}"></script>'.encode()
                self._send(html.replace(b"</body>", tag + b"</body>", 1), "text/html")
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
