"""check() and build(): load -> validate -> model -> render -> write, in that order only.

With a build cache (Options.build_cache), each step reuses what the last build made from the
same inputs (see buildcache.py), and a build whose inputs are all unchanged does nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import buildcache, feeds, images, load, markup, model, output, render, search, validate
from .buildcache import Recall
from .errors import Problem, Problems
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
    # which step, how far of how many: photos, pages, search
    progress: Callable[[str, int, int], None] | None = None
    build_cache: Path | None = None  # .cache/build/: what the last build made; None: a clean build
    # False (serve, to show a saved change at once): the search index published last is kept
    # as it was, and the next build indexes what changed
    search: bool = True
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


@dataclass
class Made:
    """The site as a build made it and the memory it left, for revise() to make pages again
    over."""

    site: model.Site
    memory: buildcache.Memory


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


def check(
    opts: Options, memory: buildcache.Memory | None = None
) -> tuple[Report, validate.ValidContent | None]:
    """Load and validate; with `memory`, reusing the photo hashes and Markdown it holds, and
    putting back what this run used."""
    report = Report(Problems())
    timer = _Timer(report)
    hashes = Recall(memory.photo_hashes) if memory else None
    parsed = Recall(memory.files) if memory else None
    # with a memory, an entry's files are read only if its checks cannot be reused
    lazy = memory is not None
    raw = load.content(opts.content_dir, report.problems, opts.cache_dir, hashes, parsed, lazy)
    timer.lap("load")
    if memory is None or hashes is None:
        with markup.remembering(Recall({}), images.cores()):
            content = validate.entries(raw, report.problems)
    else:
        rendered, checked = Recall(memory.markdown), Recall(memory.checked)
        with markup.remembering(rendered, images.cores()):
            content = validate.entries(raw, report.problems, checked)
        memory.photo_hashes, memory.markdown = hashes.now, rendered.now
        memory.files = parsed.now if parsed else {}
        memory.checked = checked.now
    timer.lap("validate")
    report.coverage = _coverage(content)
    if report.problems.fail(strict=opts.strict):
        return report, None
    return report, content


@dataclass(frozen=True)
class _Outcome:
    """A published build's report, told again by a build that finds nothing changed."""

    problems: tuple[Problem, ...]
    counts: dict[str, int]
    coverage: dict[str, tuple[int, int]]


def _inputs(opts: Options) -> str:
    """Everything a build reads: equal only if a build now would write what the last one did."""
    folders = (opts.content_dir, opts.templates_dir, opts.assets_dir)
    settings = (opts.site_dir, opts.origin, opts.base, opts.today, opts.strict, opts.repository)
    state = buildcache.folder_state(folders)
    return buildcache.text_key(repr(settings), state, buildcache.code_version())


def _unchanged(told: _Outcome, seconds: float) -> Report:
    """The last build's report, with everything reused."""
    counts = dict(told.counts)
    counts.update({"pages rendered": 0, "pages reused": counts["pages"]})
    counts.update({"photos encoded": 0, "photos reused": counts["photos"]})
    counts["share images reused"] += counts["share images drawn"]
    counts["share images drawn"] = 0
    report = Report(Problems(list(told.problems)), counts, {"unchanged": seconds})
    report.coverage, report.published = dict(told.coverage), True
    return report


