"""Pagefind over the staged HTML: one search index per language. Never sees the model.

Receives the staging folder once pages, photos and feeds are in it; writes `pagefind/` there.
Pages opt in with `data-pagefind-body` (spaces and events) and Pagefind files each under its
`<html lang>`, so a page showing the other language's text is found from its own language's
search. `index_size` measures the result, for the benchmark.

A large site's index is split into shards of about SHARD_PAGES pages, each entry's pages always
in the same shard, so that a changed entry re-indexes one shard, not the site. The first shard
is pagefind/ itself; assets/search.js merges the others (listed in pagefind/shards.json) with
Pagefind's mergeIndex, and orders sorted results across shards by the ranks each one carries.

Pagefind 1.5 folds tone marks on both sides ("bao tang" finds "Bảo tàng", and an exact
"bảo tàng" ranks first) but not đ, which Unicode does not decompose: "dinh" never meets "đình".
So each page reaches Pagefind with a hidden copy of its đ-words spelt with d, under the same
heading level as the original so that it weighs the same. The copy exists only in what Pagefind
reads; the page on disk is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

from pagefind.service import PagefindService

from .buildcache import Recall, code_version

FOLDER = "pagefind"
# Pages per shard of the index. Pagefind has no incremental mode and takes about a millisecond a
# page, holding every page of an index in memory: shards of this size keep the re-indexing after
# one entry changed near a second, and the memory of a site of 60,000 pages near 100 MB.
SHARD_PAGES = 1000
SHARDS = "shards.json"  # the folders of the shards after the first, for assets/search.js
RANKS = "ranks.json"  # with more than one shard: each result's place in each sort order
WRITE_WAIT = 600  # checks 50 ms apart: half a minute for Pagefind to finish writing
# Pagefind's ready-made interfaces; assets/search.js uses pagefind.js directly, so these would
# only be 400 kB of files nobody loads in every deploy.
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)  # fmt: skip
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_D_WORD = re.compile(r"\w*[đĐ]\w*")
# A start or end tag (attribute values quoted), or a comment, declaration or instruction.
_MARKUP = re.compile(
    r"<(?:(?P<end>/?)(?P<tag>[a-zA-Z][^\t\n\r\f />\x00]*)"
    r"(?P<attrs>[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*)>"
    r"|!--.*?-->|![^>]*>|\?[^>]*>)",
    re.S,
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_NAME_SPLIT = re.compile(r"[\s=/]+")
_SORT = re.compile(r'<span data-pagefind-sort="([^"]+)">([^<]*)</span>')


class _Reader:
    """Finds what Pagefind will index of a page: whether it has a body, and its đ-words with
    the heading level each sits under ('p' for running text). Reads the HTML our templates and
    the sanitizer write (quoted attributes, escaped text) as html.parser.HTMLParser would, with
    one regular expression: a page parsed by HTMLParser costs more than Pagefind indexing it.

    `view` digests what Pagefind reads of it: every data-pagefind-body element whole, and
    outside them the <html> tag (its lang), the <title> and each tag with a data-pagefind
    attribute, with the text that follows it. A page whose view is unchanged is indexed as
    before, whatever changed around it (a template's header, a link in the footer)."""

    def __init__(self) -> None:
        # open elements: (tag, indexed, in a body, heading level); indexed means inside
        # data-pagefind-body and outside data-pagefind-ignore
        self.stack: list[tuple[str, bool, bool, str]] = [("", False, False, "p")]
        self.open: dict[str, int] = {}
        self.has_body = False
        self.d_words: list[tuple[str, str]] = []
        self.view = hashlib.sha256()
        self._next = False  # the text after a tag Pagefind reads outside a body
        self._parts: list[str] = []

    def feed(self, html: str) -> None:
        self._parts.append(html)

    def close(self) -> None:
        html, at = "".join(self._parts), 0
        for markup in _MARKUP.finditer(html):
            if markup.start() < at:  # inside a script or style, already read as text
                continue
            self._data(html[at : markup.start()], escaped=True)
            self._next = False
            at = markup.end()
            tag = markup["tag"]
            if not tag:
                continue  # a comment, declaration or processing instruction
            tag = tag.lower()
            if markup["end"]:
                if self.stack[-1][2]:
                    self.view.update(markup[0].encode())
                self._end(tag)
                continue
            attrs = markup["attrs"]
            names = set()
            if "data-pagefind" in attrs:
                names = set(_NAME_SPLIT.split(_QUOTED.sub(" ", attrs).lower()))
            self._start(tag, names)
            if self.stack[-1][2] or names or tag in ("html", "title"):
                self.view.update(markup[0].encode())
                self._next = not self.stack[-1][2]
            if attrs.endswith("/"):
                self._end(tag)
            elif tag in ("script", "style"):  # raw text up to its end tag, never unescaped
                close = re.compile(rf"</\s*{tag}\s*>", re.I).search(html, at)
                stop = close.start() if close else len(html)
                self._data(html[at:stop], escaped=False)
                at = stop
        self._data(html[at:], escaped=True)

    def _start(self, tag: str, names: set[str]) -> None:
        if tag in _VOID:
            return
        _, parent_indexed, parent_body, parent_heading = self.stack[-1]
        body = parent_body or "data-pagefind-body" in names
        ignored = "data-pagefind-ignore" in names or (parent_body and not parent_indexed)
        self.has_body |= body
        heading = tag if tag in _HEADINGS else parent_heading
        self.stack.append((tag, body and not ignored, body, heading))
        self.open[tag] = self.open.get(tag, 0) + 1

    def _end(self, tag: str) -> None:
        if self.open.get(tag):
            while True:
                closed = self.stack.pop()[0]
                self.open[closed] -= 1
                if closed == tag:
                    break

    def _data(self, data: str, escaped: bool) -> None:
        _, indexed, body, heading = self.stack[-1]
        if body or self._next:
            self.view.update(data.encode())
        if indexed and data:
            if escaped and "&" in data:
                data = unescape(data)
            for word in _D_WORD.findall(data):
                self.d_words.append((heading, word.replace("đ", "d").replace("Đ", "D")))


def with_d_spellings(html: str, d_words: list[tuple[str, str]]) -> str:
    """The page as Pagefind should read it: plus a hidden body holding the đ-words with d."""
    if not d_words:
        return html
    copy = "".join(
        f"<{tag}>{escape(' '.join(word for _, word in group))}</{tag}>"
        for tag, group in itertools.groupby(d_words, key=lambda pair: pair[0])
    )
    head, end, tail = html.rpartition("</body>")
    return f"{head}<div data-pagefind-body hidden>{copy}</div>{end}{tail}"


async def _index(jobs: list[tuple[Path, Path]]) -> None:
    """Index each folder of pages into its output folder, one after the other, each in a
    service of its own: Pagefind holds every page of an index in memory, and a service that
    indexed shard after shard kept growing (from 140 to 246 MiB over the 60 shards of XL)."""
    for pages, output in jobs:
        async with PagefindService() as service:  # stops the service on leaving
            index = await service.create_index()
            await index.add_directory(str(pages))
            await index.write_files(str(output))
            # The service answers once every file exists, while its writes may still be running
            # in the background, and stopping it then leaves empty files: wait until all are
            # whole.
            for _ in range(WRITE_WAIT):
                if _written(output):
                    break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"{output}: Pagefind did not finish writing its files")
            await index.delete_index()


