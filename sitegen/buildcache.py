"""What the last build made, kept in .cache/build/ beside content/, so that the next build redoes
only what its inputs changed, and its output is still byte for byte what a clean build writes.

- Markdown: the HTML of each text, by the text's content hash (markup.remembering).
- Photos: the sha256 of each photo file, by its inode, size and times, so an unchanged photo
  is not read again to be hashed (load.content).
- Files: what reading and parsing a text or YAML file gave, with the problems it found, by the
  same key, so an unchanged file is not read again (load.content; an entry's files are read
  only when its checks are redone, so those are the vocabularies, pages and changed entries).
- Entries: what checking each entry's folder found (reading its files included), by its files'
  keys, its photos and the vocabularies, so an unchanged entry is not read or checked again
  (validate.entries); checks across entries run every build.
- Pages: each page's digest (everything its template read) with the photos it asked for; a
  page whose digest is unchanged is hard-linked from site/ instead of rendered (render.pages).
  With them, the templates each template uses; and in templates/ here, each template
  compiled (Jinja's bytecode cache).
- Calendars: each event's lines of iCalendar, by the key of everything they print; an event
  whose key is unchanged has its .ics file hard-linked from site/ (feeds.write).
- Search: what each shard of the index read, as one digest a shard, and each page's đ-words
  and sort values by the page's hash; a shard whose digest is unchanged is linked from site/
  instead of made again; for one that changed, only the changed pages' copies in pagefind/
  here are written again before Pagefind indexes the shard (search.index).
- Site: each published file's size, time and inode, so that a file is reused only if site/
  still holds it exactly as published (output.Stage.reuse).
- Folders: the site before the last one, emptied of files, in folders/ (listed in
  folders.pickle): the next build stages into them instead of making each folder again.
- Inputs: the digest of everything a build reads; unchanged, with site/ as published, there is
  nothing to do, and the last build's problems and counts are reported again.

Receives digests and values from the steps; owns .cache/build/. Knows no template and no model.
A missing, unreadable or outdated cache is an empty one: the build is then a clean build.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import BinaryIO, Generic, TypeVar

# Bump when what is stored changes shape.
FORMAT = 5
# Libraries whose version can change a byte of the output.
LIBRARIES = ("jinja2", "markdown", "nh3", "pyyaml", "pillow", "pagefind", "pagefind-bin")
CODE = Path(__file__).resolve().parent
K = TypeVar("K")
V = TypeVar("V")


class Recall(Generic[K, V]):
    """One memo of the last build, as a step sees it: what it finds is kept, what it adds is
    kept, and everything this build did not ask for is forgotten when the memory is written."""

    def __init__(self, previous: dict[K, V]) -> None:
        self.previous = previous
        self.now: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self.previous.get(key)
        if value is not None:
            self.now[key] = value
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self.now[key] = value


@dataclass(frozen=True)
class PageRecord:
    """One published page: its digest, the site-wide values its template read, and the photo
    and share image files it asked for."""

    digest: str
    site_names: tuple[str, ...]
    media: tuple[str, ...]
    sha256: str  # of the HTML, so that search need not read an unchanged page again


@dataclass
class Memory:
    """Everything .cache/build/ remembers; each build reads it at its start, and writes it
    back after it has published."""

    site_dir: str = ""
    markdown: dict[str, str] = field(default_factory=dict)
    photo_hashes: dict[tuple[int, ...], str] = field(default_factory=dict)
    files: dict[tuple[object, ...], tuple[object, tuple[object, ...]]] = field(default_factory=dict)
    code: str = ""  # the code_version() that made `files`, whose values are its own objects
    checked: dict[str, tuple[object, tuple[object, ...]]] = field(default_factory=dict)
    pages: dict[str, PageRecord] = field(default_factory=dict)
    layouts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    vevents: dict[str, str] = field(default_factory=dict)
    asked: str = ""  # the image files the last build asked for, as one digest
    words: dict[str, tuple[object, ...]] = field(default_factory=dict)  # search.Words
    search: str = ""
    # the copy of each page Pagefind reads, kept in .cache/build/search/: (page hash, state)
    mirrored: dict[str, tuple[str, tuple[int, int, int]]] = field(default_factory=dict)
    published: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    inputs: str = ""
    outcome: object = None  # the last published build's report, replayed when nothing changed

    def for_site(self, site_dir: Path) -> Memory:
        """What applies to building into `site_dir`: another output folder shares nothing
        published, only the content-addressed caches."""
        if self.site_dir == str(site_dir):
            return self
        return Memory(
            str(site_dir),
            self.markdown,
            self.photo_hashes,
            files=self.files,
            code=self.code,
            checked=self.checked,
        )


# Two files: what tells whether anything changed (small, read first), and the caches, read only
# when something did. Every cache is checked or content-addressed, so one file from a build and
# the other from the build before still make a correct build.
STATE = ("site_dir", "search", "published", "inputs", "outcome")
CACHES = (
    "markdown",
    "photo_hashes",
    "files",
    "code",
    "checked",
    "pages",
    "layouts",
    "vevents",
    "asked",
    "words",
    "mirrored",
)


def _file(folder: Path, part: str) -> Path:
    return folder / f"{part}-v{FORMAT}.pickle"


@contextmanager
def no_collection() -> Iterator[None]:
    """For making many objects that all live on (unpickling the caches, the model): the cyclic
    garbage collector would walk them again and again and find nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Each value is written as pickles of this many items of it at most: a pickler remembers every
