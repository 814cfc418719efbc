"""The only code that touches site/: build into a staging folder beside it, swap on success.

A failed or interrupted build deletes its staging folder and leaves site/ byte-for-byte as it was.
A file the build would write unchanged can instead be hard-linked from site/, if site/ still
holds it exactly as it was published (`reuse`, with what `published` recorded).

Given a `folders` place (in the build cache), the replaced site's folders are kept there, its
files removed, and the next build stages into them: making and removing thousands of folders
costs far more than the files in them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# A published file as last seen: inode, size, modification time.
FileState = tuple[int, int, int]


class Kept:
    """Files written into memory, not anywhere on disk: what a preview shows at once."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, relative: str, data: str | bytes) -> None:
        self.files[relative] = data.encode("utf-8") if isinstance(data, str) else data


class Stage:
    def __init__(
        self,
        site_dir: Path,
        previous: dict[str, FileState] | None = None,
        folders: Path | None = None,
    ) -> None:
        self.site_dir, self.spare = site_dir, folders
        self.path = site_dir.with_name(f"{site_dir.name}.staging-{os.getpid()}")
        self.published = False
        self.previous = previous or {}
        self.linked: set[str] = set()  # files hard-linked from site/, never to be written through
        self.removing: threading.Thread | None = None  # the old site, once published
        self.folders: set[str] = set()  # relative to the staging folder, made or found
        self.kept: list[str] = []  # folders from the last site, to remove if still empty

    def write(self, relative: str, data: str | bytes) -> None:
        target = f"{self.path}/{relative}"
        self._folder(relative)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if relative in self.linked:  # never write through a link into the published site
            os.unlink(target)
            self.linked.discard(relative)
        with open(target, "wb") as f:
            f.write(data)

    def _folder(self, relative: str) -> None:
        """The folder of `relative`, made if need be. Paths as strings: a build links
        thousands of files, and pathlib's parsing cost more than the system calls."""
        parent = relative.rpartition("/")[0]
        if parent not in self.folders:
            os.makedirs(f"{self.path}/{parent}" if parent else self.path, exist_ok=True)
            self.folders.add(parent)

    def reuse(self, relative: str) -> bool:
        """Hard-link `relative` from site/ into staging if site/ holds it as it was published
        (same inode, size and time); False if not, and the caller makes it again."""
        known = self.previous.get(relative)
        if known is None:
            return False
        source = f"{self.site_dir}/{relative}"
        try:
            stat = os.stat(source, follow_symlinks=False)
        except OSError:
            return False
        if _state(stat) != known:
            return False
        self._folder(relative)
        if relative in self.linked:
            return True
        os.link(source, f"{self.path}/{relative}")
        self.linked.add(relative)
        return True

    def linked_states(self) -> dict[str, FileState]:
        """The state of each file linked from site/, which linking left as it was."""
        return {rel: self.previous[rel] for rel in self.linked}

    def publish(self) -> None:
        """Two renames: the old site steps aside, the new one takes its name, then the old one
        is removed (or emptied of files, to be the next build's folders). Between the renames
        site/ is missing for an instant, never half written. The removal runs on a thread of
        its own, done before staging() returns."""
        self._prune_kept()
        old = self.site_dir.with_name(f"{self.site_dir.name}.old-{os.getpid()}")
        if self.site_dir.exists():
            os.replace(self.site_dir, old)
        os.replace(self.path, self.site_dir)
        self.published = True
        if old.exists():
            self.removing = threading.Thread(target=_clear, args=(old, self.spare))
            self.removing.start()

    def _start(self) -> None:
        """An empty staging folder, with the folders of the site before last if kept."""
        if self.path.exists():
            shutil.rmtree(self.path)
        if self.spare is not None and self.spare.is_dir():
            try:
                with open(_listing(self.spare), "rb") as f:
                    kept = pickle.load(f)
                os.replace(self.spare, self.path)
                self.kept = kept
                return
            except (OSError, pickle.UnpicklingError, EOFError):
                shutil.rmtree(self.spare, ignore_errors=True)
        self.path.mkdir(parents=True)

    def _prune_kept(self) -> None:
        """A kept folder no file went into this time is not part of the site (a deleted entry's,
        say): removed, deepest first, as a clean build would not have made it."""
        for rel in self.kept:
            if rel not in self.folders:
                # not empty: search or photos wrote into it, so it is part of the site (a clean
                # build makes no empty folder)
                with contextlib.suppress(OSError):
                    os.rmdir(f"{self.path}/{rel}")


def _clear(old: Path, spare: Path | None) -> None:
    """Remove `old`, or, given `spare`, remove its files and keep its folders there, with the
    list of them, deepest first."""
    if spare is None or spare.exists():
        shutil.rmtree(old)
        return
    folders: list[str] = []

    def empty(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    empty(entry.path, f"{prefix}{entry.name}/")
                    folders.append(prefix + entry.name)
                else:
                    os.unlink(entry.path)

    try:
        empty(str(old), "")
        listing = _listing(spare)
        listing.parent.mkdir(parents=True, exist_ok=True)
        with open(listing, "wb") as f:
            pickle.dump(folders, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(old, spare)  # only now: a folder holding any file is never kept
    except OSError:  # another file system, say: nothing kept
        shutil.rmtree(old, ignore_errors=True)


def _listing(spare: Path) -> Path:
    return spare.with_name(f"{spare.name}.pickle")


def _state(stat: os.stat_result) -> FileState:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def published(site_dir: Path, known: dict[str, FileState] | None = None) -> dict[str, FileState]:
    """Every file of the published site as it is now, for the next build's `reuse`. `known`:
    files whose state is known without a stat (those a build linked: the same inode)."""
    files: dict[str, FileState] = {}
    known = known or {}

    def scan(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    scan(entry.path, f"{prefix}{entry.name}/")
                else:
                    rel = prefix + entry.name
                    state = known.get(rel)
                    files[rel] = state or _state(entry.stat(follow_symlinks=False))

    if site_dir.is_dir():
        scan(str(site_dir), "")
    return files


@contextmanager
def staging(
    site_dir: Path, previous: dict[str, FileState] | None = None, folders: Path | None = None
) -> Iterator[Stage]:
    """`previous`: what `published` found after the last build, so unchanged files are reused;
    `folders`: where the replaced site's folders are kept for the next build (None: nowhere)."""
    stage = Stage(site_dir, previous, folders)
    stage._start()
    try:
        yield stage
    finally:
        if stage.removing:
            stage.removing.join()
        if not stage.published and stage.path.exists():
            shutil.rmtree(stage.path)
