"""Encode the photo variants pages asked for: Pillow, a content-hash cache, all cores.

Render asks (`variant` returns the URL and size at once and records the request); this module
does the work afterwards, so pages never wait on encoding.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps

from .errors import Problems
from .model import Photo
from .output import Stage

# Bump when encoding changes, so cached files made the old way are not reused.
PIPELINE_VERSION = 1
QUALITY = {"jpeg": 82, "webp": 80}


@dataclass(frozen=True)
class Variant:
    url: str
    width: int
    height: int


@dataclass
class Requests:
    base: str
    wanted: dict[str, tuple[Photo, int, str]] = field(default_factory=dict)

    def variant(self, photo: Photo, width: int, fmt: str = "jpeg") -> Variant:
        width = min(width, photo.width)  # never upscale
        height = round(photo.height * width / photo.width)
        name = f"{photo.sha256[:16]}-{width}-v{PIPELINE_VERSION}.{'jpg' if fmt == 'jpeg' else fmt}"
        self.wanted[name] = (photo, width, fmt)
        return Variant(f"{self.base}media/{name}", width, height)


def _encode(job: tuple[str, int, str, str]) -> str | None:
    source, width, fmt, target = job
    try:
        with Image.open(source) as img:
            img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            if img.width != width:
                img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
            tmp = f"{target}.tmp-{os.getpid()}"
            # No exif or icc_profile passed: the output carries no GPS, serials or comments.
            img.save(tmp, fmt.upper(), quality=QUALITY[fmt], optimize=True)
            os.replace(tmp, target)
    except Exception as err:
        return f"{source}: {err}"
    return None


def process(requests: Requests, stage: Stage, cache_dir: Path, problems: Problems) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    jobs = [
        (photo.source, width, fmt, str(cache_dir / name))
        for name, (photo, width, fmt) in sorted(requests.wanted.items())
        if not (cache_dir / name).exists()
    ]
    if jobs:
        with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
            for job, error in zip(jobs, pool.map(_encode, jobs), strict=True):
                if error:
                    problems.add("photo_unreadable", job[0], value=Path(job[0]).name, detail=error)
    for name in sorted(requests.wanted):
        if (cache_dir / name).exists():
            target = stage.path / "media" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache_dir / name, target)