# object it wrote until it is done, which for one pickle of a site of 60,000 pages took more
# memory than the build. An object two pieces share is written, and read back, twice.
PIECE = 2000


def _load(folder: Path, part: str) -> dict[str, object]:
    values: dict[str, object] = {}
    try:
        with open(_file(folder, part), "rb") as f, no_collection():
            for name, kind, count in pickle.load(f):  # the table of contents
                if kind == "dict":
                    value: dict[object, object] = {}
                    for _ in range(count):
                        value.update(pickle.load(f))
                    values[name] = value
                else:
                    values[name] = pickle.load(f)
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        TypeError,
        ValueError,
    ):
        return {}  # none yet, or written by other code: start clean
    return values


def _dump(f: BinaryIO, values: dict[str, object]) -> None:
    table = [
        (name, "dict", -(-len(value) // PIECE)) if isinstance(value, dict) else (name, "value", 1)
        for name, value in values.items()
    ]
    pickle.dump(table, f)
    for name, kind, _ in table:
        value = values[name]
        if kind == "value":
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            continue
        items = iter(value.items())  # type: ignore[attr-defined]
        while piece := dict(itertools.islice(items, PIECE)):
            pickle.dump(piece, f, protocol=pickle.HIGHEST_PROTOCOL)


def read(folder: Path | None, site_dir: Path, caches: bool = True) -> Memory:
    """What the last build left; only its state (is anything changed?) unless `caches`."""
    if folder is None:
        return Memory(str(site_dir))
    values = _load(folder, "state")
    if caches:
        values |= _load(folder, "caches")
        if values.get("code") != code_version():
            values.pop("files", None)  # parsed by other code: its results may differ
    memory = Memory(**{k: v for k, v in values.items() if k in STATE + CACHES})
    return memory.for_site(site_dir)


def write(folder: Path | None, memory: Memory) -> None:
    if folder is None:
        return
    memory.code = code_version()
    folder.mkdir(parents=True, exist_ok=True)
    for part, names in (("caches", CACHES), ("state", STATE)):  # the state last: it vouches
        target = _file(folder, part)
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        with open(tmp, "wb") as f:
            _dump(f, {name: getattr(memory, name) for name in names})
        os.replace(tmp, target)


def stat_key(stat: os.stat_result) -> tuple[int, ...]:
    """A file's identity and version: a change to its bytes changes its size, its modification
    time or, for the most careful tool, its change time, which no tool can set back."""
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def text_key(text: str, *more: object) -> str:
    return hashlib.sha256(repr((text, *more)).encode()).hexdigest()


@cache
def code_version() -> str:
    """The build's own code and the versions of the libraries it uses."""
    digest = hashlib.sha256()
    for path in sorted(CODE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(CODE).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-\0".encode())
    return digest.hexdigest()


def folder_files(folders: Iterable[Path]) -> dict[str, tuple[int, ...]]:
    """Every file and folder under the folders: a file's path to its stat key, a folder's
    (ending in '/') to (). Reads no file, so it costs a directory walk."""
    found: dict[str, tuple[int, ...]] = {}

    def scan(folder: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found[f"{entry.path}/"] = ()
                    scan(entry.path)
                else:
                    found[entry.path] = stat_key(entry.stat(follow_symlinks=False))

    for folder in folders:
        found[f"{folder}/"] = ()
        if folder.is_dir():
            scan(str(folder))
    return found


def folder_state(folders: Iterable[Path]) -> str:
    """folder_files() as one digest: equal only if no file was added, removed or written."""
    digest = hashlib.sha256()
    for path, key in sorted(folder_files(folders).items()):
        digest.update(f"{path}\0{key}\0".encode())
    return digest.hexdigest()
