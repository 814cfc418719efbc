"""Open a member's photo safely and turn it into clean pixels: upright, 8-bit sRGB, no metadata.

Receives the bytes of one photo file; returns what a check needs to know about it (`probe`) or
the clean image an encoder starts from (`open_clean`). Shared by load.py, which probes every
photo during `check`, and images.py, which encodes them during `build`: both must see a photo
the same way. Imports no other step.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import PIL
from PIL import Image, ImageCms, ImageFile

# Only these decoders ever run on a member's file: no Ghostscript (EPS), no exotic plugins.
FORMATS = ("JPEG", "PNG", "WEBP")
PIXEL_LIMIT = 40_000_000
# Bump when probe() finds something different for the same bytes, so cached findings expire.
PROBE_VERSION = 2
# A transparent screenshot is laid on the colour of the card it will sit on.
BACKGROUND = (255, 255, 255)

Image.MAX_IMAGE_PIXELS = PIXEL_LIMIT
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated upload must fail, never show grey

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class PhotoError(Exception):
    """Why a photo cannot be used, in both languages (Pillow's own words are English only)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en

    @property
    def detail(self) -> str:
        return f"{self.vi} / {self.en}"


NOT_AN_IMAGE = PhotoError("không phải ảnh JPEG, PNG hay WebP", "not a JPEG, PNG or WebP image")
CORRUPT = PhotoError("dữ liệu ảnh bị hỏng", "corrupt image data")
TRUNCATED = PhotoError(
    "tệp bị cắt cụt, có thể tải lên chưa xong",
    "the file is truncated, perhaps an incomplete upload",
)


@dataclass(frozen=True)
class Probe:
    """What a full decode of one photo found. `width` and `height` are as the photo is shown,
    after its EXIF orientation; `colours` are the placeholder's top and bottom colours."""

    format: str | None
    width: int = 0
    height: int = 0
    colours: tuple[str, str] | None = None
    error: str | None = None


def sniff(head: bytes) -> str | None:
    """Name the kind of file from its first bytes, for formats Pillow is not allowed to open:
    a phone's HEIC photo renamed .jpg should be called a HEIC photo, not 'unreadable'."""
    if head[4:8] == b"ftyp":
        brands = {head[i : i + 4] for i in range(8, min(len(head), 64) - 3, 4)}
        if brands & {b"avif", b"avis"}:
            return "AVIF"
        if brands & _HEIF_BRANDS:
            return "HEIC"
        return "MP4/MOV"
    signatures = {
        b"GIF87a": "GIF", b"GIF89a": "GIF", b"II*\0": "TIFF", b"MM\0*": "TIFF", b"BM": "BMP",
        b"%PDF": "PDF", b"8BPS": "PSD", b"\xff\x0a": "JPEG XL", b"\0\0\0\x0cJXL ": "JPEG XL",
        b"PK\x03\x04": "ZIP", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG",
    }  # fmt: skip
    for magic, name in signatures.items():
        if head.startswith(magic):
            return name
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "SVG/HTML"
    return None


def _open(data: bytes, *, limit: bool = True) -> Image.Image:
    """Pillow's lazy open: the header only, no pixels. With `limit`, more pixels than
    PIXEL_LIMIT is an error (never only a warning)."""
    if not limit:
        # Reading a header allocates nothing, so a bomb can be measured and named by its size;
        # the limit is back before any pixel is decoded.
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            return Image.open(io.BytesIO(data), formats=FORMATS)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        mp = PIXEL_LIMIT // 10**6
        raise PhotoError(f"ảnh có hơn {mp} triệu điểm ảnh", f"more than {mp} megapixels") from err


def _format(img: Image.Image) -> str:
    # Phones save multi-picture JPEGs (portrait depth maps); Pillow calls them MPO.
    return "JPEG" if img.format == "MPO" else str(img.format)


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _orientation(img: Image.Image) -> int:
    """The EXIF (or XMP) orientation, 1 when absent or unreadable: a mangled EXIF block is
    no reason to refuse the pixels."""
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:  # Pillow raises many types on hostile EXIF
        return 1
    return value if value in _TRANSPOSE else 1


def _shown_size(img: Image.Image) -> tuple[int, int]:
    return (img.height, img.width) if _orientation(img) in (5, 6, 7, 8) else img.size


def _decode(img: Image.Image, at_least: tuple[int, int] | None) -> None:
    """Decode every byte. A JPEG may decode at 1/2, 1/4 or 1/8 scale in the DCT itself (still
    reading the whole file, so truncation is caught) when `at_least` fits in that size."""
    if at_least and img.format in ("JPEG", "MPO"):
        img.draft(None, at_least)
    try:
        img.load()
    except OSError as err:
        if "truncated" in str(err):
            raise TRUNCATED from err
        raise PhotoError(CORRUPT.vi, f"{CORRUPT.en} ({err})") from err
    except Exception as err:  # hostile files raise many types inside Pillow; all mean corrupt
        raise PhotoError(CORRUPT.vi, f"{CORRUPT.en} ({type(err).__name__})") from err


def _eight_bit(img: Image.Image) -> Image.Image:
    """Modes a JPEG, PNG or WebP can carry -> L, RGB, RGBA or CMYK, keeping the tones."""
    if img.mode.startswith("I;16"):
        img = img.convert("I")
    if img.mode == "I":  # 16-bit grey: Pillow's own convert would clip everything above 255
        img = img.point(lambda v: v * (1 / 257)).convert("L")
    if img.mode == "1":
        img = img.convert("L")
    transparent = "transparency" in img.info
    if (img.mode in ("P", "L", "RGB") and transparent) or img.mode in ("PA", "LA", "La", "RGBa"):
        return img.convert("RGBA")
    if img.mode == "P":
        return img.convert("RGB")
    return img


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    alpha = img.mode == "RGBA"
    out_mode = "RGBA" if alpha else "RGB"
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if not ImageCms.getProfileDescription(profile).startswith("sRGB"):
                return ImageCms.profileToProfile(
                    img,
                    profile,
                    _SRGB,
                    renderingIntent=ImageCms.Intent.PERCEPTUAL,
                    outputMode=out_mode,
                )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: the pixels are still worth showing as sRGB
    return img.convert(out_mode)  # a copy even when the mode is right: the file gets closed


def clean(img: Image.Image) -> Image.Image:
    """A decoded image -> upright 8-bit sRGB RGB, transparency laid on BACKGROUND, and an
    empty `info`, so no encoder can copy EXIF, GPS, XMP, comments or profiles into a file."""
    icc = img.info.get("icc_profile")
    turn = _TRANSPOSE.get(_orientation(img))
    pixels = _to_srgb(_eight_bit(img), icc)
    if turn is not None:
        pixels = pixels.transpose(turn)
    if pixels.mode == "RGBA":
        flat = Image.new("RGB", pixels.size, BACKGROUND)
        flat.paste(pixels, mask=pixels.getchannel("A"))
        pixels = flat
    pixels.info = {}
    return pixels


def placeholder(img: Image.Image) -> tuple[str, str]:
    """The average colours of the top and bottom halves, for a gradient shown while loading."""
    two = img.resize((1, 2), Image.Resampling.BOX)
    top, bottom = (two.getpixel((0, y)) for y in (0, 1))
    return "#{:02x}{:02x}{:02x}".format(*top), "#{:02x}{:02x}{:02x}".format(*bottom)  # type: ignore[misc]


def _unparsable(kind: str, data: bytes) -> PhotoError:
    # WebP parses its whole stream on open: a short file fails there, not at decode.
    riff_size = int.from_bytes(data[4:8], "little") + 8
    return TRUNCATED if kind == "WEBP" and len(data) < riff_size else CORRUPT


def probe(data: bytes) -> Probe:
    """Decode the whole photo (small, where the format allows) and report what it is. A photo
    over PIXEL_LIMIT is measured but never decoded: validate.py reports its size."""
    try:
        img = _open(data, limit=False)
    except (OSError, SyntaxError, ValueError, EOFError):  # UnidentifiedImageError is an OSError
        kind = sniff(data[:64])
        if kind is None:
            return Probe(None, error=NOT_AN_IMAGE.detail)
        if kind in FORMATS:  # ours by its first bytes, yet Pillow cannot parse it
            return Probe(kind, error=_unparsable(kind, data).detail)
        return Probe(kind)  # a photo, but in a format we do not take: validate names it
    fmt = _format(img)
    if img.width * img.height > PIXEL_LIMIT:
        return Probe(fmt, *img.size)  # measured from the header, never decoded
    try:  # chunk checksums (PNG): corruption that a decoder would silently paint
        img.verify()
        img = _open(data, limit=False)
    except Exception as err:  # hostile files raise many types inside Pillow; all mean corrupt
        cut = isinstance(err, EOFError) or "truncated" in str(err).lower()
        return Probe(fmt, error=(TRUNCATED if cut else CORRUPT).detail)
    with img:
        width, height = _shown_size(img)  # after verify(): a PNG's EXIF may follow its pixels
        try:
            _decode(img, (max(1, img.width // 8), max(1, img.height // 8)))
            colours = placeholder(clean(img))
        except PhotoError as err:
            return Probe(fmt, width, height, error=err.detail)
    return Probe(fmt, width, height, colours)


def open_clean(data: bytes, largest: tuple[int, int]) -> Image.Image:
    """The clean image an encoder starts from, decoded no larger than needed for `largest`
    (width, height as shown). Raises PhotoError."""
    with _open(data) as img:
        w, h = largest
        raw = (h, w) if _shown_size(img) != img.size else (w, h)
        _decode(img, raw)
        return clean(img)


def _probe_file(path: Path) -> Probe:
    return probe(path.read_bytes())


def probe_cache_name(sha256: str) -> str:
    """Where probe_files keeps what it found for a photo, relative to the cache folder."""
    return f"probes/{sha256}-v{PROBE_VERSION}-pil{PIL.__version__}.json"


def probe_files(sources: dict[str, Path], cache_dir: Path | None) -> dict[str, Probe]:
    """Probe each photo (keyed by the sha256 of its bytes) on every core, reusing what an
    earlier run found for the same bytes."""
    found: dict[str, Probe] = {}
    for sha, _ in sorted(sources.items()):
        cached = cache_dir / probe_cache_name(sha) if cache_dir else None
        if cached and cached.is_file():
            data = json.loads(cached.read_text(encoding="utf-8"))
            colours = data.pop("colours", None)
            colours = tuple(colours) if colours else None
            found[sha] = Probe(**data, colours=colours)  # type: ignore[arg-type]
    todo = sorted(sha for sha in sources if sha not in found)
    if len(todo) > 1:
        with ProcessPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as pool:
            probes = list(pool.map(_probe_file, [sources[sha] for sha in todo]))
    else:
        probes = [_probe_file(sources[sha]) for sha in todo]
    for sha, result in zip(todo, probes, strict=True):
        found[sha] = result
        if cache_dir:
            target = cache_dir / probe_cache_name(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(asdict(result), sort_keys=True), encoding="utf-8")
            os.replace(tmp, target)
    return found
