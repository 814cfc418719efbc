"""check() and build(): load -> validate -> model -> render -> write, in that order only."""

from __future__ import annotations

import datetime as dt
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import feeds, images, load, model, output, render, search, validate
from .errors import Problems
from .i18n import Strings

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Options:
    content_dir: Path = ROOT / "content"
    site_dir: Path = ROOT / "site"
    templates_dir: Path = ROOT / "templates"
    assets_dir: Path = ROOT / "assets"
    cache_dir: Path = ROOT / ".cache" / "images"
    origin: str = "https://sangtao.hanoi.gov.vn"
    base: str = "/"
    today: dt.date = dt.date(2026, 1, 1)
    strict: bool = False
    progress: Callable[[int, int], None] | None = None  # image tasks done, of how many
    repository: str = field(default_factory=lambda: _settings()["repository"])


def _settings() -> dict[str, str]:
    """`[tool.hanoi-creative-spaces]` in pyproject.toml: the few settings that are not content."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["hanoi-creative-spaces"]


@dataclass
class Report:
    problems: Problems
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)
    published: bool = False


class _Timer:
    def __init__(self, report: Report) -> None:
        self.report, self.last = report, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.report.seconds[step] = now - self.last
        self.last = now


def _coverage(content: validate.ValidContent) -> dict[str, tuple[int, int]]:
    """Per language: (entries written in it, all entries)."""
    entries = [*content.spaces, *content.events]
    return {
        lang: (sum(1 for e in entries if e.texts.get(lang)), len(entries)) for lang in load.LANGS
    }


def check(opts: Options) -> tuple[Report, validate.ValidContent | None]:
    report = Report(Problems())
    timer = _Timer(report)
    raw = load.content(opts.content_dir, report.problems, opts.cache_dir)
    timer.lap("load")
    content = validate.entries(raw, report.problems)
    timer.lap("validate")
    report.coverage = _coverage(content)
    if report.problems.fail(strict=opts.strict):
        return report, None
    return report, content


def build(opts: Options) -> Report:
    report, content = check(opts)
    if content is None:
        return report  # nothing staged: site/ untouched
    timer = _Timer(report)
    strings = Strings.load(opts.templates_dir / "i18n")
    site = model.build(
        content, strings, model.Urls(opts.origin, opts.base, opts.repository), opts.today
    )
    timer.lap("model")
    with output.staging(opts.site_dir) as stage:
        requests = render.pages(site, stage, opts.templates_dir, opts.assets_dir, report.problems)
        timer.lap("render")
        made = images.process(requests, stage, opts.cache_dir, report.problems, opts.progress)
        timer.lap("images")
        feeds.write(site, stage)
        timer.lap("feeds")
        search.index(stage.path)
        timer.lap("search")
        if not report.problems.fail(strict=opts.strict):
            stage.publish()
            report.published = True
            images.prune(requests, opts.cache_dir)
    photos = made.photos_encoded + made.photos_reused
    report.counts = {"pages": len(site.pages), "photos": photos, **site.counts, **made.counts()}
    return report
