"""Encode the photos and share images pages asked for: Pillow, a content-hash cache, all cores.

Render asks: `picture`, `variant` and `share` return URLs and sizes at once (from the size
load.py measured) and record the request. process() does the work afterwards, one task per photo
on every core (decode once, then every width and format, and the share images cut from it), so
pages never wait on encoding. Outputs are cached under names made from the photo's content hash
and every encoder setting, so an unchanged photo is never processed again; prune() then deletes
what no request named. Knows no template.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import PIL
from PIL import Image, features

from . import decode, share_images
from .errors import Problems
from .model import Page, Photo, Site
from .output import Kept, Stage

# Bump when encoding changes in a way the settings below do not show.
PIPELINE_VERSION = 2
# Measured on 3000–4000 px photos (see README "Photos"): AVIF at speed 9 costs a third of
# speed 8 for files within a few per cent; libaom's output depends on its thread count, so
# it is pinned to one thread (the process pool already uses every core). WebP's method 1 costs
# half of method 4 for files at most 6 % larger.
ENCODERS: dict[str, tuple[str, str, str, dict[str, object]]] = {
    # format: (Pillow name, extension, MIME type, save options)
    "avif": ("AVIF", "avif", "image/avif", {"quality": 60, "speed": 9, "max_threads": 1}),
    "webp": ("WEBP", "webp", "image/webp", {"quality": 80, "method": 1}),
    "jpeg": ("JPEG", "jpg", "image/jpeg", {"quality": 82, "optimize": True, "progressive": True}),
}
# <source> elements, best first; JPEG is the <img> every browser can show.
SOURCE_FORMATS = ("avif", "webp")
# Widths and `sizes` per place a photo is shown, from the grid in assets/site.css.
LAYOUTS: dict[str, tuple[tuple[int, ...], str]] = {
    # .gallery: one column, two from 40rem, inside a 72rem wrap
    "gallery": ((480, 960, 1600), "(min-width: 72rem) 35rem, (min-width: 40rem) 50vw, 100vw"),
    # .cards: one column, two from 40rem, three (or two beside an aside) from 62rem
    "card": ((480, 960), "(min-width: 62rem) 24rem, (min-width: 40rem) 50vw, 100vw"),
}


def _signature(*more: str) -> str:
    """Every setting and library version that shapes an output's bytes: a change renames the
    outputs, so neither the cache nor a browser ever serves a file made the old way."""
    versions = {lib: features.version(lib) for lib in ("avif", "webp", "jpg", "freetype2")}
    settings = [PIPELINE_VERSION, PIL.__version__, versions, ENCODERS, *more]
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


SIGNATURE = _signature()
# a new drawing or font renames the share images, not every photo
SHARE_SIGNATURE = _signature(share_images.signature())


@dataclass(frozen=True, slots=True)
class Variant:
    url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Source:
    type: str
    srcset: str


@dataclass(frozen=True, slots=True)
class Picture:
    """Everything a <picture> element prints: sources best first, then the JPEG <img>."""

    sources: tuple[Source, ...]
    src: str
    srcset: str
    sizes: str
    width: int
    height: int
    placeholder: str  # a class from the generated placeholder stylesheet


@dataclass(frozen=True, slots=True)
class ShareImage:
    """The Open Graph image of a page: an absolute URL, its size and what it shows."""

    url: str
    width: int
    height: int
    alt: str
    type: str = "image/jpeg"


@dataclass(frozen=True, slots=True)
class _Output:
    name: str
    width: int
    height: int
    format: str


@dataclass
class _Job:
    """One task for the pool: one photo decoded once (or none, for a share image drawn without
    a photo), and every file cut from it."""

    photo: Photo | None
    outputs: list[_Output] = field(default_factory=list)
    shares: list[tuple[str, share_images.ShareSpec]] = field(default_factory=list)


def placeholder_class(photo: Photo) -> str:
    return f"ph-{photo.sha256[:12]}"


def _key(photo: Photo) -> str:
    return hashlib.sha256(f"{photo.sha256}:{SIGNATURE}".encode()).hexdigest()[:16]


def _height(photo: Photo, width: int) -> int:
    return max(1, round(photo.height * width / photo.width))


class Requests:
    """What the pages of one build asked for: one job per photo (by content hash) and one per
    share image drawn without a photo (by file name)."""

    def __init__(self, site: Site, palette: dict[str, str]) -> None:
        self.site, self.palette = site, palette
        self.base = site.urls.base
        self.jobs: dict[str, _Job] = {}  # photo sha256, or a share image's name
        self.asked: list[str] = []  # every file named, in order: a page's files are a slice
        self.kept: set[str] = set()  # files of pages the build reused whole (render.py)

    def _job(self, photo: Photo) -> _Job:
        return self.jobs.setdefault(photo.sha256, _Job(photo))

    def variant(self, photo: Photo, width: int, fmt: str = "jpeg") -> Variant:
        width = min(width, photo.width)  # never upscale
        height = _height(photo, width)
        name = f"{_key(photo)}-{width}.{ENCODERS[fmt][1]}"
        self.asked.append(name)
        outputs = self._job(photo).outputs
        if all(o.name != name for o in outputs):
            outputs.append(_Output(name, width, height, fmt))
        return Variant(f"{self.base}media/{name}", width, height)

    def picture(self, photo: Photo, layout: str) -> Picture:
        wanted, sizes = LAYOUTS[layout]
        widths = sorted({min(w, photo.width) for w in wanted})

        def srcset(fmt: str) -> str:
            return ", ".join(f"{self.variant(photo, w, fmt).url} {w}w" for w in widths)

        sources = tuple(Source(ENCODERS[f][2], srcset(f)) for f in SOURCE_FORMATS)
        # the <img> src: the width a one-column phone layout would pick, or the largest
        fallback = self.variant(photo, widths[min(1, len(widths) - 1)])
        return Picture(
            sources,
            fallback.url,
            srcset("jpeg"),
            sizes,
            fallback.width,
            fallback.height,
            placeholder_class(photo),
        )

    def share_name(self, page: Page) -> str:
        """The file of the page's share image, without asking for it."""
        return _share_name(share_images.spec(page, self.site, self.palette))

    def share(self, page: Page) -> ShareImage:
        spec = share_images.spec(page, self.site, self.palette)
        name = _share_name(spec)
        self.asked.append(name)
        if spec.photo is None:
            job = self.jobs.setdefault(name, _Job(None))
        else:
            job = self._job(spec.photo)
        if all(n != name for n, _ in job.shares):
            job.shares.append((name, spec))
        url = self.site.urls.absolute(f"{self.base}media/{name}")
        return ShareImage(url, share_images.WIDTH, share_images.HEIGHT, spec.alt)

    def keep(self, names: Iterable[str]) -> None:
        """The files a page reused from the last build asked for then, which are cached: they
        are placed in the site and kept in the cache like the files asked for now."""
        self.kept.update(names)

    def names(self) -> set[str]:
        return self.kept | {
            name
            for job in self.jobs.values()
            for name in [*(o.name for o in job.outputs), *(n for n, _ in job.shares)]
        }


