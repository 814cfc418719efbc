"""Member photos, end to end: real files made here (a phone JPEG turned by EXIF and carrying
GPS, CMYK, 16-bit, a foreign colour profile, transparent PNGs, truncated, mislabelled, bombs),
checked and built as a member would, and the outputs read back with Pillow."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import re
import shutil
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from sitegen import decode, images, pipeline
from sitegen.errors import Problems
from support import FIXTURES, TODAY, parse, run_build

SPACE = "spaces/dinh-kim-ngan"
SECRETS = (b"SECRET-MAKE", b"SERIAL-0042", b"SECRET-COMMENT", b"SECRET-XMP", b"Swapped RG")
RED, BLUE = (200, 30, 30), (20, 40, 200)


# --- real files ------------------------------------------------------------------------------


def _bytes(img: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def phone_jpeg(size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A landscape sensor image a phone shows upright (EXIF orientation 6: turn 90° clockwise),
    with GPS, make and body serial, a comment and XMP: everything that must not leak. The raw
    top-left quadrant is red, so after turning it must be top-right."""
    w, h = size
    img = Image.new("RGB", size, (90, 120, 90))
    img.paste(RED, (0, 0, w // 2, h // 2))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SECRET-MAKE"
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-0042"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (21.0, 2.0, 3.48), 3: "E", 4: (105.0, 51.0, 10.44)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SECRET-XMP</x:xmpmeta>'
    return _bytes(img, "JPEG", quality=90, exif=exif, comment=b"SECRET-COMMENT", xmp=xmp)


def cmyk_jpeg() -> bytes:
    """What a print shop's export gives: a CMYK JPEG (Pillow writes Adobe's marker)."""
    return _bytes(Image.new("RGB", (900, 600), RED).convert("CMYK"), "JPEG", quality=95)


def grey16_png() -> bytes:
    """A 16-bit greyscale scan: the left half at 25 % grey, the right half at 75 %."""
    row = struct.pack("<400H", *[0x4000] * 400) + struct.pack("<400H", *[0xC000] * 400)
    return _bytes(Image.frombytes("I;16", (800, 600), row * 600), "PNG")


def transparent_png() -> bytes:
    """A screenshot-like PNG: a blue square on nothing at all."""
    img = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    img.paste((*BLUE, 255), (200, 150, 600, 450))
    return _bytes(img, "PNG")


def palette_png() -> bytes:
    """A palette PNG whose index 0 is transparent, the rest blue."""
    img = Image.new("P", (640, 480), 0)
    img.putpalette([0, 0, 0, *BLUE] + [0] * 762)
    img.paste(1, (0, 0, 320, 480))
    return _bytes(img, "PNG", transparency=0)


def swapped_profile() -> bytes:
    """A minimal ICC v2 RGB display profile whose red and green primaries are swapped: a pixel
    that is 'red' in it is green in sRGB, so only a real conversion gets the colour right."""

    def s15(x: float) -> bytes:
        return struct.pack(">i", round(x * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    name = b"Swapped RG\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + b"\0" * 8 + b"\0" * 70
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [
        (b"desc", desc),
        (b"wtPt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),  # sRGB's green primary (D50)
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red primary
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text\0\0\0\0test\0\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = struct.pack(">I", len(tags)), b""
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I4sI4s4s4s", size, b"\0\0\0\0", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    return header + table + data


def profiled_png() -> bytes:
    return _bytes(Image.new("RGB", (640, 480), RED), "PNG", icc_profile=swapped_profile())


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels: what a decompression bomb looks like to a
    reader before it decodes anything."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def heic_header() -> bytes:
    """The start of an iPhone HEIC photo: an ISO-BMFF 'ftyp' box with the heic brand."""
    return struct.pack(">I4s4sI", 24, b"ftyp", b"heic", 0) + b"mif1heic" + b"\0" * 512


GOOD = {
    "phone.jpg": phone_jpeg,
    "cmyk.jpg": cmyk_jpeg,
    "grey16.png": grey16_png,
    "screenshot.png": transparent_png,
    "palette.png": palette_png,
    "profiled.png": profiled_png,
}


def photo_tree(root: Path, files: dict[str, bytes]) -> Path:
    """A copy of the fixture content in `root` whose space Đình Kim Ngân has `files` as its
    photos, listed in that order."""
    content = root / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    folder = content / SPACE
    (folder / "san-dinh.jpg").unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    facts = folder / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    assert text.rstrip().endswith("credit: Ảnh thử"), "photos must stay the last key"
    listed = "".join(
        f"  - file: {name}\n    alt: {{vi: Ảnh số {i}, en: Photo number {i}}}\n"
        for i, name in enumerate(files)
    )
    facts.write_text(text[: text.index("photos:")] + "photos:\n" + listed, encoding="utf-8")
    return content


def build(content: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, int]]:
    """Build as a member would; the report's image counts ('photos encoded': 3, …)."""
    result = run_build("--content", content, "--out", out, "--today", TODAY)
    found = re.findall(r"(photos \w+|share images \w+) (\d+)", result.stdout)
    return result, {name: int(n) for name, n in found}


# --- a site built from every kind of good photo ----------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("photos")
    content = photo_tree(root, {name: make() for name, make in GOOD.items()})
    result, counts = build(content, root / "site")
    assert result.returncode == 0, result.stderr
    return root / "site", counts


def _pictures(site: Path, lang: str) -> list:  # type: ignore[type-arg]
    return parse(site / lang / SPACE / "index.html").findall(".//figure//picture")


def _file(site: Path, url: str) -> Path:
    return site / url.lstrip("/")


def _srcset(value: str) -> list[tuple[str, int]]:
    return [(url, int(w.rstrip("w"))) for url, w in (item.split() for item in value.split(", "))]


def _output_of(site: Path, name: str, width: int = 480) -> Image.Image:
    """The JPEG the English page shows for the photo `name` (GOOD's order), at `width`."""
    index = list(GOOD).index(name)
    img = _pictures(site, "en")[index].find(".//img")
    assert img.get("alt") == f"Photo number {index}"
    url = next(u for u, w in _srcset(img.get("srcset")) if w == width)
    return Image.open(_file(site, url)).convert("RGB")


def _media(site: Path) -> list[Path]:
    return sorted((site / "media").iterdir())


def test_outputs_carry_no_metadata(built):
    site, _ = built
    assert len(_media(site)) > 40
    for path in _media(site):
        data = path.read_bytes()
        for secret in (*SECRETS, b"Exif\0\0", b"ICC_PROFILE", b"http://ns.adobe.com/xap"):
            assert secret not in data, (path.name, secret)
        with Image.open(path) as img:
            assert not set(img.info) & {"exif", "xmp", "icc_profile", "comment"}, path.name
            assert not img.getexif(), path.name
        if path.suffix == ".jpg":  # no APPn but JFIF, no comment segment, before the scan
            head = data[: data.index(b"\xff\xda")]
            markers = {head[i + 1] for i in range(len(head) - 1) if head[i] == 0xFF}
            assert not markers & ({0xFE} | set(range(0xE1, 0xF0))), path.name


def test_exif_orientation_is_applied(built):
    site, _ = built
    img = _pictures(site, "vi")[0].find(".//img")
    assert (img.get("width"), img.get("height")) == ("960", "1280")  # portrait, as shown
    largest = max(_srcset(img.get("srcset")), key=lambda item: item[1])
    with Image.open(_file(site, largest[0])) as out:
        assert out.size == (1200, 1600)  # the photo's own size: never upscaled to 1600
        top_right, top_left = out.getpixel((1100, 100)), out.getpixel((100, 100))
    assert _close(top_right, RED) and not _close(top_left, RED)


def _close(pixel: object, expected: tuple[int, ...], tolerance: int = 14) -> bool:
    values = pixel if isinstance(pixel, tuple) else (pixel,)
    return all(abs(a - b) <= tolerance for a, b in zip(values, expected, strict=True))


def test_colours_are_converted_to_srgb(built):
    site, _ = built
    assert _close(_output_of(site, "cmyk.jpg").getpixel((240, 160)), RED)
    grey = _output_of(site, "grey16.png")
    assert _close(grey.getpixel((60, 180)), (64, 64, 64), 3)  # not clipped to white
    assert _close(grey.getpixel((420, 180)), (191, 191, 191), 3)
    shot = _output_of(site, "screenshot.png")
    assert _close(shot.getpixel((5, 5)), (255, 255, 255), 3)  # transparency laid on white
    assert _close(shot.getpixel((240, 180)), BLUE)
    pal = _output_of(site, "palette.png")
    assert _close(pal.getpixel((60, 180)), BLUE) and _close(pal.getpixel((420, 180)), (255,) * 3)
    r, g, b = _output_of(site, "profiled.png").getpixel((240, 180))
    assert g > r + 80, (r, g, b)  # the profile's 'red' is sRGB green


def test_pictures_offer_modern_formats_at_every_width(built):
    site, _ = built
    for lang in ("vi", "en"):
        doc = parse(site / lang / SPACE / "index.html")
        css_links = [link.get("href") for link in doc.findall(".//link[@rel='stylesheet']")]
        placeholders = "".join(
            _file(site, href).read_text() for href in css_links if "/photos." in href
        )
        for i, picture in enumerate(_pictures(site, lang)):
            img = picture.find(".//img")
            assert img.get("alt") == (f"Ảnh số {i}" if lang == "vi" else f"Photo number {i}")
            sizes = img.get("sizes")
            types = [s.get("type") for s in picture.iter("source")]
            assert types == ["image/avif", "image/webp"]
            for source in picture.iter("source"):
                assert source.get("sizes") == sizes
                for url, width in _srcset(source.get("srcset")):
                    with Image.open(_file(site, url)) as out:
                        assert out.width == width and out.format == source.get("type")[6:].upper()
            widths = [w for _, w in _srcset(img.get("srcset"))]
            assert widths == sorted(widths) and widths[0] == 480
            with Image.open(_file(site, img.get("src"))) as fallback:
                assert fallback.format == "JPEG"
                assert fallback.size == (int(img.get("width")), int(img.get("height")))
            if i == 0:  # the first photo a visitor sees is fetched first, never lazily
                assert img.get("fetchpriority") == "high" and img.get("loading") is None
            else:
                assert img.get("loading") == "lazy"
            placeholder = img.get("class")
            assert re.search(
                rf"\.{placeholder}\{{background:linear-gradient\(#[0-9a-f]{{6}},", placeholders
            )
    card = parse(site / "vi/spaces/index.html").find(".//li[@class='card']//img")
    assert card.get("fetchpriority") == "high" and card.get("alt") == ""


def test_second_build_processes_nothing_and_gives_the_same_bytes(built, tmp_path):
    site, counts = built
    assert counts["photos encoded"] == len(GOOD) and counts["photos reused"] == 0
    result, again = build(site.parent / "content", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert again["photos encoded"] == 0 and again["photos reused"] == len(GOOD)
    assert again["share images drawn"] == 0
    for path in _media(site):
        assert (tmp_path / "site" / "media" / path.name).read_bytes() == path.read_bytes()


def test_cold_builds_on_two_machines_give_the_same_bytes(tmp_path):
    files = {"phone.jpg": phone_jpeg(), "screenshot.png": transparent_png()}
    outs = []
    for name in ("a", "b"):  # separate trees: separate caches, every file encoded afresh
        content = photo_tree(tmp_path / name, files)
        result, counts = build(content, tmp_path / name / "site")
        assert result.returncode == 0 and counts["photos encoded"] == 2, result.stderr
        outs.append({p.name: p.read_bytes() for p in _media(tmp_path / name / "site")})
    assert outs[0] == outs[1]


def test_a_changed_photo_is_encoded_again_and_its_old_outputs_pruned(tmp_path):
    content = photo_tree(tmp_path, {"phone.jpg": phone_jpeg(), "screenshot.png": transparent_png()})
    cache = tmp_path / ".cache" / "images"
    result, _ = build(content, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    before = {p.relative_to(cache) for p in cache.rglob("*") if p.is_file()}
    (content / SPACE / "phone.jpg").write_bytes(phone_jpeg((1500, 1000)))
    result, counts = build(content, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert counts["photos encoded"] == 1 and counts["photos reused"] == 1
    after = {p.relative_to(cache) for p in cache.rglob("*") if p.is_file()}
    gone, new = before - after, after - before
    assert any(p.suffix == ".avif" for p in gone) and any(p.parent.name == "probes" for p in gone)
    served = {p.name for p in _media(tmp_path / "site")}
    assert {p.name for p in after if p.parent == Path(".")} == served  # nothing stale is kept
    assert {p.name for p in new if p.parent == Path(".")} <= served


def test_a_new_name_redraws_share_images_but_encodes_no_photo(tmp_path, monkeypatch):
    content = photo_tree(tmp_path, {"phone.jpg": phone_jpeg()})
    assert build(content, tmp_path / "site")[0].returncode == 0
    english = content / SPACE / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("Kim Ngan", "Kim Ngân"))
    result, counts = build(content, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert counts["photos encoded"] == 0 and counts["photos reused"] == 1
    assert counts["share images drawn"] == 1  # the English page's; the Vietnamese one is kept
    # a new drawing or font renames the share images only, never the photos
    monkeypatch.setattr(images.share_images, "signature", lambda: "another drawing")
    assert images._signature() == images.SIGNATURE != images.SHARE_SIGNATURE


def test_every_page_has_a_share_image(built):
    site, _ = built
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" or page.parent == site:
            continue
        meta = {m.get("property"): m.get("content") for m in parse(page).findall(".//meta")}
        url = meta["og:image"]
        assert url.startswith("https://sangtao.hanoi.gov.vn/media/share-"), page
        with Image.open(site / url.split("/", 3)[3]) as img:
            assert img.size == (1200, 630) and img.format == "JPEG"
            assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        assert meta["og:image:alt"]
    vi, en = (
        parse(site / lang / SPACE / "index.html")
        .find(".//meta[@property='og:image']")
        .get("content")
        for lang in ("vi", "en")
    )
    assert vi != en  # the name is set in the page's language


# --- photos that must be refused ---------------------------------------------------------------


def _flip(data: bytes) -> bytes:
    middle = bytearray(data)
    for i in range(len(middle) // 2, len(middle) // 2 + 400):
        middle[i] ^= 0x5A
    return bytes(middle)


BAD = {
    # name: (bytes, what the English line must say)
    "half-uploaded.jpg": (phone_jpeg()[:20_000], "the file is truncated"),
    "half-uploaded.png": (transparent_png()[:1_000], "the file is truncated"),
    "empty.jpg": (b"", "cannot be read: 0 byte"),
    "scrambled.jpg": (_flip(phone_jpeg()), "corrupt image data"),
    "notes.jpg": (b"opening hours: 8-17\n", "not a JPEG, PNG or WebP image"),
    "screenshot.jpg": (transparent_png(), "is named .jpg but its content is PNG"),
    "iphone.jpg": (heic_header(), "is named .jpg but its content is HEIC"),
    "bomb.png": (png_header(10_000, 10_000), "too large (10000×10000, at most 40 MP)"),
    "panorama.png": (
        _bytes(Image.new("L", (8000, 6000)), "PNG"),
        "too large (8000×6000, at most 40 MP)",
    ),
    "huge.jpg": (b"\xff\xd8\xff\xe0" + bytes(21 * 2**20), "too large (22.0 MB, at most 20 MB)"),
}


def test_each_bad_photo_is_named_with_its_problem(tmp_path):
    content = photo_tree(tmp_path, {name: data for name, (data, _) in BAD.items()})
    result = run_build("check", "--content", content)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for i, (name, (_, expected)) in enumerate(BAD.items()):
        at = [n for n, line in enumerate(lines) if f"photos[{i}].file:" in line]
        assert len(at) == 1, (name, result.stderr)
        assert lines[at[0]].startswith(f"content/{SPACE}/facts.yaml:")
        english = lines[at[0] + 1]
        assert f"'{name}'" in english and expected in english, (name, english)


def test_a_bad_photo_fails_the_build_before_anything_is_written(tmp_path):
    content = photo_tree(tmp_path, {"ok.png": transparent_png(), "cut.jpg": phone_jpeg()[:9_000]})
    result = run_build("--content", content, "--out", tmp_path / "site", "--today", TODAY)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "photos[1].file" in result.stderr and "'cut.jpg'" in result.stderr
    assert not (tmp_path / "site").exists() and not list(tmp_path.glob("site.*"))


def test_an_encoder_failure_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    """A file that passed the check but fails at encoding (here: it changed in between)
    becomes a Problem on the photo; the build publishes nothing."""
    content = photo_tree(tmp_path, {"a.png": transparent_png(), "b.png": palette_png()})

    def changed(data: bytes, largest: tuple[int, int]) -> Image.Image:
        raise decode.PhotoError("tệp đã thay đổi", "the file changed during the build")

    monkeypatch.setattr(decode, "open_clean", changed)
    # workers forked from this process, so that they inherit it
    monkeypatch.setattr(images, "_small", lambda: multiprocessing.get_context("fork"))
    opts = pipeline.Options(
        content_dir=content, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache"
    )
    # in a thread of its own: after the browser tests, Playwright's event loop still runs in
    # this one, and the search step's asyncio.run() refuses to start inside it
    with ThreadPoolExecutor(1) as thread:
        report = thread.submit(pipeline.build, opts).result()
    errors = [p for p in report.problems.errors() if p.path.endswith(".png")]
    assert {p.path for p in errors} == {f"content/{SPACE}/a.png", f"content/{SPACE}/b.png"}
    assert all("the file changed during the build" in p.message.en for p in errors)
    assert not report.published and not (tmp_path / "site").exists()


def test_probe_results_are_cached_by_content(tmp_path):
    data = phone_jpeg()
    (tmp_path / "a.jpg").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    first = decode.probe_files({sha: tmp_path / "a.jpg"}, tmp_path / "cache")
    assert (first[sha].format, first[sha].width, first[sha].height) == ("JPEG", 1200, 1600)
    (tmp_path / "a.jpg").unlink()  # a cached finding never opens the file again
    assert decode.probe_files({sha: tmp_path / "a.jpg"}, tmp_path / "cache") == first


def test_a_cached_refusal_is_read_back_as_the_same_refusal(tmp_path):
    data = phone_jpeg()[:20_000]
    (tmp_path / "cut.jpg").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    first = decode.probe_files({sha: tmp_path / "cut.jpg"}, tmp_path / "cache")
    assert first[sha].error and "truncated" in first[sha].error and first[sha].colours is None
    assert decode.probe_files({sha: tmp_path / "cut.jpg"}, tmp_path / "cache") == first


def test_profile_fixture_is_a_real_icc_profile():
    profile = ImageCms.ImageCmsProfile(io.BytesIO(swapped_profile()))
    assert ImageCms.getProfileDescription(profile).strip() == "Swapped RG"


def test_report_counts_for_the_benchmark():
    report = images.ImageReport(photos_encoded=2, photos_reused=5, shares_drawn=1)
    assert report.counts() == {
        "photos encoded": 2,
        "photos reused": 5,
        "share images drawn": 1,
        "share images reused": 0,
    }
    assert Problems().errors() == []
