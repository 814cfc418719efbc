"""Photos in a real browser: Chromium picks the AVIF, the box is reserved before the photo
arrives, the placeholder comes from the stylesheet without breaking the page's CSP."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_images import SPACE, build, cmyk_jpeg, phone_jpeg, photo_tree, transparent_png

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser-photos")
    files = {"phone.jpg": phone_jpeg(), "cmyk.jpg": cmyk_jpeg(), "shot.png": transparent_png()}
    result, _ = build(photo_tree(root, files), root / "site")
    assert result.returncode == 0, result.stderr
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_chromium_shows_the_avif_at_the_reserved_size(browser, photo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(photo_site + f"en/{SPACE}/")
    first = page.locator(".gallery img").first
    first.wait_for()
    page.wait_for_function("document.querySelector('.gallery img').complete")
    shown = first.evaluate(
        "img => ({src: img.currentSrc, natural: img.naturalWidth, box: img.getBoundingClientRect()"
        ".height / img.getBoundingClientRect().width, ratio: img.height / img.width,"
        " placeholder: getComputedStyle(img).backgroundImage})"
    )
    assert shown["src"].endswith(".avif") and shown["natural"] > 0
    assert abs(shown["box"] - 1600 / 1200) < 0.01  # portrait, as the phone held it
    assert shown["placeholder"].startswith("linear-gradient")
    assert not [m for m in console if "Content Security Policy" in m], console
    lazy = page.locator(".gallery img").nth(2)
    assert lazy.get_attribute("loading") == "lazy"
    context.close()


def test_the_box_is_reserved_before_any_photo_arrives(browser, photo_site):
    """With photos blocked, each gallery box still has the photo's proportions: no shift."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/media/*", lambda route: route.abort())
    page.goto(photo_site + f"vi/{SPACE}/")
    boxes = page.locator(".gallery img").evaluate_all(
        "imgs => imgs.map(i => [i.getBoundingClientRect().width, i.getBoundingClientRect().height,"
        " i.width, i.height])"
    )
    assert len(boxes) == 3
    for width, height, attr_w, attr_h in boxes:
        assert width > 100 and abs(height / width - attr_h / attr_w) < 0.02
    context.close()


def test_link_previews_point_at_a_served_image(browser, photo_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(photo_site + f"vi/{SPACE}/")
    url = page.locator("meta[property='og:image']").get_attribute("content")
    path = "/" + url.split("/", 3)[3]
    response = page.request.get(photo_site.rstrip("/") + path)
    assert response.ok and response.headers["content-type"] == "image/jpeg"
    assert Path(path).name.startswith("share-")
    context.close()