def _share_name(spec: share_images.ShareSpec) -> str:
    return f"share-{spec.key(SHARE_SIGNATURE)}.jpg"


def placeholders(site: Site, stage: Stage | Kept) -> str | None:
    """The stylesheet of placeholder gradients, one rule per photo, shown behind each photo
    while it loads (the page's CSP forbids inline styles); None when there is no photo."""
    photos = {p.sha256: p for entry in (*site.spaces, *site.events) for p in entry.photos}
    rules = [
        f".{placeholder_class(p)}{{background:linear-gradient({p.colours[0]},{p.colours[1]})}}\n"
        for _, p in sorted(photos.items())
        if p.colours
    ]
    if not rules:
        return None
    data = "".join(rules).encode()
    name = f"assets/photos.{hashlib.sha256(data).hexdigest()[:10]}.css"
    stage.write(name, data)
    return site.urls.base + name


@dataclass
class ImageReport:
    """What process() did: photos encoded (any of their variants missing from the cache) or
    reused whole, share images drawn or reused, and the files placed in the site."""

    photos_encoded: int = 0
    photos_reused: int = 0
    shares_drawn: int = 0
    shares_reused: int = 0
    files: int = 0
    photo_seconds: float = 0.0  # until the last photo's files were made; share tiles follow

    def counts(self) -> dict[str, int]:
        return {
            "photos encoded": self.photos_encoded,
            "photos reused": self.photos_reused,
            "share images drawn": self.shares_drawn,
            "share images reused": self.shares_reused,
        }


def _save(
    img: Image.Image, fmt: str, target: Path, options: dict[str, object] | None = None
) -> None:
    pil_name, _, _, defaults = ENCODERS[fmt]
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    # img.info is empty (decode.clean): no EXIF, GPS, XMP, comment or profile can be copied.
    img.save(tmp, pil_name, **(defaults if options is None else options))
    os.replace(tmp, target)


