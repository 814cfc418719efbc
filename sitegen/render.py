"""Every page of the model, in both languages, into the staging folder. Reads no content/.

Receives the Site and the templates and assets folders; writes HTML and assets, and returns the
photo variants the pages asked for (images.py encodes them afterwards).

Given what the last build rendered (`Reuse`), a page whose digest is unchanged is hard-linked
from site/ instead of rendered. The digest covers everything the page's HTML is made from: the
page and its subject, every space or event it shows (by that entry's own fields: a card or an
event line prints nothing of the entries *they* link to), each value of the Site its template
read, its share image, and what every page shares (code, templates and strings, asset names).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import jinja2
from jinja2 import meta

from .buildcache import PageRecord, Recall, code_version, text_key
from .errors import Problems
from .i18n import Strings
from .images import Requests, placeholders
from .model import Event, Page, Site, Space
from .output import Kept, Stage
from .share_images import palette

# Content Security Policy for every page: nothing but our own files runs or loads.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """`compiled`: where each template's compiled code is kept, by its source's checksum, so
    that a build does not parse and compile the templates again (None: nowhere)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def copy_assets(assets: Path, stage: Stage | Kept, base: str) -> dict[str, str]:
    """Copy assets/ under names carrying their content hash, so browsers may cache them for
    ever; returns 'site.css' -> '/assets/site.3f2a9c1d.css'."""
    urls: dict[str, str] = {}
    for path in sorted(p for p in assets.rglob("*") if p.is_file()):
        data = path.read_bytes()
        rel = path.relative_to(assets).as_posix()
        stem, dot, ext = rel.rpartition(".")
        name = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}" if dot else rel
        stage.write(f"assets/{name}", data)
        urls[rel] = f"{base}assets/{name}"
    return urls


def _render(
    env: jinja2.Environment, template: str, where: str, problems: Problems, **context: object
) -> str | None:
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as err:
        problems.add(
            "template_failed", f"templates/{err.name}", err.lineno, page=where, detail=err.message
        )
    except (jinja2.TemplateError, TypeError, KeyError, AttributeError) as err:
        problems.add("template_failed", f"templates/{template}", None, page=where, detail=str(err))
    return None


@dataclass(frozen=True)
class Reuse:
    """What the last build leaves: its record of each page (this build's are put back in), and
    the image cache, as a page is reused only if every file it asked for is still there."""

    pages: Recall[str, PageRecord]
    media: Path
    compiled: Path | None = None  # see environment()
    # the templates each template uses, by its name and source (parsing them all costs more
    # than a changed entry's pages)
    layouts: Recall[str, tuple[str, ...]] | None = None


@dataclass
class Rendered:
    requests: Requests
    rendered: int = 0
    reused: int = 0
    hashes: dict[str, str] = field(default_factory=dict)  # each page's HTML sha256 (with Reuse)


