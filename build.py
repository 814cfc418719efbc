#!/usr/bin/env python3
"""Build the Hanoi Creative Spaces site.

python build.py                      check the content, then build it into site/
python build.py check                check only; report every problem at once
python build.py --base-url /path/    build for a site served under a sub-path
python build.py from-issue BODY.md   a submitted issue form -> a new entry folder
python build.py report               entries unchanged for a year, links that no longer answer
python build.py issue-forms          rewrite .github/ISSUE_TEMPLATE from the vocabularies
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sitegen import load, pipeline, scaffold, serve, submission, upkeep, validate
from sitegen.errors import Problem, Problems, format_github, format_summary, format_text


def _base(value: str, default_origin: str) -> tuple[str, str]:
    """'/sub/' or 'https://host/sub/' -> (origin, base path ending in '/')."""
    parts = urlsplit(value)
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise argparse.ArgumentTypeError(f"--base-url must be http(s) or a path: {value}")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else default_origin
    path = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
    return origin, path


class _Progress:
    """A progress bar for steps long enough to wonder about (photos, pages, search), on a
    terminal only: redrawn in place at most ten times a second once a step has run for a
    second, and erased when the step ends. Output to a file or a CI log stays quiet."""

    WIDTH = 30

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream, self.terminal = stream, stream.isatty()
        self.step, self.start, self.shown = "", 0.0, 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.terminal:
            return
        now = time.monotonic()
        if step != self.step:
            self.step, self.start, self.shown = step, now, 0.0
        if done >= total:
            if self.shown:
                self.stream.write("\r\033[K")
                self.stream.flush()
            self.step = ""
            return
        if now - self.start < 1 or now - self.shown < 0.1:
            return
        self.shown = now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{step:<7} [{bar}] {done}/{total} ({now - self.start:.0f}s)")
        self.stream.flush()


def _new(words: list[str], content_dir: Path) -> int:
    """`new space "Tên"` / `new event "Tên"`: a folder with every field, ready to fill in."""
    if len(words) < 2 or words[0] not in scaffold.KINDS:
        print('dùng / use: python build.py new space|event "Tên tiếng Việt"', file=sys.stderr)
        return 2
    try:
        folder = scaffold.new_entry(content_dir, words[0], " ".join(words[1:]))
    except scaffold.ScaffoldError as err:
        print(err, file=sys.stderr)
        return 1
    rel = folder.relative_to(content_dir.parent).as_posix()
    print(f"{rel}/: facts.yaml, vi.md, en.md")
    print("điền các trường, rồi chạy / fill in the fields, then run: python build.py check")
    return 0


def _schema(content_dir: Path, out: Path) -> int:
    """Write the JSON Schemas editors use to check facts.yaml as members type."""
    problems = Problems()
    vocab = validate.vocabularies(load.content(content_dir, problems), problems)
    if problems.fail(strict=False):
        sys.stderr.write(format_text(problems.sorted()))
        return 1
    keys = {name: sorted(getattr(vocab, name)) for name in ("space_types", "fields", "wards")}
    out.mkdir(exist_ok=True)
    for name, text in scaffold.schema_files(keys).items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"{out.name}/{name}")
    return 0


SUMMARY_HEADINGS = {
    "check": "Kiểm tra nội dung / Content check",
    "build": "Dựng trang / Site build",
}


def _job_summary(problems: list[Problem], heading: str) -> None:
    """In GitHub Actions, problems also go to the job summary: a table in both languages."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") == "true" and path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(format_summary(problems, heading))


def _from_issue(words: list[str], opts: pipeline.Options) -> int:
    """`from-issue BODY.md`: the answers of a submitted issue form -> a new entry folder."""
    if len(words) != 1:
        print("dùng / use: python build.py from-issue ISSUE_BODY_FILE", file=sys.stderr)
        return 2
    path = Path(words[0])
    try:
        body = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"{path}: {err}", file=sys.stderr)
        return 2
    folder, problems = submission.from_issue(body, opts, path.name)
    sys.stderr.write(format_text(problems))
    _job_summary(problems, "Biểu mẫu đã gửi / Submitted form")
    if folder is None:
        print("THẤT BẠI: chưa tạo mục nào / FAILED: no entry written", file=sys.stderr)
        return 1
    print(folder.relative_to(opts.content_dir.parent).as_posix())
    return 0