def _run(job: _Job, cache_dir: Path) -> str | None:
    """Make the files of one job that the cache lacks; the reason on failure."""
    outputs = [o for o in job.outputs if not (cache_dir / o.name).is_file()]
    shares = [(n, spec) for n, spec in job.shares if not (cache_dir / n).is_file()]
    try:
        img = None
        if job.photo is not None:
            data = Path(job.photo.source).read_bytes()
            if hashlib.sha256(data).hexdigest() != job.photo.sha256:
                raise decode.PhotoError(
                    "tệp đã thay đổi trong lúc dựng trang", "the file changed during the build"
                )
            # decode no larger than the largest output needs (a JPEG decodes at 1/2 … 1/8)
            scales = [o.width / job.photo.width for o in outputs]
            if shares:
                scales.append(share_images.cover_scale(job.photo))
            scale = min(1.0, max(scales))
            largest = (round(job.photo.width * scale), round(job.photo.height * scale))
            img = decode.open_clean(data, largest)
        sized: dict[tuple[int, int], Image.Image] = {}  # each width once, for every format
        for out in sorted(outputs, key=lambda o: -o.width):
            assert img is not None  # outputs exist only for a photo
            size = (out.width, out.height)
            if size not in sized:
                sized[size] = (
                    img if img.size == size else img.resize(size, Image.Resampling.LANCZOS)
                )
            _save(sized[size], out.format, cache_dir / out.name)
        ground = None
        if img is not None and shares:
            # cropped from the smallest copy that covers the share image, not from the photo
            covering = [i for i in sized.values() if share_images.covers(i)] or [img]
            ground = share_images.backdrop(min(covering, key=lambda i: i.width))
        for name, spec in shares:
            _save(share_images.draw(spec, img, ground), "jpeg", cache_dir / name, share_images.JPEG)
    except decode.PhotoError as err:
        return err.detail
    return None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, not the machine's
    except AttributeError:
        return os.cpu_count() or 1


def _small() -> multiprocessing.context.BaseContext:
    """Workers started from a small process, not forked from this one: a worker forked from a
    build holding the model of 60,000 pages kept its own copy of every page of it the build
    then wrote to (its reference counts, say), 350 MB at XL."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _place(name: str, cache_dir: Path, media: Path) -> None:
    """Hard-link the cached file into the staging folder (copy across file systems)."""
    try:
        os.link(cache_dir / name, media / name)
    except OSError:
        shutil.copyfile(cache_dir / name, media / name)


def process(
    jobs: Iterable[_Job],
    names: set[str],
    stage: Stage,
    cache_dir: Path,
    problems: Problems,
    progress: Callable[[int, int], None] | None = None,
) -> ImageReport:
    """Encode what is not cached yet of the jobs (Requests.jobs), on every core, then place
    every file named (Requests.names())."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    report = ImageReport()
    todo: list[_Job] = []
    for job in jobs:
        shares = [(cache_dir / name).is_file() for name, _ in job.shares]
        report.shares_drawn += shares.count(False)
        report.shares_reused += shares.count(True)
        if job.photo is not None:
            cached = all((cache_dir / o.name).is_file() for o in job.outputs)
            report.photos_encoded += not cached
            report.photos_reused += cached
        else:
            cached = True
        if not cached or not all(shares):
            todo.append(job)
    # the largest photos first, so the last task to finish is a short one
    todo.sort(key=lambda j: -(j.photo.width * j.photo.height if j.photo else 0))
    errors: dict[int, str] = {}
    start = time.perf_counter()
    if len(todo) > 1:
        with ProcessPoolExecutor(min(len(todo), cores()), mp_context=_small()) as pool:
            futures = {pool.submit(_run, job, cache_dir): i for i, job in enumerate(todo)}
            for done, future in enumerate(as_completed(futures), 1):
                if error := future.result():
                    errors[futures[future]] = error
                if todo[futures[future]].photo is not None:
                    report.photo_seconds = time.perf_counter() - start
                if progress:
                    progress(done, len(todo))
    elif todo and (error := _run(todo[0], cache_dir)):
        errors[0] = error
    if len(todo) == 1 and todo[0].photo is not None:
        report.photo_seconds = time.perf_counter() - start
    for i, error in sorted(errors.items()):
        photo = todo[i].photo
        assert photo is not None  # drawing a share image without a photo reads no content
        problems.add("photo_unreadable", photo.path, value=Path(photo.source).name, detail=error)
    if errors:
        return report
    media = stage.path / "media"
    media.mkdir(parents=True, exist_ok=True)
    for name in sorted(names):
        _place(name, cache_dir, media)
        report.files += 1
    return report


def prune(names: set[str], cache_dir: Path, photos: Iterable[str]) -> int:
    """After a published build: delete cached files not named (Requests.names(): outputs of
    photos since changed or removed, or of older settings), and what probing photos other than
    the site's (`photos`, by content hash) found."""
    keep = names | {decode.probe_cache_name(sha256) for sha256 in photos}
    removed = 0
    for path in sorted(cache_dir.rglob("*")):
        if path.is_file() and path.relative_to(cache_dir).as_posix() not in keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