def build(opts: Options) -> Report:
    start = time.perf_counter()
    memory = buildcache.read(opts.build_cache, opts.site_dir, caches=False)
    inputs = _inputs(opts) if opts.build_cache else ""
    if (
        inputs == memory.inputs != ""
        and isinstance(memory.outcome, _Outcome)
        and output.published(opts.site_dir) == memory.published
    ):
        return _unchanged(memory.outcome, time.perf_counter() - start)
    memory = buildcache.read(opts.build_cache, opts.site_dir)
    cached = memory if opts.build_cache else None
    ready = time.perf_counter() - start
    report, content = check(opts, cached)
    report.seconds = {"cache": ready, **report.seconds}
    if content is None:
        return report  # nothing staged: site/ untouched
    timer = _Timer(report)
    site = _model(opts, content)
    timer.lap("model")
    progress = opts.progress
    folders = opts.build_cache / "folders" if cached and opts.build_cache else None
    with output.staging(opts.site_dir, memory.published if cached else None, folders) as stage:
        pages, layouts = Recall(memory.pages), Recall(memory.layouts)
        compiled = opts.build_cache / "templates" if opts.build_cache else None
        reuse = render.Reuse(pages, opts.cache_dir, compiled, layouts) if cached else None
        done = render.pages(
            site, stage, opts.templates_dir, opts.assets_dir, report.problems, reuse, progress
        )
        timer.lap("render")
        vevents = Recall(memory.vevents)
        feeds.write(site, stage, vevents if cached else None)
        timer.lap("feeds")
        photos = sorted({p.sha256 for e in (*site.spaces, *site.events) for p in e.photos})
        names, jobs = done.requests.names(), list(done.requests.jobs.values())
        made_pages = {"pages": len(site.pages), "pages rendered": done.rendered}
        made_pages["pages reused"] = done.reused
        counted, hashes = site.counts, done.hashes
        # The model of a site of 60,000 pages is let go before the photos and the search index
        # are made beside it. Its spaces name their related spaces, in cycles that only the
        # cycle collector frees.
        del site, done
        gc.collect()
        words, mirrored = Recall(memory.words), Recall(memory.mirrored)
        index = tuple(n for n in memory.published if n.startswith(search.FOLDER + "/"))
        memo = None
        if cached and opts.build_cache:
            mirror = opts.build_cache / search.FOLDER
            memo = search.Memo(words, memory.search, index, stage.reuse, hashes, mirror, mirrored)
        made = images.process(
            jobs,
            names,
            stage,
            opts.cache_dir,
            report.problems,
            (lambda n, total: progress("photos", n, total)) if progress else None,
        )
        timer.lap("images")
        # photos first (with the share images cut from them), then the designed tiles
        spent = report.seconds.pop("images")
        report.seconds["photos"] = made.photo_seconds
        report.seconds["share images"] = spent - made.photo_seconds
        # Pagefind indexes the pages once the photos are made, which take every core.
        searched = (
            search.index(stage.path, memo) if opts.search else _keep_index(index, memory, stage)
        )
        timer.lap("search")
        report.counts = {**made_pages, **_image_counts(made, names, len(photos)), **counted}
        if not report.problems.fail(strict=opts.strict):
            stage.publish()
            report.published = True
            # the image cache holds only what the last build asked for: if this one asked for
            # the same, there is nothing to delete, and listing the cache costs half a second
            asked = buildcache.text_key(repr(sorted(names)), photos)
            if not (cached and asked == memory.asked):
                images.prune(names, opts.cache_dir, photos)
            if cached:
                memory.pages, memory.search = pages.now, searched
                if opts.search:  # otherwise what the last index read is still what it holds
                    memory.words, memory.mirrored = words.now, mirrored.now
                memory.vevents, memory.layouts = vevents.now, layouts.now
                memory.published = output.published(opts.site_dir, stage.linked_states())
                # without the search index, a build of the same inputs still has work to do
                memory.inputs, memory.asked = inputs if opts.search else "", asked
                told = _Outcome(tuple(report.problems.items), report.counts, report.coverage)
                memory.outcome = told
                buildcache.write(opts.build_cache, memory)
    timer.lap("publish")
    return report


def _model(opts: Options, content: validate.ValidContent) -> model.Site:
    strings = Strings.load(opts.templates_dir / "i18n")
    urls = model.Urls(opts.origin, opts.base, opts.repository)
    with buildcache.no_collection():
        return model.build(content, strings, urls, opts.today)


def made(opts: Options) -> Made | None:
    """The site as the last build made it, made again from the content as it is and that
    build's memory: what revise() needs when the last build had nothing to do. None if the
    content has problems or there is no build cache."""
    if opts.build_cache is None:
        return None
    memory = buildcache.read(opts.build_cache, opts.site_dir)
    _, content = check(opts, memory)
    return Made(_model(opts, content), memory) if content is not None else None


def revise(opts: Options, made: Made, folders: set[str]) -> tuple[Report, dict[str, bytes]] | None:
    """The pages of the spaces and events in `folders` ('content/spaces/x'), checked with all
    the content and made again over the site `made` as the last build left it (see
    model.revised), written nowhere: what `serve` shows within a second of a save, before the
    whole site is built again. None if they cannot be made so (a new entry, say)."""
    report, content = check(opts, made.memory)
    if content is None:
        return report, {}
    chosen = model.revised(made.site, content, folders)
    if chosen is None:
        return None
    compiled = opts.build_cache / "templates" if opts.build_cache else None
    templates, assets = opts.templates_dir, opts.assets_dir
    pages = render.some(made.site, chosen, templates, assets, report.problems, compiled)
    return report, pages


def _keep_index(names: tuple[str, ...], memory: buildcache.Memory, stage: output.Stage) -> str:
    """The search index published last (`names`), linked as it is: what it read, or nothing
    known if a file of it has changed since."""
    kept = all([stage.reuse(name) for name in names])  # every file, even after a miss
    return memory.search if names and kept else ""


def _image_counts(made: images.ImageReport, names: set[str], photos: int) -> dict[str, int]:
    """Photos and share images, each made or reused: a page reused whole asks for no photo,
    so the photos reused are those of the site (`photos` of them) that were not encoded."""
    shares = sum(name.startswith("share-") for name in names)
    return {
        "photos": photos,
        "photos encoded": made.photos_encoded,
        "photos reused": photos - made.photos_encoded,
        "share images drawn": made.shares_drawn,
        "share images reused": shares - made.shares_drawn,
    }
