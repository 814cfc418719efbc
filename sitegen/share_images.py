"""The 1200×630 image a link preview shows (Open Graph): one per page and language.

A space or event with a photo gets its first photo, cropped, with its name set over it; one
without gets the designed tile the listings show (its type's colour, stripes and initial), with
the name. Every other page shares the site's own card. Receives the model; returns what to draw
(`spec`) and draws it (`draw`); images.py decides when, and caches the result.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageMath, ImageOps

from .model import Event, Page, Photo, Site, Space

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes.
SHARE_VERSION = 3
FONTS = Path(__file__).parent / "fonts"
TITLE_FONT = FONTS / "NotoSerif-Bold.ttf"
LABEL_FONT = FONTS / "BeVietnamPro-SemiBold.ttf"
BRAND = "#8a1c1c"  # --brand in assets/site.css
PAPER = "#fdf8f0"  # --paper
GOLD = "#f6dfb0"  # a light --gold, for the kicker over dark shades and tiles
EVENT_TILE = "#1d5b4f"  # --accent, for events held nowhere with a colour of its own
MARGIN = 72
MAX_UPSCALE = 1.5
# Baseline, not progressive: only link-preview crawlers fetch these, and progressive encoding
# costs three times as much (11-15 ms against 3-5 ms an image) for files 3-5 % smaller.
JPEG = {"quality": 82, "optimize": True}
SEAL = (WIDTH - 230, 200, 118)  # the tile's seal: centre and radius, clear of a 3-line title
_TILE_RULE = re.compile(r"((?:\.card__media--[\w-]+\s*,?\s*)+)\{\s*--tile:\s*(#[0-9a-fA-F]{6})")


def signature() -> str:
    """What shapes a share image besides its text: the drawing, the fonts, the encoding."""
    fonts = [hashlib.sha256(f.read_bytes()).hexdigest() for f in (TITLE_FONT, LABEL_FONT)]
    return json.dumps([SHARE_VERSION, fonts, JPEG])


def palette(stylesheet: Path) -> dict[str, str]:
    """Each space type's tile colour, read from the `.card__media--<type>` rules of the site's
    stylesheet, so a listing's tile and a share image can never disagree."""
    colours: dict[str, str] = {}
    for selectors, colour in _TILE_RULE.findall(stylesheet.read_text(encoding="utf-8")):
        for key in re.findall(r"\.card__media--([\w-]+)", selectors):
            colours[key] = colour.lower()
    return colours


@dataclass(frozen=True, slots=True)
class ShareSpec:
    """What one share image shows; two equal specs draw the same bytes."""

    title: str
    kicker: str
    brand: str
    colour: str
    photo: Photo | None
    alt: str

    def key(self, salt: str) -> str:
        fields = [self.title, self.kicker, self.brand, self.colour, salt]
        fields.append(self.photo.sha256 if self.photo else "")
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


def spec(page: Page, site: Site, colours: dict[str, str]) -> ShareSpec:
    lang, subject, t = page.lang, page.subject, site.strings.t
    brand = t(lang, "site.name")
    if isinstance(subject, Space):
        title = subject.text.name[lang]
        kicker = subject.type.label[lang]
        if subject.ward:
            kicker += " · " + subject.ward.label[lang]
        colour = colours.get(subject.type_key, BRAND)
    elif isinstance(subject, Event):
        title = subject.text.name[lang]
        kicker = subject.schedule[lang] or subject.when[lang]
        venues = site.space_by_slug
        held = [venues[s].type_key for s in subject.venue_slugs if s in venues]
        colour = colours.get(held[0], EVENT_TILE) if held else EVENT_TILE
    else:
        title, kicker, colour = brand, t(lang, "site.city"), BRAND
        brand = t(lang, "site.tagline")
    photos = subject.photos if isinstance(subject, (Space, Event)) else ()
    # a photo blown up more than half again looks worse than the designed tile
    photo = next((p for p in photos if cover_scale(p) <= MAX_UPSCALE), None)
    return ShareSpec(title, kicker, brand, colour, photo, title)


def cover_scale(photo: Photo) -> float:
    """How much the photo is scaled to cover the whole image."""
    return max(WIDTH / photo.width, HEIGHT / photo.height)


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    # The basic layout needs no system library (raqm needs fribidi), so every machine draws
    # the same pixels; Vietnamese letters are precomposed glyphs in both fonts, NFC text.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=4096)
