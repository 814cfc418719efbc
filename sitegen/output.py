"""The only code that touches site/: build into a staging folder beside it, swap on success.

A failed or interrupted build deletes its staging folder and leaves site/ byte-for-byte as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Stage:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.path = site_dir.with_name(f"{site_dir.name}.staging-{os.getpid()}")
        self.published = False

    def write(self, relative: str, data: str | bytes) -> None:
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        target.write_bytes(data)

    def publish(self) -> None:
        """Two renames: the old site steps aside, the new one takes its name, then the old one
        is removed. Between the renames site/ is missing for an instant, never half written."""
        old = self.site_dir.with_name(f"{self.site_dir.name}.old-{os.getpid()}")
        if self.site_dir.exists():
            os.replace(self.site_dir, old)
        os.replace(self.path, self.site_dir)
        self.published = True
        if old.exists():
            shutil.rmtree(old)


@contextmanager
def staging(site_dir: Path) -> Iterator[Stage]:
    stage = Stage(site_dir)
    if stage.path.exists():
        shutil.rmtree(stage.path)
    stage.path.mkdir(parents=True)
    try:
        yield stage
    finally:
        if not stage.published and stage.path.exists():
            shutil.rmtree(stage.path)
