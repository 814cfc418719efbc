"""Vietnamese text rules: tone folding, slugs and alphabetical order. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

# Vowel shapes are letters of their own in the alphabet (a < ă < â), tones are not: they only
# break ties, in the traditional order level, grave, hook, tilde, acute, dot.
_SHAPE_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]  # fmt: skip
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}


def fold_tones(text: str) -> str:
    """'Đình Kim Ngân' -> 'Dinh Kim Ngan': what a visitor types on a keyboard without Telex."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def slugify(text: str) -> str:
    """'Hội quán Quảng Đông' -> 'hoi-quan-quang-dong'."""
    folded = fold_tones(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def slug_identity(slug: str) -> str:
    """Two slugs that differ only by case or tone marks name the same place."""
    return fold_tones(unicodedata.normalize("NFC", slug)).casefold()


def _letters(text: str) -> list[tuple[int, int]]:
    """(letter rank, tone rank) for each letter or digit, ignoring case and punctuation."""
    out: list[tuple[int, int]] = []
    for char in unicodedata.normalize("NFC", text.lower()):
        if char == "đ":
            out.append((_LETTER_RANK["đ"], 0))
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        shaped = base
        for mark in marks:
            if mark in _TONE_RANK:
                tone = _TONE_RANK[mark]
            elif mark in _SHAPE_MARKS:
                shaped = unicodedata.normalize("NFC", base + mark)
        if shaped in _LETTER_RANK:
            out.append((_LETTER_RANK[shaped], tone))
        elif base in "0123456789":  # not isdigit(): '²' is a digit with no int() value
            out.append((-10 + int(base), 0))  # digits sort before letters
        elif base.isalpha():
            out.append((len(_ALPHABET) + ord(base), tone))
        elif out and out[-1] != (-20, 0):
            out.append((-20, 0))  # one word break, sorting before any letter
    return out


@cache  # every listing sorts the same names again
def collation_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Vietnamese dictionary order: letters first (a ă â b c d đ …), tones only to break ties."""
    pairs = _letters(text)
    return tuple(rank for rank, _ in pairs), tuple(tone for _, tone in pairs)


# Tết Nguyên Đán by the Vietnamese lunar calendar (UTC+7), which can differ from China's.
LUNAR_NEW_YEAR = {
    date.year: date
    for date in map(
        dt.date.fromisoformat,
        """2010-02-14 2011-02-03 2012-01-23 2013-02-10 2014-01-31 2015-02-19 2016-02-08
        2017-01-28 2018-02-16 2019-02-05 2020-01-25 2021-02-12 2022-02-01 2023-01-22
        2024-02-10 2025-01-29 2026-02-17 2027-02-06 2028-01-26 2029-02-13 2030-02-03
        2031-01-23 2032-02-11 2033-01-31 2034-02-19 2035-02-08""".split(),  # noqa: SIM905
    )
}