def pages(
    site: Site,
    stage: Stage,
    templates: Path,
    assets: Path,
    problems: Problems,
    reuse: Reuse | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Rendered:
    compiled = reuse.compiled if reuse else None
    env, requests, common = _tools(site, stage, templates, assets, compiled)
    done = Rendered(requests)
    prints = _Prints(site, requests, env, templates, common, reuse.layouts) if reuse else None
    cached = _listing(reuse.media) if reuse else set()
    for i, page in enumerate(site.pages, 1):
        if progress:
            progress("pages", i, len(site.pages))
        base = prints.page(page) if prints else b""
        if reuse and prints:
            record = reuse.pages.get(page.output)
            if (
                record is not None
                and record.digest == prints.digest(base, record.site_names)
                and all(name in cached for name in record.media)
                and stage.reuse(page.output)
            ):
                requests.keep(record.media)
                done.reused += 1
                done.hashes[page.output] = record.sha256
                continue
        view = _SiteView(site)
        first = len(requests.asked)
        html = _page(env, page, {**common, "site": view}, site, problems)
        if html is None:
            continue
        stage.write(page.output, html)
        done.rendered += 1
        if reuse and prints:
            names = tuple(sorted(view.read))
            media = tuple(dict.fromkeys(requests.asked[first:]))
            sha256 = done.hashes[page.output] = hashlib.sha256(html.encode()).hexdigest()
            record = PageRecord(prints.digest(base, names), names, media, sha256)
            reuse.pages[page.output] = record
    common["site"] = site
    for template, output in (("root.html", "index.html"), ("404.html", "404.html")):
        html = _render(env, template, output, problems, **common, t=site.strings.t)
        if html is not None:
            stage.write(output, html)
    return done


def some(
    site: Site,
    chosen: Iterable[Page],
    templates: Path,
    assets: Path,
    problems: Problems,
    compiled: Path | None = None,
) -> dict[str, bytes]:
    """The chosen pages alone, by their names in the site, written nowhere: what a preview
    shows before the whole site is built again. The files they link to are those a build of
    the same templates and assets publishes."""
    stage = Kept()
    env, _, common = _tools(site, stage, templates, assets, compiled)
    made = {}
    for page in chosen:
        html = _page(env, page, {**common, "site": site}, site, problems)
        if html is not None:
            made[page.output] = html.encode("utf-8")
    return made


def _tools(
    site: Site, stage: Stage | Kept, templates: Path, assets: Path, compiled: Path | None
) -> tuple[jinja2.Environment, Requests, dict[str, object]]:
    """The templates, the photo requests they make, and what every page is given: the assets
    and the photos' placeholder stylesheet, written into `stage`."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = environment(templates, compiled)
    requests = Requests(site, palette(assets / "site.css"))
    # globals, so the macros in _macros.html reach them without being passed each one
    env.globals.update(picture_of=requests.picture, share=requests.share)
    common = {
        "asset": copy_assets(assets, stage, site.urls.base),
        "placeholders": placeholders(site, stage),
        "csp": CSP,
        "photo": requests.variant,
    }
    return env, requests, common


def _listing(folder: Path) -> set[str]:
    """The names in the image cache, listed once rather than looked up once per page."""
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()


class _SiteView:
    """The Site as a template sees it, noting which of its values the template reads: a listing
    reads every space, an entry's page only the site's name, navigation and addresses."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> object:
        self.read.add(name)
        return getattr(self._site, name)


class _Pickler(pickle.Pickler):
    """Pickles a value with every space and event in it but `root` left out, by name: the
    digest then adds each one's own digest, so a page depends on the entries it shows, and not
    on the entries they link to (which it does not show)."""

    def __init__(self, file: io.BytesIO, root: object) -> None:
        super().__init__(file, protocol=5)
        self.root = root
        self.entries: list[Space | Event] = []
        # looked up by type in C for every object: only entries and strings call back here
        self.dispatch_table = {Space: self._entry, Event: self._entry, Strings: _strings}

    def _entry(self, entry: Space | Event) -> tuple[object, ...]:
        if entry is self.root:
            return entry.__reduce_ex__(5)
        self.entries.append(entry)
        return (_named, (type(entry).__name__, entry.slug))


def _named(kind: str, slug: str) -> str:
    """What an entry other than the root pickles as (never unpickled)."""
    return f"{kind}:{slug}"


def _strings(strings: Strings) -> tuple[object, ...]:
    return (str, ("strings",))  # from templates/i18n, which every digest covers


def _pickled(value: object, root: object = None) -> tuple[bytes, list[Space | Event]]:
    out = io.BytesIO()
    pickler = _Pickler(out, root)
    pickler.dump(value)
    return out.getvalue(), pickler.entries


class _Prints:
    """Digests of what each page is made from (see the module's docstring)."""

    def __init__(
        self,
        site: Site,
        requests: Requests,
        env: jinja2.Environment,
        templates: Path,
        common: dict[str, object],
        uses: Recall[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.site, self.requests, self.env, self.uses = site, requests, env, uses
        # every page prints UI strings: a changed one makes every page again
        shared = hashlib.sha256(code_version().encode())
        for path in sorted((templates / "i18n").glob("*")):
            shared.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        shared.update(repr(sorted((k, v) for k, v in common.items() if k != "photo")).encode())
        self.shared = shared.digest()
        self.layouts: dict[str, bytes] = {}
        self.own: dict[int, tuple[bytes, list[Space | Event]]] = {}
        self.parts: dict[str, bytes] = {}

    def page(self, page: Page) -> bytes:
        """What the page's HTML is made from, but for the Site values its template reads."""
        data, entries = _pickled(page)
        digest = hashlib.sha256(self.shared + self._layout(page.template) + data)
        digest.update(self.requests.share_name(page).encode())
        if isinstance(page.subject, (Space, Event)):
            # its page shows every entry it links to: pickled once, for both its pages
            entries += self._own(page.subject)[1]
        self._add(digest, entries)
        return digest.digest()

    def digest(self, base: bytes, site_names: Iterable[str]) -> str:
        digest = hashlib.sha256(base)
        for name in site_names:
            digest.update(name.encode() + self._part(name))
        return digest.hexdigest()

    def _layout(self, template: str) -> bytes:
        """The template and every template it extends, includes or imports, in turn."""
        layout = self.layouts.get(template)
        if layout is None:
            digest, seen, todo = hashlib.sha256(), set(), [template]
            while todo:
                name = todo.pop()
                if name in seen:
                    continue
                seen.add(name)
                source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
                digest.update(f"{name}\0{source}\0".encode())
                todo += self._used(name, source)
            layout = self.layouts[template] = digest.digest()
        return layout

    def _used(self, name: str, source: str) -> list[str]:
        """The templates `name` extends, includes or imports."""
        key = text_key(name, source)
        found = self.uses.get(key) if self.uses is not None else None
        if found is None:
            parsed = self.env.parse(source)
            # "": a name computed at render time, so any template at all (of those there are now)
            found = tuple(each or "" for each in meta.find_referenced_templates(parsed))
            if self.uses is not None:
                self.uses[key] = found
        used = [each for each in found if each]
        return used + self.env.list_templates() if "" in found else used

    def _add(self, digest: hashlib._Hash, entries: list[Space | Event]) -> None:
        for entry in entries:
            digest.update(self._own(entry)[0])

    def _own(self, entry: Space | Event) -> tuple[bytes, list[Space | Event]]:
        """The digest of the entry's own fields, and the entries it links to (by name there)."""
        own = self.own.get(id(entry))
        if own is None:
            data, linked = _pickled(entry, entry)
            own = self.own[id(entry)] = (hashlib.sha256(data).digest(), linked)
        return own

    def _part(self, name: str) -> bytes:
        part = self.parts.get(name)
        if part is None:
            data, entries = _pickled(getattr(self.site, name))
            digest = hashlib.sha256(data)
            self._add(digest, entries)
            part = self.parts[name] = digest.digest()
        return part


def _page(
    env: jinja2.Environment, page: Page, common: dict[str, object], site: Site, problems: Problems
) -> str | None:
    lang = page.lang
    return _render(
        env,
        page.template,
        page.output,
        problems,
        **common,
        page=page,
        lang=lang,
        other=("en" if lang == "vi" else "vi"),
        t=partial(site.strings.t, lang),
    )