def _glyph(path: Path, size: int, char: str) -> tuple[Image.Image | None, int, int]:
    """One character's coverage mask and its offset from the pen on the baseline."""
    font = _font(path, size)
    left, top, right, bottom = font.getbbox(char, anchor="ls")
    if right <= left or bottom <= top:
        return None, 0, 0  # a space
    mask = Image.new("L", (right - left, bottom - top))
    ImageDraw.Draw(mask).text((-left, -top), char, font=font, fill=255, anchor="ls")
    return mask, left, top


def _text(
    img: Image.Image, xy: tuple[int, int], text: str, path: Path, size: int, fill: str
) -> None:
    """Set a line with its left end on the baseline at `xy`, as ImageDraw.text would, from
    glyphs rasterised once per build: FreeType's hinting of a large glyph costs more than the
    rest of a share image (a 76 px title line took 4 ms to draw). Each glyph sits where the
    advances and kerning of the glyphs before it put it."""
    if any(unicodedata.combining(char) for char in text):
        # a mark on the letter before it: blended with it as FreeType blends, not glyph by glyph
        font = _font(path, size)
        ImageDraw.Draw(img).text(xy, text, font=font, fill=fill, anchor="ls")
        return
    placed = []
    pen, before = 0.0, ""
    for char in text:
        if before:
            pen += _advance(path, size, before) + _kerning(path, size, before + char)
        mask, left, top = _glyph(path, size, char)
        if mask is not None:
            placed.append((mask, math.floor(pen + 0.5) + left, top))  # FreeType rounds halves up
        before = char
    if not placed:
        return
    # one coverage mask for the line, blended once, where a glyph overlapping the one before
    # (a kerned pair) covers it as FreeType's line does: a + b - ab
    x0 = min(left for _, left, _ in placed)
    y0 = min(top for _, _, top in placed)
    x1 = max(left + mask.width for mask, left, _ in placed)
    y1 = max(top + mask.height for mask, _, top in placed)
    line = Image.new("L", (x1 - x0, y1 - y0))
    for mask, left, top in placed:
        box = (left - x0, top - y0, left - x0 + mask.width, top - y0 + mask.height)
        line.paste(_cover(line.crop(box), mask), box)
    img.paste(fill, (xy[0] + x0, xy[1] + y0), line)


def _cover(under: Image.Image, glyph: Image.Image) -> Image.Image:
    """glyph + (255 - glyph) × under / 255, rounded to nearest, as FreeType's line is drawn."""
    if not under.getbbox():
        return glyph  # nothing under it: most glyphs
    return ImageMath.lambda_eval(
        lambda v: v["g"] + ((255 - v["g"]) * v["u"] * 2 + 255) / 510, g=glyph, u=under
    ).convert("L")


# Measuring a glyph loads and hints it again, as drawing does: advances and kerning are kept.
@lru_cache(maxsize=4096)
def _advance(path: Path, size: int, char: str) -> float:
    return _font(path, size).getlength(char)