def _written(folder: Path) -> bool:
    try:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if not data:
                    return False
                if path.suffix.startswith(".pf_") or path.name.startswith("wasm."):
                    gzip.decompress(data)  # checks the length and CRC
        json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, EOFError, zlib.error, ValueError):  # BadGzipFile is an OSError
        return False
    return True


# What the reader found in a page: whether it has a body, its đ-words, its sort values, and the
# digest of what Pagefind reads of it (_Reader.view).
Words = tuple[bool, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], str]


# A copy of a page as Pagefind read it: the page's hash, and the copy's inode, size and time.
Mirrored = tuple[str, tuple[int, int, int]]


@dataclass(frozen=True)
class Memo:
    """What the last build indexed: each page's words by the page's hash, the digests of what
    each shard of the index read, and the index's files in site/ with a way to reuse them
    (output.Stage); the hashes of pages this build did not write (it need not read them), and
    the folder of the copies Pagefind reads, kept between builds with what each was made from."""

    words: Recall[str, Words]
    digest: str
    files: tuple[str, ...]
    reuse: Callable[[str], bool]
    known: dict[str, str]
    mirror: Path
    mirrored: Recall[str, Mirrored]


@dataclass(frozen=True)
class _Page:
    rel: str
    key: str  # the page's hash
    d_words: tuple[tuple[str, str], ...]
    sorts: tuple[tuple[str, str], ...]
    view: str  # the digest of what Pagefind reads of it


