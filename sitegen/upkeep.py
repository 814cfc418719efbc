"""The upkeep report: entries nobody has changed for a year, and links that no longer answer.

Receives the valid content, today's date and the limits of the link check; returns Markdown for
the weekly issue. The only module that goes on the network, and only for `build.py report`: it
asks each link once (HEAD, then GET if HEAD is refused), a few at a time, within a total time.
"""

from __future__ import annotations

import datetime as dt
import http.client
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from .errors import markdown_cell
from .validate import ValidContent, ValidEvent, ValidSpace

STALE_AFTER = dt.timedelta(days=365)
# newest first, one NUL-led date per commit, then the files it touched relative to content/
GIT_LOG = [
    "git",
    "-c",
    "core.quotePath=off",
    "log",
    "--format=%x00%cs",
    "--name-only",
    "--relative",
]
USER_AGENT = "hanoi-creative-spaces-upkeep/1 (link check of a public directory)"


@dataclass(frozen=True)
class Stale:
    path: str  # the entry's folder, project-relative
    name: str
    changed: dt.date
    source: str  # "git" or "updated"


@dataclass(frozen=True)
class LinkResult:
    url: str
    where: tuple[str, ...]  # the files naming it
    status: int | None = None  # the last HTTP status, if any came
    error: str | None = None  # None: the link answers

    @property
    def ok(self) -> bool:
        return self.error is None


# --- entries nobody has changed ----------------------------------------------------------------


