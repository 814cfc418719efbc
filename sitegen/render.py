"""Every page of the model, in both languages, into the staging folder. Reads no content/.

Receives the Site and the templates and assets folders; writes HTML and assets, and returns the
photo variants the pages asked for (images.py encodes them afterwards).
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

import jinja2

from .errors import Problems
from .images import Requests, placeholders
from .model import Page, Site
from .output import Stage
from .share_images import palette

# Content Security Policy for every page: nothing but our own files runs or loads.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def copy_assets(assets: Path, stage: Stage, base: str) -> dict[str, str]:
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


def pages(site: Site, stage: Stage, templates: Path, assets: Path, problems: Problems) -> Requests:
    env = environment(templates)
    requests = Requests(site, palette(assets / "site.css"))
    # globals, so the macros in _macros.html reach them without being passed each one
    env.globals.update(picture_of=requests.picture, share=requests.share)
    common = {
        "site": site,
        "asset": copy_assets(assets, stage, site.urls.base),
        "placeholders": placeholders(site, stage),
        "csp": CSP,
        "photo": requests.variant,
    }
    for page in site.pages:
        html = _page(env, page, common, site, problems)
        if html is not None:
            stage.write(page.output, html)
    for template, output in (("root.html", "index.html"), ("404.html", "404.html")):
        html = _render(env, template, output, problems, **common, t=site.strings.t)
        if html is not None:
            stage.write(output, html)
    return requests


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