def index(stage: Path, memo: Memo | None = None) -> str:
    """Index the staged pages; returns the digests of what each shard of the index read. With
    `memo`, unchanged pages are not read again, a shard made from the same pages is reused
    whole, and only the copies of changed pages are written again for Pagefind."""
    folder = stage / FOLDER
    shards = _shards(_pages(stage, memo))
    digests = [_digest(shard, len(shards)) for shard in shards]
    before = memo.digest.split() if memo else []
    published: dict[int | None, list[str]] = {}  # the last index's files, by shard
    for name in memo.files if memo else ():
        published.setdefault(_shard_of(name[len(FOLDER) + 1 :]), []).append(name)
    jobs: list[tuple[int, list[_Page], Path, Path]] = []
    for n, shard in enumerate(shards):  # the first first: the others are folders inside it
        if (
            memo
            and before[n : n + 1] == [digests[n]]
            and _reused(published.get(n, []), memo.reuse, folder / _shard_folder(n))
        ):
            continue
        if memo:
            pages = memo.mirror / str(n)
            _copy(stage, shard, pages, memo)
        else:
            pages = Path(tempfile.mkdtemp(prefix="pagefind-"))
            for page in shard:
                _write_copy(stage / page.rel, pages / page.rel, page.d_words)
        jobs.append((n, shard, pages, Path(tempfile.mkdtemp(prefix=".pagefind-", dir=stage))))
    if memo:
        _forget_shards(memo.mirror, len(shards))
    try:
        if jobs:
            _run(_index([(pages, output) for _, _, pages, output in jobs]))
        for n, shard, _, output in jobs:
            _stabilise(output)
            for path in output.iterdir():
                # the shards after the first are searched with the first one's code
                code = path.suffix == ".js" or path.name.startswith("wasm.")
                if path.name in UNUSED or (n and code):
                    path.unlink()
            if len(shards) > 1:
                _write_ranks(output, shard)
            target = folder / _shard_folder(n)
            target.mkdir(parents=True, exist_ok=True)
            for path in output.iterdir():
                os.replace(path, target / path.name)
    finally:
        for _, _, pages, output in jobs:
            shutil.rmtree(output, ignore_errors=True)
            if not memo:
                shutil.rmtree(pages, ignore_errors=True)
    more = [_shard_folder(n) for n in range(1, len(shards))]
    (folder / SHARDS).write_text(json.dumps(more), encoding="utf-8")
    return " ".join(digests)


def _pages(stage: Path, memo: Memo | None) -> list[_Page]:
    """The pages Pagefind indexes (those with a body), in path order."""
    pages = []
    version = code_version()[:16]
    for path in sorted(stage.rglob("*.html")):
        rel = path.relative_to(stage).as_posix()
        key = memo.known.get(rel) if memo else None
        words = memo.words.get(f"{key}:{version}") if memo and key else None
        if words is None:
            html = path.read_text(encoding="utf-8")
            key = hashlib.sha256(html.encode()).hexdigest()
            words = _words(html)
            if memo:
                memo.words[f"{key}:{version}"] = words
        if words[0]:
            pages.append(_Page(rel, key, words[1], words[2], words[3]))
    return pages


def _shards(pages: list[_Page]) -> list[list[_Page]]:
    """The pages split into about SHARD_PAGES each, an entry's pages in every language together,
    each entry always in the same shard while the number of shards stays the same: changing
    one entry re-indexes one shard."""
    count = max(1, math.ceil(len(pages) / SHARD_PAGES))
    shards: list[list[_Page]] = [[] for _ in range(count)]
    for page in pages:
        entry = page.rel.split("/", 1)[-1]  # the same for every language's page of an entry
        shards[int(hashlib.sha256(entry.encode()).hexdigest()[:8], 16) % count].append(page)
    return [shard for shard in shards if shard] or [[]]  # no page: Pagefind's code still


def _digest(shard: list[_Page], count: int) -> str:
    digest = hashlib.sha256(f"{code_version()}\0{count}".encode())
    for page in shard:
        digest.update(f"{page.rel}\0{page.view}\0".encode())
    return digest.hexdigest()


