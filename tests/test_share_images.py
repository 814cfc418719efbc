"""Share images: the vendored typefaces set every Vietnamese letter, the tile colours come from
the site's stylesheet, and the drawing fits any name."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageDraw, ImageFont

from sitegen import share_images
from sitegen.model import Photo

ROOT = Path(__file__).resolve().parent.parent
TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
VOWELS = "aăâeêioôơuưy"
LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in ("", *TONES)}
    | set(VOWELS)
    | {"đ"}
)
ALPHABET = "".join(LETTERS) + "".join(letter.upper() for letter in LETTERS)


@pytest.mark.parametrize("font", [share_images.TITLE_FONT, share_images.LABEL_FONT])
def test_fonts_set_every_vietnamese_letter(font: Path):
    face = ImageFont.truetype(str(font), 48, layout_engine=ImageFont.Layout.BASIC)

    def drawn(text: str) -> bytes:
        img = Image.new("L", (90, 90))
        ImageDraw.Draw(img).text((20, 10), text, font=face, fill=255)
        return img.tobytes()

    missing = drawn("\U000f0000")  # a private-use code point: the .notdef box
    assert len(ALPHABET) == 2 * (len(VOWELS) * 6 + 1)  # every vowel with each tone, and đ
    for letter in ALPHABET:
        assert drawn(letter) != missing, f"{font.name} lacks {letter!r}"
    # a tone mark is drawn, not dropped: each toned vowel differs from its bare vowel
    for vowel in VOWELS:
        for tone in TONES:
            assert drawn(unicodedata.normalize("NFC", vowel + tone)) != drawn(vowel)


def test_fonts_ship_with_their_licence():
    for font in (share_images.TITLE_FONT, share_images.LABEL_FONT):
        licence = font.with_name(font.stem.split("-")[0] + "-OFL.txt")
        assert "SIL Open Font License" in licence.read_text(encoding="utf-8")


def test_every_space_type_has_a_tile_colour():
    palette = share_images.palette(ROOT / "assets" / "site.css")
    vocabulary = yaml.safe_load((ROOT / "content" / "vocabularies.yaml").read_text("utf-8"))
    assert set(vocabulary["space_types"]) <= set(palette)
    assert palette["museum"] == share_images.BRAND


def _spec(title: str, photo: Photo | None = None) -> share_images.ShareSpec:
    return share_images.ShareSpec(title, "Bảo tàng · Cửa Nam", "Không gian", "#1f4e79", photo, "")


def test_the_tile_is_the_type_colour_with_stripes():
    img = share_images.draw(_spec("Nhà hát Lớn Hà Nội"), None)
    assert img.size == (1200, 630) and img.mode == "RGB" and not img.info
    top = img.crop((0, 0, 700, 180))  # above the darker foot, beside the seal and the brand
    counts = {colour: n for n, colour in top.getcolors(700 * 180)}
    assert counts[(0x1F, 0x4E, 0x79)] > 45_000  # the tile itself
    assert counts[(49, 92, 132)] > 45_000  # stripes: white at 8 % over it, as in site.css
    seal = img.getpixel((share_images.WIDTH - 230 - 60, 200))
    assert seal == (0x1F, 0x4E, 0x79)  # the seal is plain colour, no stripes


def test_a_long_name_fits_in_three_lines():
    name = "Bảo tàng Phụ nữ Việt Nam – nơi lưu giữ ký ức, di sản và tiếng nói của phụ nữ " * 3
    font, lines = share_images._fit(name, 1200 - 2 * share_images.MARGIN)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1200 - 2 * share_images.MARGIN for line in lines)
    short_font, short = share_images._fit("Đình Kim Ngân", 1056)
    assert short == ["Đình Kim Ngân"] and short_font.size > font.size


def test_a_photo_is_used_only_when_large_enough():
    def photo(width: int, height: int) -> Photo:
        return Photo("0" * 64, "x.jpg", width, height, {"vi": "", "en": ""}, None)

    assert share_images.cover_scale(photo(2400, 1600)) == 0.5
    small, large = photo(320, 240), photo(1600, 1200)
    assert share_images.cover_scale(small) > share_images.MAX_UPSCALE
    assert share_images.cover_scale(large) <= share_images.MAX_UPSCALE
    shot = share_images.draw(_spec("Đình Kim Ngân", large), Image.new("RGB", (1200, 900), "red"))
    assert shot.getpixel((1100, 40))[0] > 150  # the photo shows, shaded a little at the top


TEXTS = [
    "Bảo tàng Phụ nữ Việt Nam",
    "Đình Kim Ngân · Hoàn Kiếm",
    "AVATAR To Wa Ty Yo Văn Tự Vườn Tây Yên",  # kerned pairs, overlapping
    "fj ffi Ỷ Ỹ ậ ặ ẫ ỗ ữ ự",
    "Tết Việt – Tết Phố 2025!",
    "Hội quán Quảng Đông (Hàng Buồm)",
    unicodedata.normalize("NFD", "Nhà hát Lớn"),  # combining marks on their base letters
    "“Quotes” & ‘more’ … 100%",
    "  two  spaces ",
]


@pytest.mark.parametrize("font", [share_images.TITLE_FONT, share_images.LABEL_FONT])
@pytest.mark.parametrize("size", [26, 48, 76])
def test_text_from_cached_glyphs_is_what_imagedraw_sets(font: Path, size: int):
    for text in TEXTS:
        expected = Image.new("RGB", (1200, 160), "#7a3b2e")
        ImageDraw.Draw(expected).text(
            (40, 110), text, font=share_images._font(font, size), fill="#f6dfb0", anchor="ls"
        )
        drawn = Image.new("RGB", (1200, 160), "#7a3b2e")
        share_images._text(drawn, (40, 110), text, font, size, "#f6dfb0")
        assert drawn.tobytes() == expected.tobytes(), text