def _issue_forms(opts: pipeline.Options, out: Path) -> int:
    """Rewrite the issue forms, whose dropdowns list the vocabularies."""
    report, content = pipeline.check(opts)
    if content is None:
        sys.stderr.write(format_text(report.problems.sorted()))
        return 1
    out.mkdir(parents=True, exist_ok=True)
    for form in submission.FORMS:
        (out / form.file).write_text(
            submission.issue_form(form, content.vocabularies), encoding="utf-8"
        )
        print((out / form.file).relative_to(out.parent.parent).as_posix())
    return 0


def _report(opts: pipeline.Options) -> int:
    """Markdown on stdout for the weekly upkeep issue."""
    report, content = pipeline.check(opts)
    if content is None:
        sys.stderr.write(format_text(report.problems.sorted()))
        return 1
    sys.stdout.write(upkeep.report(content, opts.content_dir, opts.today))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="build",
        choices=["build", "check", "new", "schema", "from-issue", "report", "issue-forms", "serve"],
    )
    parser.add_argument(
        "words",
        nargs="*",
        help="for new: space|event and the Vietnamese name; for from-issue: the issue body file",
    )
    parser.add_argument("--base-url", default="/", help="path or full URL the site is served from")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--format", choices=["text", "github"], default="text")
    parser.add_argument("--today", type=dt.date.fromisoformat, help="pretend today is this date")
    parser.add_argument("--content", help="content folder (default: content/)")
    parser.add_argument("--out", help="output folder (default: site/)")
    parser.add_argument("--port", type=int, default=8000, help="for serve: the local port")
    parser.add_argument("--templates", help="templates folder (default: templates/)")
    args = parser.parse_args(argv)

    defaults = pipeline.Options()
    origin, base = _base(args.base_url, defaults.origin)
    # The only clock read: "upcoming" is relative to today in Hanoi.
    today = args.today or dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    content_dir = Path(args.content).resolve() if args.content else defaults.content_dir
    opts = pipeline.Options(
        content_dir=content_dir,
        site_dir=Path(args.out).resolve() if args.out else defaults.site_dir,
        templates_dir=Path(args.templates).resolve() if args.templates else defaults.templates_dir,
        # each content tree keeps its own photo cache, which a build prunes to what it used
        cache_dir=content_dir.parent / ".cache" / "images",
        progress=_Progress() if args.command == "build" else None,
        # what the last build made, kept beside the content like the photo cache
        build_cache=content_dir.parent / ".cache" / "build",
        origin=origin,
        base=base,
        today=today,
        strict=args.strict,
    )
    if args.command == "serve":
        return serve.run(replace(opts, progress=None), args.port)
    if args.command == "new":
        return _new(args.words, content_dir)
    if args.command == "schema":
        return _schema(content_dir, defaults.content_dir.parent / scaffold.SCHEMA_DIR)
    if args.command == "from-issue":
        return _from_issue(args.words, opts)
    if args.command == "issue-forms":
        return _issue_forms(opts, defaults.content_dir.parent / submission.FORMS_DIR)
    if args.command == "report":
        return _report(opts)
    if args.command == "check":
        report, _ = pipeline.check(opts)
    else:
        report = pipeline.build(opts)
    problems = report.problems.sorted()
    if problems:
        sys.stderr.write(format_text(problems))
        if args.format == "github":
            sys.stdout.write(format_github(problems))
    _job_summary(problems, SUMMARY_HEADINGS[args.command])
    failed = report.problems.fail(strict=opts.strict)
    if args.command == "build":
        for lang, (done, total) in sorted(report.coverage.items()):
            print(f"translation {lang}: {done}/{total} entries")
    if failed:
        where = "site/ was not changed" if args.command == "build" else "check failed"
        print(f"FAILED: {where} / THẤT BẠI", file=sys.stderr)
        return 1
    if args.command == "build":
        counts = ", ".join(f"{k} {v}" for k, v in report.counts.items())
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items())
        total = sum(report.seconds.values())
        print(f"built {opts.site_dir.name}/: {counts} ({steps}, total {total:.2f}s)")
    else:
        print("content OK / nội dung hợp lệ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