@lru_cache(maxsize=65536)
def _kerning(path: Path, size: int, pair: str) -> float:
    font = _font(path, size)
    return font.getlength(pair) - _advance(path, size, pair[0]) - _advance(path, size, pair[1])


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fit(text: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size that fits in three lines; the last line ends in … if even the
    smallest does not."""
    for size in range(76, 42, -4):
        font = _font(TITLE_FONT, size)
        lines = _wrap(text, font, width)
        if len(lines) <= 3 and all(font.getlength(line) <= width for line in lines):
            return font, lines
    lines = _wrap(text, font, width)
    if len(lines) > 3:
        last = " ".join(lines[2:])
        while font.getlength(last + "…") > width and " " in last:
            last = last.rsplit(" ", 1)[0]
        lines = [*lines[:2], last + "…"]
    return font, lines


def _tile(colour: str, initial: str) -> Image.Image:
    """The no-photo visual of the card tile in assets/site.css, at share size: the type's
    colour, white stripes at 8 %, a darker foot, and the initial on a ringed seal."""
    img = _ground(colour).copy()
    if initial:
        seal = ImageDraw.Draw(img, "RGBA")
        seal.text(SEAL[:2], initial, font=_font(TITLE_FONT, 136), fill="#ffffff", anchor="mm")
    return img


@cache
def _ground(colour: str) -> Image.Image:
    """The tile without its initial: the same for every page of a type, so drawn once."""
    img = Image.new("RGB", (WIDTH, HEIGHT), colour)
    stripes = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(stripes)
    step = 48  # 24 px stripes, 24 px gaps: the card's 12/12 at twice its size
    for x in range(-HEIGHT, WIDTH + HEIGHT, step):
        band = [(x, HEIGHT), (x + step // 2, HEIGHT), (x + step // 2 + HEIGHT, 0), (x + HEIGHT, 0)]
        draw.polygon(band, fill=20)
    img.paste((255, 255, 255), mask=stripes)
    img = _shade(img, top=False)
    cx, cy, r = SEAL
    seal = ImageDraw.Draw(img, "RGBA")
    seal.ellipse(
        (cx - r - 14, cy - r - 14, cx + r + 14, cy + r + 14), outline=(255, 255, 255, 90), width=3
    )
    seal.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=colour, outline=(255, 255, 255, 180), width=6
    )
    return img


def _shade(img: Image.Image, top: bool = True) -> Image.Image:
    """Darken the bottom (where the title sits) and the top edge (the brand), so white text
    reads on any photo; a tile, already dark, gets only the foot the card tile has."""
    black = Image.new("RGB", (WIDTH, HEIGHT), (16, 12, 10))
    return Image.composite(black, img, _shade_mask(top))


@cache
def _shade_mask(top: bool) -> Image.Image:
    mask = Image.new("L", (1, HEIGHT))
    for y in range(HEIGHT):
        foot = max(0.0, (y / HEIGHT - 0.3) / 0.7) ** 1.4 * (215 if top else 70)
        head = max(0.0, 1 - y / 150) * 110 if top else 0.0
        mask.putpixel((0, y), round(max(foot, head)))
    return mask.resize((WIDTH, HEIGHT))


def _mark(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    """The site's mark (assets/favicon.svg) in reverse: an H on paper, legible on any tile."""
    u = size / 32
    draw.rounded_rectangle((x, y, x + size, y + size), radius=round(6 * u), fill=PAPER)
    h = [(8, 24), (8, 8), (12, 8), (12, 14), (20, 14), (20, 8), (24, 8), (24, 24), (20, 24),
         (20, 18), (12, 18), (12, 24)]  # fmt: skip
    draw.polygon([(x + px * u, y + py * u) for px, py in h], fill=BRAND)


def covers(photo: Image.Image) -> bool:
    """Whether the image is large enough to be cropped to share size without enlarging."""
    return photo.width >= WIDTH and photo.height >= HEIGHT


def backdrop(photo: Image.Image) -> Image.Image:
    """The photo cropped to share size and shaded: the same under every title, so a photo that
    illustrates several pages is cropped once (see images.py)."""
    cover = ImageOps.fit(photo, (WIDTH, HEIGHT), Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    return _shade(cover)


def draw(
    spec: ShareSpec, photo: Image.Image | None, ground: Image.Image | None = None
) -> Image.Image:
    """The share image: `photo` is the clean, decoded spec.photo, or None for the tile;
    `ground`, if given, is backdrop(photo), made once for several images."""
    if photo is not None:
        img = ground.copy() if ground is not None else backdrop(photo)
    else:
        initial = next((c for c in spec.title if c.isalnum()), "")
        img = _tile(spec.colour, initial.upper())
    draw_ = ImageDraw.Draw(img)
    _mark(draw_, MARGIN, 56, 44)
    label = _font(LABEL_FONT, 26)
    # centred on y=78 as anchor "lm" centres it: where that puts the baseline
    middle, base = (label.getbbox(spec.brand, anchor=a)[1] for a in ("lm", "ls"))
    baseline = 78 + middle - base
    _text(img, (MARGIN + 44 + 16, baseline), spec.brand, LABEL_FONT, 26, "#ffffff")
    font, lines = _fit(spec.title, WIDTH - 2 * MARGIN)
    line_height = round(font.size * 1.22)
    y = HEIGHT - MARGIN - line_height * (len(lines) - 1)
    kicker_y = y - round(font.size * 0.95) - 22
    _text(img, (MARGIN, kicker_y), spec.kicker, LABEL_FONT, 28, GOLD)
    for line in lines:
        _text(img, (MARGIN, y), line, TITLE_FONT, int(font.size), "#ffffff")
        y += line_height
    img.info = {}
    return img