def _shard_folder(n: int) -> str:
    """Where shard n lives under pagefind/: the first, with Pagefind's code, in pagefind/
    itself; the others in numbered folders, which Pagefind's own folders never are."""
    return f"{n}/" if n else ""


def _shard_of(name: str) -> int | None:
    """The shard an index file in pagefind/ belongs to; None for the list of shards."""
    first, _, rest = name.partition("/")
    if not rest:
        return None if first == SHARDS else 0
    return int(first) if first.isdigit() else 0


def _reused(files: list[str], reuse: Callable[[str], bool], folder: Path) -> bool:
    """Link a shard's files from site/; False, with none of them left, if any has changed."""
    if files and all(reuse(name) for name in files):
        return True
    # some may be linked: Pagefind must not write through them
    shutil.rmtree(folder, ignore_errors=True)
    return False


def _write_ranks(output: Path, shard: list[_Page]) -> None:
    """Each result's place in every sort order of the whole site, by its fragment's name: the
    JavaScript merging the shards' results sorts by these, as each shard sorts only its own."""
    where = {"/" + page.rel.removesuffix("index.html"): page for page in shard}
    ranks: dict[str, dict[str, int]] = {}
    for path in sorted((output / "fragment").iterdir()):
        fragment = json.loads(gzip.decompress(path.read_bytes())[len(_MAGIC) :])
        page = where.get(fragment["url"])
        for name, value in page.sorts if page else ():
            if value.isdigit():
                ranks.setdefault(name, {})[path.name.removesuffix(".pf_fragment")] = int(value)
    text = json.dumps({name: dict(sorted(v.items())) for name, v in sorted(ranks.items())})
    (output / RANKS).write_text(text, encoding="utf-8")


def _words(html: str) -> Words:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    sorts = tuple(_SORT.findall(html)) if reader.has_body else ()
    # kept for every page of the site until the build ends: a run of words under one heading
    # as one string (with_d_spellings joins them so anyway)
    d_words = tuple(
        (sys.intern(tag), " ".join(word for _, word in run))
        for tag, run in itertools.groupby(reader.d_words, key=lambda pair: pair[0])
    )
    return reader.has_body, d_words, sorts, reader.view.hexdigest()


def _write_copy(page: Path, copy: Path, d_words: tuple[tuple[str, str], ...]) -> None:
    copy.parent.mkdir(parents=True, exist_ok=True)
    html = page.read_text(encoding="utf-8")
    copy.write_text(with_d_spellings(html, list(d_words)), encoding="utf-8")


def _copy(stage: Path, shard: list[_Page], mirror: Path, memo: Memo) -> None:
    """Bring the folder Pagefind reads for a shard up to date: write the copies of changed
    pages, remove the copies of pages gone, keep the rest (checked against what was recorded
    of each)."""
    wanted = set()
    for page in shard:
        wanted.add(page.rel)
        copy = mirror / page.rel
        key = f"{mirror.name}/{page.rel}"
        was = memo.mirrored.get(key)
        if was is not None and was[0] == page.key and _state(copy) == was[1]:
            continue
        _write_copy(stage / page.rel, copy, page.d_words)
        memo.mirrored[key] = (page.key, _state(copy))
    for root, dirs, files in os.walk(mirror, topdown=False):
        for name in files:
            path = Path(root) / name
            if path.relative_to(mirror).as_posix() not in wanted:
                path.unlink()
        for name in dirs:
            with contextlib.suppress(OSError):  # not empty: pages remain in it
                (Path(root) / name).rmdir()


def _forget_shards(mirror: Path, count: int) -> None:
    """Remove the copies of shards that no longer exist (the site shrank), and of an older
    layout."""
    if mirror.is_dir():
        for path in mirror.iterdir():
            if not (path.name.isdigit() and int(path.name) < count):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()


