"""Member Markdown -> a safe HTML fragment. Knows no template and no page.

Python-Markdown renders; nh3 (the Rust ammonia sanitizer) then keeps only an allowlist, so
whatever raw HTML a member writes, no script, handler, style, frame or foreign URL survives.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar

import markdown
import nh3

from .buildcache import Recall, text_key

TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "s", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
    "th", "td", "abbr", "sub", "sup",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
# These lose their content too: the text of a script or style is not prose.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "svg", "math"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_HEADING = re.compile(r"<(/?)h([1-6])>")


class MarkupError(Exception):
    """Text that Python-Markdown cannot render (it recurses on deeply nested quotes)."""


def _shift_headings(html: str, top: int) -> str:
    """Move headings down so the highest one is `top`: the page title is the only h1."""
    levels = [int(m[2]) for m in _HEADING.finditer(html)]
    if not levels or min(levels) >= top:
        return html
    shift = top - min(levels)
    return _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + shift)}>", html)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# One converter for every text a thread converts: making one costs more than converting a
# description, and reset() clears what a converted text leaves behind (references, stashed
# HTML). One per thread, as `serve` checks a saved entry while a whole build runs.
_converters = threading.local()


def _converter() -> markdown.Markdown:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(extensions=["sane_lists", "tables"])
    return converter


# The memo and workers of the innermost `remembering`, in this thread.
_memo: ContextVar[tuple[Recall[str, str], int] | None] = ContextVar("memo", default=None)


@contextmanager
def remembering(memo: Recall[str, str], workers: int = 1) -> Iterator[None]:
    """Within it, to_html takes a text's sanitized HTML from `memo` (the last build's, by
    content hash) and adds what it converts: a member's one-line fix renders one text, not
    all of them. convert_ahead may use `workers` processes."""
    token = _memo.set((memo, workers))
    try:
        yield
    finally:
        _memo.reset(token)


def to_html(text: str, top_heading: int = 2) -> str:
    remembered = _memo.get()
    if remembered is None:
        return _final(text, top_heading)
    # the HTML as the page prints it, so that the memo and the content share one string
    key = text_key(text, top_heading)
    memo = remembered[0]
    html = memo.get(key)
    if html is None:
        html = memo[key] = _final(text, top_heading)
    return html


def _final(text: str, top_heading: int) -> str:
    return _shift_headings(_convert(text), top_heading)


def _convert(text: str) -> str:
    try:
        rendered = _converter().reset().convert(text)
    except RecursionError as err:
        _converters.markdown = None  # a text that failed midway leaves state reset() keeps
        raise MarkupError("nested too deeply") from err
    return sanitize(rendered)


def _final_or_none(top_heading: int, text: str) -> str | None:
    try:
        return _final(text, top_heading)
    except MarkupError:
        return None  # converted again in the build's process, which reports it


# Below this many texts to convert, starting worker processes costs more than it saves.
AHEAD_MIN = 200


def convert_ahead(texts: Iterable[str], top_heading: int) -> int:
    """Convert, on the workers of the enclosing `remembering`, the texts its memo lacks, and
    put them in it as if the last build had converted them: Python-Markdown is pure Python,
    1.6 ms a text, and a cold build of 60,000 texts spent 95 s on them in one process.
    Returns how many were converted: none outside `remembering`, or below AHEAD_MIN."""
    remembered = _memo.get()
    if remembered is None:
        return 0
    memo, workers = remembered
    missing = {text_key(text, top_heading): text for text in texts}
    missing = {key: text for key, text in missing.items() if key not in memo.previous}
    if workers < 2 or len(missing) < AHEAD_MIN:
        return 0
    with ProcessPoolExecutor(workers) as pool:
        final = functools.partial(_final_or_none, top_heading)
        converted = pool.map(final, missing.values(), chunksize=64)
        for key, html in zip(missing, converted, strict=True):
            if html is not None:
                memo.previous[key] = html
    return len(missing)


def plain_text(html_or_text: str) -> str:
    """Tags removed and white space folded: for meta descriptions and feeds."""
    return html.unescape(" ".join(nh3.clean(html_or_text, tags=set()).split()))
