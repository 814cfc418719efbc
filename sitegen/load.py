"""Read the content tree into raw entries: YAML nodes with their lines, text, photo headers.

Receives the content folder; returns RawContent. Judges nothing about meaning (that is
validate.py), but a file that cannot be read as text or YAML at all becomes a Problem here,
because later steps have nothing to look at.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from . import decode
from .buildcache import Recall, stat_key
from .errors import Problem, Problems

LANGS = ("vi", "en")
KINDS = ("spaces", "events")
TEXT_LIMIT = 64 * 1024
PHOTO_LIMIT = 20 * 1024 * 1024
PHOTO_PIXELS = decode.PIXEL_LIMIT
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
DEPTH_LIMIT = 8


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A YAML mapping as plain data (every scalar a str, or None when empty), with the line
    of each key path ("photos[0].alt.en") so validation can point at what the member typed."""

    data: object
    lines: dict[str, int]
    path: str

    def line(self, key: str) -> int | None:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0] if "." in key else key.rpartition("[")[0]
        return self.lines.get("")


@dataclass(frozen=True, slots=True)
class TextFile:
    path: str
    front: YamlDoc | None
    body: str


@dataclass(frozen=True, slots=True)
class PhotoFile:
    """A photo as found by a full decode (decode.probe): its size as shown (after the EXIF
    orientation), its placeholder colours, or why it cannot be read."""

    name: str
    source: Path
    size: int
    sha256: str | None = None
    format: str | None = None
    width: int = 0
    height: int = 0
    error: str | None = None
    colours: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Bundle:
    """One entry's folder."""

    kind: str
    slug: str
    path: str
    facts: YamlDoc | None
    texts: dict[str, TextFile | None]
    photos: dict[str, PhotoFile] = field(default_factory=dict)
    other_files: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()  # files already reported (links), not to report again
    # each of facts.yaml, vi.md and en.md: its stat key, or why it was not read; with the
    # fields above, equal only if the bundle is (validate.entries reuses its checks by it)
    version: tuple[object, ...] = ()
    # files listed but not read yet (name, path, stat key, size): `complete` reads them
    unread: tuple[tuple[str, str, tuple[int, ...], int], ...] = ()


@dataclass(frozen=True, slots=True)
class RawContent:
    root: Path
    vocabularies: YamlDoc | None
    bundles: dict[str, list[Bundle]]
    pages: dict[str, dict[str, TextFile | None]]


class _ContentError(Exception):
    def __init__(self, code: str, mark: yaml.Mark | None, **values: object) -> None:
        super().__init__(code)
        self.code, self.mark, self.values = code, mark, values


class _Strict:
    """Safe loading, and refuses what a member never needs but an attacker might use:
    aliases (which can expand without bound), anchors, explicit tags, deep nesting."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _ContentError("yaml_alias", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _ContentError(
                "yaml_tag", event.start_mark, tag=tag.replace("tag:yaml.org,2002:", "!!")
            )
        nested = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        if nested:
            self.depth += 1
            if self.depth > DEPTH_LIMIT:
                raise _ContentError("yaml_too_deep", event.start_mark, limit=DEPTH_LIMIT)
        node = super().compose_node(parent, index)  # type: ignore[misc]
        if nested:
            self.depth -= 1
        return node


class _StrictLoader(_Strict, yaml.SafeLoader):
    """PyYAML's own parser: the reference, whose messages the problem catalogue quotes."""


_FastLoader: type | None = None
if yaml.__with_libyaml__:

    class _FastLoader(  # type: ignore[no-redef]
        _Strict, yaml.composer.Composer, yaml.cyaml.CParser, yaml.resolver.Resolver
    ):
        """libyaml's parser (C, several times faster) under the same composer and checks."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree. libyaml reads what it reads without complaint; anything else
    (and tabs, where the two parsers disagree) is read again by PyYAML, which names the problem
    as the catalogue expects."""
    if _FastLoader is not None and "\t" not in text:
        with contextlib.suppress(yaml.YAMLError, _ContentError):
            return _single_node(_FastLoader, text)
    return _single_node(_StrictLoader, text)


