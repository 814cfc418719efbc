"""Every field a member can write, once: kind, whether required, what it means in both languages,
and an example. Validation reads it to know which keys exist and how to check each; the JSON
Schema for editors and the `new` scaffold are generated from it, so the three cannot drift."""

from __future__ import annotations

from dataclasses import dataclass, field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SOCIAL_NETWORKS = ("facebook", "instagram", "tiktok", "youtube", "zalo")
REPEAT_RULES = ("lunar-new-year", "weekly")
OPERATORS = ("private", "public")


@dataclass(frozen=True)
class Spec:
    """One field. `kind` names its checker in validate.py; objects and lists nest."""

    kind: str
    vi: str
    en: str
    required: bool = False
    fields: dict[str, Spec] = field(default_factory=dict)  # kind "object"
    item: Spec | None = None  # kind "list"
    vocabulary: str | None = None  # kind "term": a section of content/vocabularies.yaml
    choices: tuple[str, ...] = ()  # kind "term": a fixed set instead
    length: tuple[int, int] = (1, 300)  # kind "text"
    empty_ok: bool = False  # kind "list"
    example: object = None

    @property
    def required_keys(self) -> list[str]:
        return [k for k, s in self.fields.items() if s.required]

    @property
    def optional_keys(self) -> list[str]:
        return [k for k, s in self.fields.items() if not s.required]


def _obj(vi: str, en: str, required: bool = False, **fields: Spec) -> Spec:
    return Spec("object", vi, en, required, fields=fields)


def _bilingual(vi: str, en: str, required: bool = False, example: object = None) -> Spec:
    return Spec("bilingual", vi, en, required, example=example)


FEE = _obj(
    "Vé vào cửa hoặc phí tham dự",
    "Entry fee",
    free=Spec("bool", "Miễn phí hay không", "Whether entry is free", True, example="true"),
    price_vnd=Spec("int", "Giá vé, tính bằng đồng", "Price in Vietnamese đồng", example="40000"),
    note=_bilingual("Ghi chú về giá vé", "A note on prices"),
)

PHOTO = Spec(
    "photo",
    "Một ảnh trong thư mục của mục",
    "A photo in the entry's folder",
    fields={
        "file": Spec("text", "Tên tệp ảnh", "The photo's file name", True, example="san-dinh.jpg"),
        "alt": _bilingual(
            "Mô tả ảnh cho người không nhìn thấy",
            "What the photo shows, for people who cannot see it",
            True,
        ),
        "credit": Spec("text", "Tác giả ảnh", "Who took the photo", length=(1, 120)),
    },
)

PHOTOS = Spec("list", "Ảnh của mục", "The entry's photos", item=PHOTO, empty_ok=True)

SPACE = _obj(
    "Thông tin của một không gian",
    "The facts of a space",
    type=Spec(
        "term", "Loại hình", "Type of space", True, vocabulary="space_types", example="museum"
    ),
    fields=Spec(
        "list",
        "Các lĩnh vực sáng tạo",
        "Creative fields",
        True,
        item=Spec("term", "Lĩnh vực", "Field", vocabulary="fields"),
        example="[heritage, design]",
    ),
    ward=Spec("term", "Phường", "Ward", vocabulary="wards", example="hoan-kiem"),
    address=Spec(
        "text",
        "Địa chỉ, một dòng",
        "Address, one line",
        length=(5, 200),
        example="42 Hàng Bạc, Hà Nội",
    ),
    location=Spec(
        "location",
        "Toạ độ trong Hà Nội",
        "Coordinates inside Hanoi",
        example="{lat: 21.0343, lon: 105.8529}",
    ),
    opening_hours=_obj(
        "Giờ mở cửa từng ngày",
        "Opening hours for each day",
        **{
            day: Spec(
                "hours",
                "Giờ mở cửa hoặc closed",
                "Opening hours or closed",
                True,
                example="closed" if day == "mon" else "08:00-17:00",
            )
            for day in WEEKDAYS
        },
    ),
    hours_note=_bilingual("Ghi chú về giờ mở cửa, ngày nghỉ", "A note on hours and closures"),
    website=Spec("url", "Trang web", "Website", example="https://example.vn/"),
    social=_obj(
        "Mạng xã hội",
        "Social media",
        **{name: Spec("url", f"Trang {name}", f"{name} page") for name in SOCIAL_NETWORKS},
    ),
    email=Spec("email", "Email liên hệ", "Contact email", example="lienhe@example.vn"),
    phone=Spec("phone", "Số điện thoại", "Phone number", example='"+84 24 3825 9936"'),
    operator=Spec(
        "term",
        "Đơn vị quản lý: công lập hay tư nhân",
        "Operator: public or private",
        vocabulary="operator",
        choices=OPERATORS,
        example="private",
    ),
    network=_obj(
        "Thành viên Mạng lưới Không gian Sáng tạo Hà Nội",
        "Membership of the Hanoi Creative Spaces Network",
        member=Spec("bool", "Là thành viên", "Is a member", True, example="true"),
        since=Spec("date", "Ngày được công nhận", "Date certified", example="2025-12-10"),
    ),
    accessibility=_obj(
        "Tiếp cận cho người khuyết tật",
        "Accessibility",
        step_free_entrance=Spec(
            "bool", "Lối vào không bậc thềm", "Step-free entrance", example="true"
        ),
        accessible_toilet=Spec(
            "bool", "Nhà vệ sinh cho người khuyết tật", "Accessible toilet", example="false"
        ),
        note=_bilingual("Ghi chú", "Note"),
    ),
    entry_fee=FEE,
    featured=Spec("bool", "Giới thiệu trên trang chủ", "Shown on the home page", example="false"),
    photos=PHOTOS,
    updated=Spec(
        "date", "Ngày cập nhật gần nhất", "Date of the last real change", example="2025-12-10"
    ),
)