def _state(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0, 0)
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _run(job: Coroutine[object, object, None]) -> None:
    """asyncio.run, also from a caller that already has a loop running in this thread (a
    server, a test driving a browser): the index is then built on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(job)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, job).result()


# --- the same bytes from the same pages -------------------------------------------------------
# Pagefind 1.5 writes the languages, each filter's values and each language's filters and sorts
# in hash-map order, which changes from run to run (Pagefind/pagefind#638; its source says
# "TODO: Change filter indexes to BTree to give them a stable hash"). Those files are gzipped
# CBOR named after their SHA-1, so they are rewritten sorted and renamed, and each new name is
# passed up: filter files -> the language's pf_meta -> pagefind-entry.json.

_MAGIC = b"pagefind_dcd"


def _stabilise(folder: Path) -> None:
    entry_path = folder / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, info in entry["languages"].items():
        meta_path = folder / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)  # [version, pages, word chunks, filters, sorts, meta keys]
        filters = []
        for name, old in meta[3]:
            old_path = folder / "filter" / f"{old}.pf_filter"
            inner_name, values = _read(old_path)
            old_path.unlink()
            filters.append([name, _write(folder / "filter", lang, 7, [inner_name, sorted(values)])])
        meta[3], meta[4] = sorted(filters), sorted(meta[4])
        meta_path.unlink()
        info["hash"] = _write(folder, lang, 10, meta)
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _read(path: Path) -> list:  # type: ignore[type-arg]
    data = gzip.decompress(path.read_bytes())
    value, end = _cbor_decode(data, len(_MAGIC)) if data.startswith(_MAGIC) else (None, 0)
    if end != len(data) or not isinstance(value, list):
        raise ValueError(f"{path}: not the Pagefind data this build knows")
    return value


def _write(folder: Path, lang: str, length: int, value: list) -> str:  # type: ignore[type-arg]
    """Writes the value as Pagefind does, under the name Pagefind gives it; returns the name."""
    data = _cbor_encode(value)
    digest = "".join(f"{byte:x}" for byte in hashlib.sha1(data).digest())  # unpadded, like Pagefind
    name = f"{lang}_{digest[:length]}"
    path = folder / (f"pagefind.{name}.pf_meta" if length == 10 else f"{name}.pf_filter")
    if path.exists():
        raise RuntimeError(f"{path}: two Pagefind files would share this name")
    path.write_bytes(gzip.compress(_MAGIC + data, compresslevel=9, mtime=0))
    return name


# Pagefind's meta and filter files hold three CBOR types: unsigned integers, text and arrays.
_UINT, _TEXT, _ARRAY = 0, 3, 4


def _cbor_decode(data: bytes, i: int) -> tuple[object, int]:
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n, i = int.from_bytes(data[i : i + size], "big"), i + size
    else:
        raise ValueError(f"CBOR: indefinite length at byte {i}")
    if major == _UINT:
        return n, i
    if major == _TEXT:
        return data[i : i + n].decode("utf-8"), i + n
    if major == _ARRAY:
        items = []
        for _ in range(n):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    raise ValueError(f"CBOR: type {major} at byte {i}")


def _cbor_encode(value: object) -> bytes:
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _cbor_head(_TEXT, len(text)) + text
    if isinstance(value, list):
        return _cbor_head(_ARRAY, len(value)) + b"".join(map(_cbor_encode, value))
    if isinstance(value, int) and value >= 0:
        return _cbor_head(_UINT, value)
    raise TypeError(f"CBOR: cannot encode {value!r}")


def _cbor_head(major: int, n: int) -> bytes:
    """The shortest head, as Pagefind's encoder (minicbor) writes it."""
    if n < 24:
        return bytes([major << 5 | n])
    size = next(size for size in (1, 2, 4, 8) if n < 1 << (8 * size))
    return bytes([major << 5 | (24 + size.bit_length() - 1)]) + n.to_bytes(size, "big")


@dataclass(frozen=True)
class IndexSize:
    pages: int  # pages indexed, every language
    index_bytes: int  # grows with the content: entry, metadata, words, filters, fragments
    library_bytes: int  # the same for any site: pagefind.js, its worker, its WebAssembly

    @property
    def bytes_per_page(self) -> float:
        return self.index_bytes / self.pages if self.pages else 0.0


def index_size(site: Path) -> IndexSize:
    folder = site / FOLDER
    listed = folder / SHARDS  # absent from an index Pagefind alone made: one shard
    shards = ["", *(json.loads(listed.read_text(encoding="utf-8")) if listed.is_file() else [])]
    entries = [json.loads((folder / s / "pagefind-entry.json").read_bytes()) for s in shards]
    files = [p for p in folder.rglob("*") if p.is_file()]
    library = [p for p in files if p.suffix == ".js" or p.name.startswith("wasm.")]
    return IndexSize(
        pages=sum(lang["page_count"] for e in entries for lang in e["languages"].values()),
        index_bytes=sum(p.stat().st_size for p in files if p not in library),
        library_bytes=sum(p.stat().st_size for p in library),
    )