def _single_node(loader_type: type, text: str) -> yaml.Node | None:
    loader = loader_type(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _plain(node: yaml.Node, key: str, lines: dict[str, int], offset: int, rel: str) -> object:
    lines.setdefault(key, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _ContentError("yaml_not_mapping", key_node.start_mark)
            name = key_node.value
            child = f"{key}.{name}" if key else name
            if name in out:
                raise _ContentError(
                    "yaml_duplicate_key", key_node.start_mark, key=name, first=lines[child]
                )
            lines[child] = key_node.start_mark.line + 1 + offset
            out[name] = _plain(value_node, child, lines, offset, rel)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _plain(item, f"{key}[{i}]", lines, offset, rel) for i, item in enumerate(node.value)
        ]
    # Scalars stay the text the member typed: `17:30` is not 1050 and `no` is not False.
    # A plain scalar's style is None from PyYAML, '' from libyaml.
    if not node.style and node.value in ("", "~", "null", "Null", "NULL"):
        return None
    return node.value


def parse_yaml(text: str, rel: str, problems: Problems, offset: int = 0) -> YamlDoc | None:
    """Compose (never construct) the YAML; on failure add one Problem at the parser's mark."""
    try:
        node = _compose(text)
        if node is None and offset:  # front matter with no keys: each missing key is reported
            return YamlDoc({}, {}, rel)
        if node is None:
            problems.add("file_empty", rel)
            return None
        if not isinstance(node, yaml.MappingNode):
            problems.add("yaml_not_mapping", rel, node.start_mark.line + 1 + offset)
            return None
        lines: dict[str, int] = {}
        data = _plain(node, "", lines, offset, rel)
        return YamlDoc(data, lines, rel)
    except _ContentError as err:
        line = err.mark.line + 1 + offset if err.mark else None
        problems.add(err.code, rel, line, **err.values)
    except yaml.MarkedYAMLError as err:
        # A scanner error's context is where the token began (the opening quote); its problem
        # mark is often where the parser gave up, lines later.
        scanning = str(err.context or "").startswith("while scanning")
        mark = (err.context_mark if scanning else None) or err.problem_mark or err.context_mark
        line = mark.line + 1 + offset if mark else None
        detail = " ".join(str(err.problem or err.context or "").split())
        problems.add(_syntax_code(detail, text, mark), rel, line, detail=detail)
    except yaml.YAMLError as err:
        problems.add("yaml_syntax", rel, None, detail=" ".join(str(err).split()))
    return None


def _syntax_code(detail: str, text: str, mark: yaml.Mark | None) -> str:
    """Name the usual slips in plain words; the parser's own words only for the rest."""
    source = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
    if "'\\t'" in detail:
        return "yaml_tab"
    if any(q in source for q in "“”‘’"):
        return "curly_quotes"
    if detail.startswith("mapping values are not allowed") or "but got ':'" in detail:
        # only ': ' (or ':' at the end) starts a key in YAML; '08:00' does not
        value = source.split(": ", 1)[1] if ": " in source else ""
        colon = ": " in value or value.rstrip().endswith(":") or "but got ':'" in detail
        return "yaml_colon" if colon else "yaml_indent"
    if detail.startswith(("expected <block end>", "did not find expected key")):
        return "yaml_indent"
    return "yaml_syntax"


def read_text(path: Path, rel: str, problems: Problems, size: int | None = None) -> str | None:
    """UTF-8 text, NFC, LF line ends, without a byte-order mark; None after adding a Problem.
    `size`: the file's, if its stat is at hand."""
    if size is None:
        size = path.stat().st_size
    if size > TEXT_LIMIT:
        problems.add("file_too_large", rel, size=size, limit=TEXT_LIMIT)
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        problems.add("not_utf8", rel, raw[: err.start].count(b"\n") + 1, offset=err.start)
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.add("file_empty", rel)
        return None
    return unicodedata.normalize("NFC", text)


def read_text_file(
    path: Path, rel: str, problems: Problems, size: int | None = None
) -> TextFile | None:
    text = read_text(path, rel, problems, size)
    if text is None:
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        problems.add("front_matter_missing", rel, 1)
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        problems.add("front_matter_unclosed", rel, 1)
        return None
    front = parse_yaml("\n".join(lines[1:end]), rel, problems, offset=1)
    if front is None:
        return None
    return TextFile(rel, front, "\n".join(lines[end + 1 :]).strip("\n") + "\n")


def read_yaml_file(
    path: Path, rel: str, problems: Problems, size: int | None = None
) -> YamlDoc | None:
    text = read_text(path, rel, problems, size)
    return None if text is None else parse_yaml(text, rel, problems)


# What reading one file gave, with the problems it found, by (reader, path, file version): a
# build reads and parses only the files changed since the last one, and still reports every
# problem of the unchanged ones, as they were found, in the same order.
Parsed = Recall[tuple[object, ...], tuple[object, tuple[Problem, ...]]]


def _read(
    reader: Callable[[Path, str, Problems, int], object],
    path: Path,
    rel: str,
    key: tuple[int, ...],
    size: int,
    problems: Problems,
    parsed: Parsed | None,
) -> object:
    memo_key = (reader.__name__, rel, key)
    found = parsed.get(memo_key) if parsed is not None else None
    if found is None:
        own = Problems()
        found = (reader(path, rel, own, size), tuple(own.items))
        if parsed is not None:
            parsed[memo_key] = found
    problems.items.extend(found[1])
    return found[0]


def complete(bundle: Bundle, problems: Problems, parsed: Parsed | None = None) -> Bundle:
    """The bundle with its facts and texts read, if `content` left them (lazy): a build reads
    the files of the entries whose checks it cannot reuse, and only those."""
    if not bundle.unread:
        return bundle
    facts, texts = bundle.facts, dict(bundle.texts)
    for name, path, key, size in bundle.unread:
        rel = f"{bundle.path}/{name}"
        if name == "facts.yaml":
            facts = _read(read_yaml_file, Path(path), rel, key, size, problems, parsed)  # type: ignore[assignment]
        else:
            texts[name[:-3]] = _read(read_text_file, Path(path), rel, key, size, problems, parsed)  # type: ignore[assignment]
    texts = {lang: texts[lang] for lang in LANGS if lang in texts}
    return replace(bundle, facts=facts, texts=texts, unread=())


def _photo(
    path: Path, name: str, hashes: Recall[tuple[int, ...], str] | None, stat: os.stat_result
) -> PhotoFile:
    """Size and content hash only; _probe_photos decodes them all at once, on every core.
    `hashes`: what earlier builds found, by file version, so an unchanged photo is not read."""
    if stat.st_size > PHOTO_LIMIT or stat.st_size == 0:
        return PhotoFile(name, path, stat.st_size)
    key = stat_key(stat)
    sha256 = hashes.get(key) if hashes is not None else None
    if sha256 is None:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        if hashes is not None:
            hashes[key] = sha256
    return PhotoFile(name, path, stat.st_size, sha256)


def _probe_photos(bundles: dict[str, list[Bundle]], cache_dir: Path | None) -> None:
    """A truncated upload passes a header check, so every photo is decoded here, during
    `check`; results are cached by content hash, so an unchanged photo is decoded once."""
    photos = [
        (bundle, name, photo)
        for kind in KINDS
        for bundle in bundles[kind]
        for name, photo in bundle.photos.items()
        if photo.sha256
    ]
    found = decode.probe_files({p.sha256: p.source for _, _, p in photos if p.sha256}, cache_dir)
    for bundle, name, photo in photos:
        probe = found[photo.sha256 or ""]
        bundle.photos[name] = replace(
            photo,
            format=probe.format,
            width=probe.width,
            height=probe.height,
            error=probe.error,
            colours=probe.colours,
        )


def _bundle(
    kind: str,
    folder: str,
    rel: str,
    problems: Problems,
    hashes: Recall[tuple[int, ...], str] | None,
    parsed: Parsed | None,
    lazy: bool,
) -> Bundle:
    # One listing of the folder tells each file's kind (links included) without a stat.
    with os.scandir(folder) as found:
        children = {entry.name: entry for entry in found}
    version: list[object] = []
    unread: list[tuple[str, str, tuple[int, ...], int]] = []

    def read(reader: Callable[[Path, str, Problems, int], object], name: str) -> object:
        stat = children[name].stat(follow_symlinks=False)
        key = stat_key(stat)
        version.append(key)
        if lazy:  # a path as text: pathlib costs more than listing the folder
            unread.append((name, children[name].path, key, stat.st_size))
            return None
        path = Path(children[name].path)
        return _read(reader, path, f"{rel}/{name}", key, stat.st_size, problems, parsed)

    facts_entry = children.get("facts.yaml")
    facts = None
    if facts_entry is not None and facts_entry.is_symlink():
        problems.add("symlink", f"{rel}/facts.yaml")
        version.append("symlink")
    elif facts_entry is not None and facts_entry.is_file(follow_symlinks=False):
        facts = read(read_yaml_file, "facts.yaml")  # type: ignore[assignment]
    else:
        problems.add("file_missing", rel, name="facts.yaml")
        version.append("missing")
    # A language absent from `texts` has no file; one mapped to None has a broken file.
    texts: dict[str, TextFile | None] = {}
    for lang in LANGS:
        entry = children.get(f"{lang}.md")
        if entry is None:
            version.append("missing")
        elif entry.is_symlink():
            problems.add("symlink", f"{rel}/{lang}.md")
            texts[lang] = None
            version.append("symlink")
        elif entry.is_file(follow_symlinks=False):
            text = read(read_text_file, entry.name)
            if not lazy:
                texts[lang] = text  # type: ignore[assignment]
        else:
            version.append("other")
    photos: dict[str, PhotoFile] = {}
    others: list[str] = []
    rejected: list[str] = []
    for name in sorted(children):
        if name in ("facts.yaml", "vi.md", "en.md") or name.startswith("."):
            continue
        entry = children[name]
        if entry.is_symlink():
            problems.add("symlink", f"{rel}/{name}")
            rejected.append(name)
        elif (
            entry.is_file(follow_symlinks=False)
            and os.path.splitext(name)[1].lower() in PHOTO_EXTENSIONS
        ):
            stat = entry.stat(follow_symlinks=False)
            photos[name] = _photo(Path(entry.path), name, hashes, stat)
        else:
            others.append(name)
    return Bundle(
        kind,
        os.path.basename(folder),
        rel,
        facts,
        texts,
        photos,
        tuple(others),
        tuple(rejected),
        tuple(version),
        tuple(unread),
    )


def content(
    root: Path,
    problems: Problems,
    cache_dir: Path | None = None,
    photo_hashes: Recall[tuple[int, ...], str] | None = None,
    parsed: Parsed | None = None,
    lazy: bool = False,
) -> RawContent:
    """Every bundle under content/spaces and content/events, plus vocabularies and pages.
    `cache_dir` keeps what decoding each photo found, by content hash (None: no cache);
    `parsed`, what reading each file found in earlier builds (None: read every file);
    `lazy`: the bundles' facts and texts are left to `complete` (problems in them with it)."""
    vocab_path = root / "vocabularies.yaml"
    vocab_rel = vocab_path.relative_to(root.parent).as_posix()
    vocabularies = None
    if vocab_path.is_file():
        stat = vocab_path.stat()
        vocabularies = _read(  # type: ignore[assignment]
            read_yaml_file, vocab_path, vocab_rel, stat_key(stat), stat.st_size, problems, parsed
        )
    else:
        problems.add("file_missing", root.relative_to(root.parent).as_posix(), name=vocab_path.name)
    bundles: dict[str, list[Bundle]] = {}
    for kind in KINDS:
        bundles[kind] = []
        folder = root / kind
        if not folder.is_dir():
            continue
        with os.scandir(folder) as found:
            children = sorted(found, key=lambda entry: entry.name)
        for child in children:
            rel = f"{root.name}/{kind}/{child.name}"
            if child.name.startswith("."):
                continue
            if child.is_symlink():
                problems.add("symlink", rel)
            elif not child.is_dir(follow_symlinks=False):
                problems.add("not_a_folder", rel)
            else:
                where = child.path
                bundles[kind].append(
                    _bundle(kind, where, rel, problems, photo_hashes, parsed, lazy)
                )
    _probe_photos(bundles, cache_dir)
    pages: dict[str, dict[str, TextFile | None]] = {}
    pages_dir = root / "pages"
    if pages_dir.is_dir():
        for child in sorted(pages_dir.iterdir()):
            if child.is_dir() and not child.is_symlink() and not child.name.startswith("."):
                pages[child.name] = {}
                for lang in LANGS:
                    path = child / f"{lang}.md"
                    rel = path.relative_to(root.parent).as_posix()
                    if path.is_symlink():
                        problems.add("symlink", rel)
                        pages[child.name][lang] = None
                    elif path.is_file():
                        stat = path.stat()
                        pages[child.name][lang] = _read(  # type: ignore[assignment]
                            read_text_file,
                            path,
                            rel,
                            stat_key(stat),
                            stat.st_size,
                            problems,
                            parsed,
                        )
    return RawContent(root, vocabularies, bundles, pages)