def last_changes(content_dir: Path) -> dict[str, dt.date]:
    """Each entry folder ('content/spaces/x') -> the date of the last commit touching it; empty
    when content/ is not in a git work tree. A shallow clone knows only its last commit."""
    try:
        log = subprocess.run(
            [*GIT_LOG, "--", "."],
            cwd=content_dir,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    prefix = content_dir.name
    found: dict[str, dt.date] = {}
    for commit in log.split("\0")[1:]:
        day, *files = commit.strip().split("\n")
        for name in files:
            parts = name.split("/")
            if len(parts) >= 3 and parts[0] in ("spaces", "events"):
                # newest first: the first date seen for a folder is its last change
                found.setdefault(f"{prefix}/{parts[0]}/{parts[1]}", dt.date.fromisoformat(day))
    return found


def _finished(ev: ValidEvent, today: dt.date) -> bool:
    """An event that is over for good needs no more updates."""
    if ev.repeat is None:
        return ev.end < today
    return ev.repeat.until is not None and ev.repeat.until < today


def _name(entry: ValidSpace | ValidEvent) -> str:
    text = entry.texts.get("vi") or entry.texts.get("en")
    return text.name if text else entry.slug


def stale(content: ValidContent, changes: dict[str, dt.date], today: dt.date) -> list[Stale]:
    """Spaces and still-running events whose last change is more than a year old, oldest first:
    the last commit touching the folder, else the `updated` fact; with neither, we cannot say."""
    out = []
    entries: list[ValidSpace | ValidEvent] = [*content.spaces]
    entries += [ev for ev in content.events if not _finished(ev, today)]
    for entry in entries:
        changed, source = changes.get(entry.path), "git"
        if changed is None:
            changed, source = entry.updated, "updated"
        if changed is not None and today - changed > STALE_AFTER:
            out.append(Stale(entry.path, _name(entry), changed, source))
    return sorted(out, key=lambda s: (s.changed, s.path))


# --- links -------------------------------------------------------------------------------------


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def _body_links(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    return parser.hrefs


def links(content: ValidContent) -> dict[str, tuple[str, ...]]:
    """Every external http(s) link -> the files that name it: websites, social pages,
    registration pages and links in the descriptions."""
    found: dict[str, set[str]] = {}

    def add(url: str | None, where: str) -> None:
        if url and urlsplit(url).scheme in ("http", "https"):
            found.setdefault(url, set()).add(where)

    for sp in content.spaces:
        add(sp.website, f"{sp.path}/facts.yaml")
        for _, url in sp.social:
            add(url, f"{sp.path}/facts.yaml")
    for ev in content.events:
        add(ev.registration, f"{ev.path}/facts.yaml")
    for entry in (*content.spaces, *content.events):
        for text in entry.texts.values():
            for url in _body_links(text.body_html) if text else ():
                add(url, text.path)  # type: ignore[union-attr]
    return {url: tuple(sorted(where)) for url, where in sorted(found.items())}


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most 5 redirects, and only to http(s): never to ftp: or file:."""

    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme not in ("http", "https"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def check_link(url: str, where: tuple[str, ...], timeout: float) -> LinkResult:
    """HEAD, then GET when the server refuses HEAD (many answer 403, 404 or 405 to it alone).
    A timeout or a failed connection is not retried: GET would wait just as long."""
    result = LinkResult(url, where)
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                return LinkResult(url, where, response.status)
        except urllib.error.HTTPError as err:
            result = LinkResult(url, where, err.code, f"HTTP {err.code} {err.reason}".strip())
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            text = "timeout" if isinstance(reason, TimeoutError) else str(reason)
            return LinkResult(url, where, None, text or type(reason).__name__)
    return result


def check_links(
    wanted: dict[str, tuple[str, ...]], *, timeout: float, budget: float, workers: int
) -> tuple[list[LinkResult], list[str]]:
    """Check every link, `workers` at a time; returns the results and the links still
    unchecked when `budget` seconds have passed."""
    pool = ThreadPoolExecutor(max_workers=workers)
    futures = {pool.submit(check_link, url, where, timeout): url for url, where in wanted.items()}
    done, pending = wait(futures, timeout=budget)
    # a running check ends within its own timeout; a queued one never starts
    pool.shutdown(wait=False, cancel_futures=True)
    results = sorted((f.result() for f in done), key=lambda r: r.url)
    return results, sorted(futures[f] for f in pending)


# --- the report --------------------------------------------------------------------------------


def _table(head: str, rows: Iterable[Iterable[str]]) -> list[str]:
    cells = head.split(" | ")
    out = [f"| {head} |", "| " + " | ".join("---" for _ in cells) + " |"]
    out += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
    return out


def markdown(
    today: dt.date,
    old: list[Stale],
    results: list[LinkResult],
    unchecked: list[str],
) -> str:
    out = ["# Báo cáo bảo trì / Upkeep report", "", f"Ngày / Date: {today.isoformat()}", ""]
    out += ["## Mục chưa cập nhật hơn một năm / Entries not changed for over a year", ""]
    if old:
        rows = [(s.name, s.path, s.changed.isoformat(), s.source) for s in old]
        out += _table(
            "Mục / Entry | Thư mục / Folder | Lần sửa cuối / Last change | Theo / From", rows
        )
        out += [
            "",
            "Mời không gian kiểm tra lại thông tin, hoặc ghi ngày kiểm tra vào `updated`. / "
            "Ask the space to check its facts, or record the date checked in `updated`.",
        ]
    else:
        out.append("Không có. / None.")
    broken = [r for r in results if not r.ok]
    out += ["", "## Liên kết không phản hồi / Links that no longer answer", ""]
    if broken:
        rows = [(r.url, r.error or "", ", ".join(r.where)) for r in broken]
        out += _table("Liên kết / Link | Kết quả / Result | Trong / In", rows)
        out += [
            "",
            "HTTP 403 hoặc 429 có thể chỉ là trang chặn kiểm tra tự động: hãy mở thử bằng trình "
            "duyệt. / HTTP 403 or 429 may only mean the site blocks automatic checks: try it in "
            "a browser.",
        ]
    else:
        out.append("Không có. / None.")
    total = len(results) + len(unchecked)
    out += [
        "",
        f"Đã kiểm tra {len(results)}/{total} liên kết. / Checked {len(results)}/{total} links.",
    ]
    if unchecked:
        out.append(
            f"Hết giờ trước khi kiểm tra {len(unchecked)} liên kết. / "
            f"Time ran out before {len(unchecked)} links were checked."
        )
    return "\n".join(out) + "\n"


def report(
    content: ValidContent,
    content_dir: Path,
    today: dt.date,
    *,
    timeout: float = 10.0,
    budget: float = 600.0,
    workers: int = 8,
) -> str:
    old = stale(content, last_changes(content_dir), today)
    results, unchecked = check_links(
        links(content), timeout=timeout, budget=budget, workers=workers
    )
    return markdown(today, old, results, unchecked)