EVENT = _obj(
    "Thông tin của một sự kiện",
    "The facts of an event",
    start=Spec(
        "datetime",
        "Bắt đầu: ngày, hoặc ngày và giờ",
        "Start: a date, or a date and time",
        True,
        example='"2026-04-21 19:30"',
    ),
    end=Spec(
        "datetime",
        "Kết thúc: ngày, hoặc ngày và giờ",
        "End: a date, or a date and time",
        example='"2026-04-21 21:00"',
    ),
    repeat=_obj(
        "Lặp lại",
        "Repeats",
        rule=Spec(
            "term",
            "Cách lặp",
            "How it repeats",
            True,
            vocabulary="repeat",
            choices=REPEAT_RULES,
            example="weekly",
        ),
        days=Spec(
            "list",
            "Các ngày trong tuần",
            "Days of the week",
            item=Spec("term", "Ngày", "Day", vocabulary="days", choices=WEEKDAYS),
            example="[sat, sun]",
        ),
        until=Spec("date", "Lặp đến ngày", "Repeats until", example="2026-12-31"),
    ),
    venues=Spec(
        "list",
        "Địa điểm",
        "Venues",
        True,
        item=Spec("venue", "Một địa điểm", "A venue"),
        example="\n  - space: hoi-quan-quang-dong",
    ),
    fields=Spec(
        "list",
        "Các lĩnh vực sáng tạo",
        "Creative fields",
        item=Spec("term", "Lĩnh vực", "Field", vocabulary="fields"),
        example="[photography]",
    ),
    organiser=_bilingual("Đơn vị tổ chức", "Organiser"),
    entry_fee=FEE,
    registration=Spec(
        "url", "Trang đăng ký tham gia", "Registration page", example="https://example.vn/dang-ky"
    ),
    photos=PHOTOS,
    updated=Spec(
        "date", "Ngày cập nhật gần nhất", "Date of the last real change", example="2025-12-10"
    ),
)


def front_matter(title_key: str) -> Spec:
    """The front matter of vi.md and en.md: `name` for a space, `title` for an event."""
    return _obj(
        "Phần đầu của tệp ngôn ngữ",
        "The front matter of a language file",
        **{
            title_key: Spec("text", "Tên", "Name", True, length=(2, 160)),
            "summary": Spec("text", "Tóm tắt một dòng", "One-line summary", True, length=(10, 300)),
        },
    )


# --- JSON Schema, for editors that underline mistakes as members type ----------------------

_DATE = r"\d{4}-\d{2}-\d{2}"
_PATTERNS = {
    "date": f"^{_DATE}$",
    "datetime": rf"^{_DATE}([ T]([01]\d|2[0-3]):[0-5]\d)?$",
    "url": r"^https?://[^\s]+$",
    "phone": r"^\+?[0-9][0-9 .()-]{6,20}$",
    "hours": r"^(closed|(\d{2}:\d{2}\s*-\s*\d{2}:\d{2})(\s*,\s*\d{2}:\d{2}\s*-\s*\d{2}:\d{2})*)$",
}


def json_schema(spec: Spec, vocabularies: dict[str, list[str]]) -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of `spec`; `vocabularies` gives each section's keys."""
    out: dict[str, object] = {"description": f"{spec.vi} / {spec.en}"}
    kind = spec.kind
    if kind in ("object", "photo"):
        out |= {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: json_schema(s, vocabularies) for k, s in spec.fields.items()},
        }
        if spec.required_keys:
            out["required"] = spec.required_keys
    elif kind == "list":
        assert spec.item is not None  # every list spec names its item
        out |= {"type": "array", "items": json_schema(spec.item, vocabularies)}
        out |= {"uniqueItems": True} | ({} if spec.empty_ok else {"minItems": 1})
    elif kind == "term":
        assert spec.vocabulary is not None  # every term spec names its vocabulary
        out["enum"] = list(spec.choices) or vocabularies[spec.vocabulary]
    elif kind == "text":
        out |= {"type": "string", "minLength": spec.length[0], "maxLength": spec.length[1]}
    elif kind == "bilingual":
        text = {"type": "string", "minLength": 1}
        out |= {
            "type": "object",
            "additionalProperties": False,
            "required": ["vi", "en"],
            "properties": {"vi": text, "en": text},
        }
    elif kind == "location":
        out |= {
            "type": "object",
            "additionalProperties": False,
            "required": ["lat", "lon"],
            "properties": {
                "lat": {"type": "number", "minimum": 20.53, "maximum": 21.39},
                "lon": {"type": "number", "minimum": 105.28, "maximum": 106.03},
            },
        }
    elif kind == "venue":
        place = json_schema(Spec("bilingual", "Địa điểm khác", "Another place"), vocabularies)
        out["oneOf"] = [
            {"type": "object", "additionalProperties": False, "required": ["space"],
             "properties": {"space": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}}},
            {"type": "object", "additionalProperties": False, "required": ["place"],
             "properties": {"place": place}},
        ]  # fmt: skip
    elif kind == "bool":
        out["type"] = "boolean"
    elif kind == "int":
        out |= {"type": "integer", "minimum": 0}
    elif kind == "email":
        out |= {"type": "string", "format": "email"}
    else:
        out |= {"type": "string", "pattern": _PATTERNS[kind]}
    return out


def document(spec: Spec, title: str, vocabularies: dict[str, list[str]]) -> dict[str, object]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **json_schema(spec, vocabularies),
    }
