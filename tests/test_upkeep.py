"""The upkeep report: stale entries from git history or `updated`, and a link check against a
local server (good, gone, slow, HEAD-refusing and redirecting links). Never the network."""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from sitegen import pipeline, upkeep
from support import FIXTURES

TODAY = dt.date(2026, 11, 23)
VOCABULARIES = (FIXTURES / "site" / "content" / "vocabularies.yaml").read_text(encoding="utf-8")


class _Links(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_GET(self) -> None:
        self._answer("GET")

    def _answer(self, method: str) -> None:
        path = self.path.split("?")[0]
        self.seen.append((method, self.path))
        if path == "/slow":
            time.sleep(1.5)
        status, location = {
            "/ok": (200, None),
            "/slow": (200, None),
            "/gone": (404, None),
            "/no-head": (405 if method == "HEAD" else 200, None),
            "/moved": (301, "/ok"),
            "/to-file": (302, "file:///etc/passwd"),
        }.get(path, (500, None))
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Links)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def _space(slug: str, website: str, extra: str = "", body: str = "") -> dict[str, str]:
    return {
        f"spaces/{slug}/facts.yaml": f"type: museum\nfields: [design]\nwebsite: {website}\n{extra}",
        f"spaces/{slug}/vi.md": f"---\nname: Không gian {slug}\nsummary: Một không gian để "
        f"thử báo cáo bảo trì.\n---\n{body}\n",
    }


def _content(make_tree, url: str) -> Path:
    return make_tree(
        {
            "vocabularies.yaml": VOCABULARIES,
            **_space(
                "moi",
                f"{url}/ok",
                f"social:\n  facebook: {url}/moved\n",
                f"Xem [ảnh]({url}/gone) và [lịch]({url}/no-head).",
            ),
            **_space("cu", f"{url}/gone", "updated: 2024-06-01\n"),
            "events/hoi-thao/facts.yaml": (
                f"start: 2026-12-01\nvenues:\n  - space: moi\nregistration: {url}/to-file\n"
            ),
            "events/hoi-thao/vi.md": "---\ntitle: Hội thảo\nsummary: Một sự kiện để thử báo "
            "cáo bảo trì.\n---\n",
        },
        base=None,
    )


def _valid(content: Path):
    report, valid = pipeline.check(pipeline.Options(content_dir=content, cache_dir=None))
    assert valid is not None, report.problems.sorted()
    return valid


def test_links_answer_or_say_why_not(make_tree, server):
    valid = _valid(_content(make_tree, server))
    wanted = upkeep.links(valid)
    assert wanted[f"{server}/gone"] == (
        "content/spaces/cu/facts.yaml",
        "content/spaces/moi/vi.md",
    )
    _Links.seen.clear()
    results, unchecked = upkeep.check_links(wanted, timeout=5, budget=30, workers=3)
    assert unchecked == []
    errors = {r.url.removeprefix(server): r.error for r in results}
    assert errors == {
        "/ok": None,
        "/moved": None,  # followed to /ok
        "/no-head": None,  # GET after HEAD was refused
        "/gone": "HTTP 404 Not Found",
    } | {"/to-file": errors["/to-file"]}
    # a redirect off the web is not followed
    assert errors["/to-file"].startswith("HTTP 302 Found")
    asked = [method for method, path in _Links.seen if path == "/no-head"]
    assert asked == ["HEAD", "GET"]


def test_a_slow_link_times_out(server):
    (result,), _ = upkeep.check_links({f"{server}/slow": ("x",)}, timeout=0.3, budget=10, workers=1)
    assert result.error == "timeout" and not result.ok


def test_the_whole_check_stops_at_its_time_limit(server):
    wanted = {f"{server}/slow?{i}": ("x",) for i in range(6)}
    start = time.monotonic()
    results, unchecked = upkeep.check_links(wanted, timeout=5, budget=0.5, workers=2)
    assert time.monotonic() - start < 1.4  # not the 4.5 s six slow links take two at a time
    assert results == [] and len(unchecked) == 6


def test_entries_unchanged_for_a_year_come_from_updated_outside_git(make_tree, server):
    content = _content(make_tree, server)
    assert upkeep.last_changes(content) == {}  # not in a git work tree
    valid = _valid(content)
    stale = upkeep.stale(valid, {}, TODAY)
    assert [(s.path, s.changed, s.source) for s in stale] == [
        ("content/spaces/cu", dt.date(2024, 6, 1), "updated")
    ]


def _git(repo: Path, *args: str, date: str = "2026-01-01T12:00:00+07:00") -> None:
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "HOME": str(repo)}
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )


def test_git_history_says_when_each_entry_last_changed(make_tree, server):
    content = _content(make_tree, server)
    repo = content.parent
    _git(repo, "init", "-q")
    _git(repo, "add", "content")
    _git(repo, "commit", "-qm", "all", date="2025-01-05T10:00:00+07:00")
    (content / "spaces" / "cu" / "vi.md").write_text(
        "---\nname: Không gian cũ\nsummary: Một không gian để thử báo cáo bảo trì.\n---\n"
    )
    _git(repo, "commit", "-qam", "cu", date="2026-03-01T10:00:00+07:00")
    changes = upkeep.last_changes(content)
    assert changes["content/spaces/cu"] == dt.date(2026, 3, 1)
    assert changes["content/spaces/moi"] == dt.date(2025, 1, 5)
    stale = upkeep.stale(_valid(content), changes, TODAY)
    # git beats the older `updated` of 'cu'; the event starts soon, so it counts too
    assert [(s.path, s.source) for s in stale] == [
        ("content/events/hoi-thao", "git"),
        ("content/spaces/moi", "git"),
    ]


def test_the_report_is_markdown_for_an_issue(make_tree, server):
    content = _content(make_tree, server)
    text = upkeep.report(_valid(content), content, TODAY, timeout=5, budget=30, workers=2)
    assert text.startswith("# Báo cáo bảo trì / Upkeep report\n\nNgày / Date: 2026-11-23\n")
    lines = text.splitlines()
    assert "| Không gian cu | content/spaces/cu | 2024-06-01 | updated |" in lines
    assert f"| {server}/gone | HTTP 404 Not Found | content/spaces/cu/facts.yaml, " in text
    assert "Đã kiểm tra 5/5 liên kết. / Checked 5/5 links." in lines
