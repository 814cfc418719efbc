"""One checker per kind of value a member types. Each returns the parsed value, or None after
adding exactly one Problem that names the field, what was expected, what came and the fix."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import Bilingual, Problems
from .load import YamlDoc
from .schema import WEEKDAYS  # noqa: F401 -- re-exported for the model
from .vietnamese import slugify

# Hanoi's administrative area with a little margin; catches swapped or mistyped coordinates.
HANOI_LAT = (20.53, 21.39)
HANOI_LON = (105.28, 106.03)
YEARS = (1900, 2100)

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_RANGE = re.compile(r"([01]\d|2[0-4]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9][0-9 .()-]{6,20}")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# Zero-width, joiner and bidirectional controls let a name display differently from what it is.
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x061C}
_INVISIBLE |= set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F}

_TYPE_NAMES = {
    "text": ("một đoạn chữ", "a piece of text"),
    "mapping": ("một nhóm khoá: giá trị", "a group of key: value pairs"),
    "list": ("một danh sách", "a list"),
    "bilingual": ("một nhóm có 'vi' và 'en'", "a group with 'vi' and 'en'"),
}


@dataclass
class Field:
    """Where a value sits: its document and key path, for every problem about it."""

    doc: YamlDoc
    key: str
    problems: Problems

    @property
    def line(self) -> int | None:
        return self.doc.line(self.key)

    def add(self, code: str, suggestion: str | None = None, **values: object) -> None:
        self.problems.add(code, self.doc.path, self.line, self.key, suggestion=suggestion, **values)

    def child(self, name: str | int) -> Field:
        key = f"{self.key}[{name}]" if isinstance(name, int) else f"{self.key}.{name}"
        return Field(self.doc, key, self.problems)

    def wrong_type(self, kind: str) -> None:
        vi, en = _TYPE_NAMES[kind]
        self.add("wrong_type", expected_vi=vi, expected_en=en)


def suggest(value: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def mapping(
    f: Field, value: object, required: Iterable[str], optional: Iterable[str]
) -> dict[str, object] | None:
    """A mapping whose keys are all known; reports unknown keys (with a suggestion) and
    missing required ones, and returns it so the known keys can still be checked."""
    if not isinstance(value, dict):
        f.wrong_type("mapping")
        return None
    required = list(required)
    known = sorted({*required, *optional})
    previous = None
    for key in value:
        if key not in known:
            child = f.child(key) if f.key else Field(f.doc, key, f.problems)
            if f.key and previous and value[key] is None and child.line == f.line:
                # `{vi: Nhà Bát Giác, vườn hoa Lý Thái Tổ, en: …}`: the comma split the text
                # of the key before, which is where the member has to add quotes.
                f.child(previous).add("comma_split", key=key)
                continue
            child.problems.add(
                "unknown_key",
                f.doc.path,
                child.line,
                child.key,
                suggestion=suggest(key, known),
                key=key,
            )
        previous = key
    for key in [k for k in required if k not in value]:
        child = f.child(key) if f.key else Field(f.doc, key, f.problems)
        f.problems.add("missing_key", f.doc.path, f.line if f.key else None, child.key)
    return value


def text(f: Field, value: object, lo: int = 1, hi: int = 300, one_line: bool = True) -> str | None:
    if not isinstance(value, str):
        f.wrong_type("text")
        return None
    value = value.strip()
    for char in value:
        if ord(char) in _INVISIBLE or (unicodedata.category(char) == "Cc" and char not in "\n\t"):
            f.add("text_control", char=f"{ord(char):04X}")
            return None
    if one_line and "\n" in value:
        f.add("text_multiline")
        return None
    if not lo <= len(value) <= hi:
        f.add("text_length", min=lo, max=hi, length=len(value))
        return None
    return value


def bilingual(f: Field, value: object, hi: int = 300) -> Bilingual | None:
    if not isinstance(value, dict):
        f.wrong_type("bilingual")
        return None
    if mapping(f, value, {"vi", "en"}, set()) is None or set(value) != {"vi", "en"}:
        return None
    vi = text(f.child("vi"), value["vi"], hi=hi)
    en = text(f.child("en"), value["en"], hi=hi)
    return Bilingual(vi, en) if vi is not None and en is not None else None


def boolean(f: Field, value: object) -> bool | None:
    if isinstance(value, str) and value.lower() in ("true", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "no"):
        return False
    f.add("bad_bool", value=value)
    return None


def number(f: Field, value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        f.add("bad_number", value=value)
        return None


def whole_number(f: Field, value: object, hi: int = 10**9) -> int | None:
    if isinstance(value, str) and value.isdigit() and int(value) <= hi:
        return int(value)
    f.add("bad_number", value=value)
    return None


def date(f: Field, value: object) -> dt.date | None:
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        f.add("bad_date", value=value)
        return None
    year, month, day = (int(g) for g in match.groups())
    if not YEARS[0] <= year <= YEARS[1]:
        f.add("date_out_of_range", year=year, min=YEARS[0], max=YEARS[1])
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        f.add("bad_date", value=value)
        return None


def date_time(f: Field, value: object) -> tuple[dt.date, dt.time | None] | None:
    """'2025-04-21' or '2025-04-21 19:30' (also with a T), in Hanoi time."""
    if not isinstance(value, str):
        f.add("bad_datetime", value=value)
        return None
    day_text, _, time_text = value.replace("T", " ").partition(" ")
    if time_text and not _TIME.fullmatch(time_text.strip()):
        f.add("bad_datetime", value=value)
        return None
    if not _DATE.fullmatch(day_text):
        f.add("bad_datetime", value=value)
        return None
    day = date(f, day_text)
    if day is None:
        return None
    if not time_text:
        return day, None
    hour, minute = (int(x) for x in time_text.strip().split(":"))
    return day, dt.time(hour, minute)


def hours(f: Field, value: object) -> tuple[tuple[str, str], ...] | None:
    """'08:00-11:30, 13:30-17:00' -> (('08:00', '11:30'), ('13:30', '17:00')); closed -> ()."""
    if isinstance(value, str) and value.strip().lower() == "closed":
        return ()
    parts = value.split(",") if isinstance(value, str) else [None]
    ranges: list[tuple[str, str]] = []
    for part in parts:
        match = _RANGE.fullmatch(part.strip()) if part else None
        if not match:
            f.add("bad_hours", suggestion=_hours_fix(str(value)), value=value)
            return None
        opens, closes = f"{match[1]}:{match[2]}", f"{match[3]}:{match[4]}"
        if closes <= opens or closes > "24:00" or (ranges and opens < ranges[-1][1]):
            f.add("hours_order", value=value)
            return None
        ranges.append((opens, closes))
    return tuple(ranges)


def _hours_fix(value: str) -> str | None:
    """'8h-17h', '9:00–18:00' -> '08:00-17:00', '09:00-18:00': what the member meant."""
    text = re.sub(r"\s*[–—-]\s*", "-", value.strip().lower())
    text = re.sub(
        r"\b(\d{1,2})(?:[h:.](\d{2})?|h)?(?=-|,|$)",
        lambda m: f"{int(m[1]):02d}:{m[2] or '00'}",
        text,
    )
    text = re.sub(r"\s*,\s*", ", ", text)
    parts = text.split(", ")
    ok = all(_RANGE.fullmatch(p) for p in parts)
    return text if ok and text != value else None


def url(f: Field, value: object) -> str | None:
    """An absolute http(s) address with a real host name; nothing that could run script."""
    if not isinstance(value, str):
        f.add("bad_url", value=value)
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        f.add("bad_url", value=value)
        return None
    bad = parts.scheme not in ("http", "https") or parts.username or parts.password
    bad = bad or not _HOST.fullmatch(host) or any(c.isspace() or ord(c) < 32 for c in value)
    if bad or len(value) > 500:
        host_only = not parts.scheme and _HOST.fullmatch(value.split("/")[0].lower())
        f.add("bad_url", suggestion=f"https://{value}" if host_only else None, value=value)
        return None
    return value


def email(f: Field, value: object) -> str | None:
    if isinstance(value, str) and _EMAIL.fullmatch(value.strip()) and len(value) <= 254:
        return value.strip()
    f.add("bad_email", value=value)
    return None


def phone(f: Field, value: object) -> str | None:
    if isinstance(value, str) and _PHONE.fullmatch(value.strip()):
        digits = re.sub(r"\D", "", value)
        if 8 <= len(digits) <= 15:
            return value.strip()
    f.add("bad_phone", value=value)
    return None


def location(f: Field, value: object) -> tuple[float, float] | None:
    pasted = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[,;]\s*(-?\d+(?:\.\d+)?)\s*", str(value))
    if isinstance(value, str) and pasted:  # '21.0342, 105.8528', as a map app copies it
        f.add("location_text", suggestion=f"{{lat: {pasted[1]}, lon: {pasted[2]}}}")
        return None
    data = mapping(f, value, {"lat", "lon"}, set())
    if data is None or set(data) != {"lat", "lon"}:
        return None
    lat, lon = number(f.child("lat"), data["lat"]), number(f.child("lon"), data["lon"])
    if lat is None or lon is None:
        return None
    if not (HANOI_LAT[0] <= lat <= HANOI_LAT[1] and HANOI_LON[0] <= lon <= HANOI_LON[1]):
        f.add("outside_hanoi", lat=lat, lon=lon)
        return None
    return lat, lon


def slug(f: Field, value: str) -> str | None:
    if 2 <= len(value) <= 80 and SLUG.fullmatch(value):
        return value
    fixed = slugify(value)
    f.add("bad_slug", suggestion=fixed if len(fixed) >= 2 else None, value=value)
    return None


def term(
    f: Field, value: object, vocabulary: dict[str, object], name: str, fixed: bool = False
) -> str | None:
    """A key of a vocabulary; `fixed` ones are short lists named in the message itself."""
    if isinstance(value, str) and value in vocabulary:
        return value
    choices = sorted(vocabulary)
    hint = suggest(str(value).lower().replace(" ", "-"), choices) if value is not None else None
    code, values = ("unknown_term", {"vocabulary": name})
    if fixed:
        code, values = ("unknown_choice", {"choices": ", ".join(vocabulary)})
    f.problems.add(code, f.doc.path, f.line, f.key, suggestion=hint, value=value, **values)
    return None


def listing(
    f: Field, value: object, check: Callable[[Field, object], object | None], *, empty_ok: bool
) -> tuple[object, ...] | None:
    """A list checked item by item; a repeated item is a problem, order is kept."""
    if isinstance(value, str) and re.search(r"[,;]", value):  # `fields: design, crafts`
        items = [item.strip() for item in re.split(r"[,;]", value) if item.strip()]
        f.add("list_brackets", suggestion=f"[{', '.join(items)}]")
        return None
    if isinstance(value, str):
        value = [value]  # `fields: design` means a list of one; forgiving the common slip
    if not isinstance(value, list):
        f.wrong_type("list")
        return None
    if not value and not empty_ok:
        f.add("empty_list")
        return None
    out: list[object] = []
    ok = True
    for i, item in enumerate(value):
        checked = check(f.child(i), item)
        if checked is None:
            ok = False
        elif checked in out:
            shown = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
            f.child(i).add("duplicate_value", value=shown)
            ok = False
        else:
            out.append(checked)
    return tuple(out) if ok else None
