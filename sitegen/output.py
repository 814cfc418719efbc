"""The only code that touches site/: build into a staging folder beside it, swap on success.

A failed or interrupted build deletes its staging folder and leaves site/ byte-for-byte as it was.
A file the build would write unchanged can instead be hard-linked from site/, if site/ still
holds it exactly as it was published (`reuse`, with what `published` recorded).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A published file as last seen: inode, size, modification time.
FileState = tuple[int, int, int]


class Stage:
    def __init__(self, site_dir: Path, previous: dict[str, FileState] | None = None) -> None:
        self.site_dir = site_dir
        self.path = site_dir.with_name(f"{site_dir.name}.staging-{os.getpid()}")
        self.published = False
        self.previous = previous or {}
        self.linked: set[str] = set()  # files hard-linked from site/, never to be written through
        self.removing: threading.Thread | None = None  # the old site, once published
        self.folders: set[Path] = set()

    def write(self, relative: str, data: str | bytes) -> None:
        target = self.path / relative
        self._folder(target.parent)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if relative in self.linked:  # never write through a link into the published site
            target.unlink()
            self.linked.discard(relative)
        target.write_bytes(data)

    def _folder(self, folder: Path) -> None:
        if folder not in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)

    def reuse(self, relative: str) -> bool:
        """Hard-link `relative` from site/ into staging if site/ holds it as it was published
        (same inode, size and time); False if not, and the caller makes it again."""
        known = self.previous.get(relative)
        if known is None:
            return False
        source = self.site_dir / relative
        try:
            stat = source.stat(follow_symlinks=False)
        except OSError:
            return False
        if _state(stat) != known:
            return False
        target = self.path / relative
        self._folder(target.parent)
        if relative in self.linked:
            return True
        os.link(source, target)
        self.linked.add(relative)
        return True

    def publish(self) -> None:
        """Two renames: the old site steps aside, the new one takes its name, then the old one
        is removed. Between the renames site/ is missing for an instant, never half written.
        The removal runs on a thread of its own, done before staging() returns."""
        old = self.site_dir.with_name(f"{self.site_dir.name}.old-{os.getpid()}")
        if self.site_dir.exists():
            os.replace(self.site_dir, old)
        os.replace(self.path, self.site_dir)
        self.published = True
        if old.exists():
            self.removing = threading.Thread(target=shutil.rmtree, args=(old,))
            self.removing.start()


def _state(stat: os.stat_result) -> FileState:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def published(site_dir: Path) -> dict[str, FileState]:
    """Every file of the published site as it is now, for the next build's `reuse`."""
    files: dict[str, FileState] = {}

    def scan(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    scan(entry.path, f"{prefix}{entry.name}/")
                else:
                    files[prefix + entry.name] = _state(entry.stat(follow_symlinks=False))

    if site_dir.is_dir():
        scan(str(site_dir), "")
    return files


@contextmanager
def staging(site_dir: Path, previous: dict[str, FileState] | None = None) -> Iterator[Stage]:
    """`previous`: what `published` found after the last build, so unchanged files are reused."""
    stage = Stage(site_dir, previous)
    if stage.path.exists():
        shutil.rmtree(stage.path)
    stage.path.mkdir(parents=True)
    try:
        yield stage
    finally:
        if stage.removing:
            stage.removing.join()
        if not stage.published and stage.path.exists():
            shutil.rmtree(stage.path)
