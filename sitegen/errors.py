"""Problems found in content: one record type, collected across all files, printed all at once.

Receives problems from every step; owns the bilingual message catalogue and the two output
formats (plain text for people, GitHub annotations for pull requests). Touches no files.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Bilingual:
    vi: str
    en: str


# Each message in both languages; `{name}` placeholders are filled by Problems.add.
# A test checks that both sides of every entry use the same placeholders (a `_vi`/`_en` pair
# counts as one: the same value, named in each language).
CATALOGUE: dict[str, tuple[str, str]] = {
    # files and YAML
    "file_missing": ("thiếu tệp {name}", "the file {name} is missing"),
    "file_empty": ("tệp trống", "the file is empty"),
    "file_too_large": (
        "tệp quá lớn ({size} byte, tối đa {limit})",
        "the file is too large ({size} bytes, at most {limit})",
    ),
    "not_utf8": (
        "tệp không phải văn bản UTF-8 (byte lạ ở vị trí {offset})",
        "the file is not UTF-8 text (unexpected byte at offset {offset})",
    ),
    "yaml_syntax": ("lỗi cú pháp YAML: {detail}", "YAML syntax error: {detail}"),
    "yaml_tab": (
        "dùng dấu Tab để thụt lề; YAML chỉ nhận dấu cách",
        "a tab is used for indentation; YAML accepts only spaces",
    ),
    "yaml_alias": (
        "không dùng neo hay bí danh YAML (& và *)",
        "YAML anchors and aliases (& and *) are not accepted",
    ),
    "yaml_tag": ("không dùng thẻ YAML ({tag})", "YAML tags ({tag}) are not accepted"),
    "yaml_too_deep": (
        "lồng nhau quá sâu (tối đa {limit} cấp)",
        "nested too deeply (at most {limit} levels)",
    ),
    "yaml_duplicate_key": (
        "khoá '{key}' xuất hiện hai lần (lần đầu ở dòng {first})",
        "the key '{key}' appears twice (first on line {first})",
    ),
    "yaml_not_mapping": (
        "phải là danh sách khoá: giá trị",
        "must be a mapping of key: value pairs",
    ),
    "front_matter_missing": (
        "thiếu phần đầu YAML giữa hai dòng ---",
        "the YAML front matter between two --- lines is missing",
    ),
    "front_matter_unclosed": (
        "phần đầu YAML không có dòng --- kết thúc",
        "the YAML front matter has no closing --- line",
    ),
    "unexpected_file": (
        "tệp không được dùng: {name}",
        "file not used by the entry: {name}",
    ),
    "symlink": (
        "liên kết tượng trưng không được chấp nhận",
        "symbolic links are not accepted",
    ),
    "not_a_folder": (
        "mỗi mục phải là một thư mục",
        "each entry must be a folder",
    ),
    # fields
    "unknown_key": ("khoá lạ '{key}'", "unknown key '{key}'"),
    "comma_split": (
        "dấu phẩy trong {{ … }} đã cắt đôi đoạn chữ ở '{key}'",
        "a comma inside {{ … }} split the text at '{key}'",
    ),
    "missing_key": ("thiếu trường bắt buộc", "this required field is missing"),
    "empty_value": ("trường này đang để trống", "this field is empty"),
    "empty_required": ("trường bắt buộc này đang để trống", "this required field is empty"),
    "wrong_type": ("phải là {expected_vi}", "must be {expected_en}"),
    "text_length": (
        "phải dài từ {min} đến {max} ký tự (hiện có {length})",
        "must be {min} to {max} characters long (it has {length})",
    ),
    "text_multiline": ("phải nằm trên một dòng", "must fit on one line"),
    "text_control": (
        "có ký tự ẩn hoặc ký tự điều khiển hướng chữ (U+{char})",
        "contains an invisible or bidirectional control character (U+{char})",
    ),
    "unknown_term": (
        "'{value}' không có trong danh mục {vocabulary}",
        "'{value}' is not in the {vocabulary} vocabulary",
    ),
    "unknown_choice": (
        "'{value}' không phải một trong: {choices}",
        "'{value}' is not one of: {choices}",
    ),
    "duplicate_value": ("'{value}' bị lặp lại", "'{value}' is listed twice"),
    "empty_list": ("danh sách không được trống", "the list must not be empty"),
    "bad_date": (
        "không phải ngày hợp lệ dạng NNNN-TT-NN: '{value}'",
        "not a valid date of the form YYYY-MM-DD: '{value}'",
    ),
    "bad_datetime": (
        "phải là ngày NNNN-TT-NN hoặc ngày giờ 'NNNN-TT-NN HH:MM', nhận '{value}'",
        "must be a date YYYY-MM-DD or a date and time 'YYYY-MM-DD HH:MM', got '{value}'",
    ),
    "end_before_start": (
        "kết thúc ({end}) trước khi bắt đầu ({start})",
        "ends ({end}) before it starts ({start})",
    ),
    "date_out_of_range": (
        "năm {year} nằm ngoài khoảng {min}–{max}",
        "the year {year} is outside {min}–{max}",
    ),
    "bad_hours": (
        "phải có dạng 08:00-17:00 (nhiều khoảng cách nhau dấu phẩy) hoặc closed, nhận '{value}'",
        "must look like 08:00-17:00 (several ranges separated by commas) or closed, got '{value}'",
    ),
    "hours_order": (
        "giờ đóng cửa phải sau giờ mở cửa: '{value}'",
        "closing time must come after opening time: '{value}'",
    ),
    "location_text": (
        "tọa độ viết dạng {{lat: ..., lon: ...}}",
        "coordinates are written as {{lat: ..., lon: ...}}",
    ),
    "list_brackets": (
        "nhiều giá trị phải nằm trong ngoặc vuông [ ]",
        "several values go inside square brackets [ ]",
    ),
    "yaml_colon": (
        "dấu ':' trong giá trị khiến YAML hiểu nhầm là một khóa mới",
        "a ':' inside the value looks to YAML like a new key",
    ),
    "yaml_indent": (
        "dòng này thụt lề không khớp với các dòng xung quanh",
        "this line is not indented like the lines around it",
    ),
    "curly_quotes": (
        "có dấu ngoặc kép cong (“ ” ‘ ’) của trình soạn thảo văn bản",
        "contains curly quotes (“ ” ‘ ’) from a word processor",
    ),
    "bad_url": (
        "không phải địa chỉ web hợp lệ (cần bắt đầu bằng https:// hoặc http://): '{value}'",
        "not a valid web address (it must start with https:// or http://): '{value}'",
    ),
    "bad_email": (
        "không phải địa chỉ email hợp lệ: '{value}'",
        "not a valid email address: '{value}'",
    ),
    "bad_phone": (
        "không phải số điện thoại hợp lệ (8–15 chữ số, có thể bắt đầu bằng +): '{value}'",
        "not a valid phone number (8–15 digits, may start with +): '{value}'",
    ),
    "bad_number": ("phải là một số, nhận '{value}'", "must be a number, got '{value}'"),
    "outside_hanoi": (
        "toạ độ ({lat}, {lon}) nằm ngoài Hà Nội",
        "the coordinates ({lat}, {lon}) are outside Hanoi",
    ),
    "bad_bool": ("phải là true hoặc false, nhận '{value}'", "must be true or false, got '{value}'"),
    "bad_slug": (
        "tên thư mục '{value}' không hợp lệ: chỉ dùng chữ thường không dấu, chữ số "
        "và dấu gạch ngang",
        "the folder name '{value}' is not valid: use lowercase letters without tone marks, "
        "digits and hyphens only",
    ),
    "duplicate_slug": (
        "trùng với mục '{other}' (chỉ khác chữ hoa hoặc dấu)",
        "clashes with the entry '{other}' (differs only by case or tone marks)",
    ),
    "unknown_space": ("không có không gian '{value}'", "there is no space '{value}'"),
    "venue_shape": (
        "mỗi địa điểm là 'space: <tên thư mục>' hoặc 'place: {{vi: ..., en: ...}}'",
        "each venue is 'space: <folder name>' or 'place: {{vi: ..., en: ...}}'",
    ),
    "repeat_days": (
        "lặp hằng tuần cần 'days', ví dụ [sat, sun]",
        "a weekly repeat needs 'days', for example [sat, sun]",
    ),
    "repeat_no_days": (
        "'days' chỉ dùng với rule: weekly",
        "'days' goes only with rule: weekly",
    ),
    "photo_missing": (
        "không tìm thấy ảnh '{value}' trong thư mục của mục",
        "the photo '{value}' is not in the entry's folder",
    ),
    "photo_path": (
        "tên ảnh '{value}' phải là một tệp ngay trong thư mục của mục",
        "the photo name '{value}' must be a file directly in the entry's folder",
    ),
    "photo_extension": (
        "ảnh '{value}' phải là .jpg, .jpeg, .png hoặc .webp",
        "the photo '{value}' must be .jpg, .jpeg, .png or .webp",
    ),
    "photo_unreadable": (
        "không đọc được ảnh '{value}': {detail}",
        "the photo '{value}' cannot be read: {detail}",
    ),
    "photo_mismatch": (
        "ảnh '{value}' có đuôi .{ext} nhưng nội dung là {actual}",
        "the photo '{value}' is named .{ext} but its content is {actual}",
    ),
    "photo_too_large": (
        "ảnh '{value}' quá lớn ({size}, tối đa {limit})",
        "the photo '{value}' is too large ({size}, at most {limit})",
    ),
    "markdown_failed": (
        "không hiển thị được nội dung Markdown: {detail}",
        "the Markdown text cannot be rendered: {detail}",
    ),
    "template_failed": (
        "lỗi mẫu trang khi dựng {page}: {detail}",
        "template error while rendering {page}: {detail}",
    ),
    # warnings
    "translation_missing": (
        "chưa có bản {missing_vi}; trang sẽ hiện bản {shown_vi} kèm ghi chú",
        "no {missing_en} text yet; the page shows the {shown_en} text with a notice",
    ),
}

# Short advice printed under a message; keyed like the catalogue.
HINTS: dict[str, tuple[str, str]] = {
    "file_missing": (
        "tạo tệp này; xem mẫu trong docs/content-format.md",
        "create this file; see the example in docs/content-format.md",
    ),
    "file_empty": ("viết nội dung vào tệp hoặc xoá tệp", "write the content or delete the file"),
    "file_too_large": (
        "rút gọn nội dung; ảnh để thành tệp riêng, không chép vào văn bản",
        "shorten the text; photos go in files of their own, not in the text",
    ),
    "not_utf8": ("lưu lại tệp với bảng mã UTF-8", "save the file again as UTF-8"),
    "yaml_syntax": (
        "kiểm tra dấu hai chấm, thụt lề bằng dấu cách và dấu ngoặc kép quanh giá trị có ':'",
        "check colons, space indentation, and quotes around values that contain ':'",
    ),
    "yaml_tab": ("thay Tab bằng dấu cách", "replace the tab with spaces"),
    "yaml_alias": ("viết giá trị ra đầy đủ ở mỗi chỗ", "write the value out in full each time"),
    "yaml_tag": (
        "xoá phần bắt đầu bằng ! trước giá trị",
        "remove the part starting with ! before the value",
    ),
    "yaml_too_deep": (
        "viết lại theo mẫu trong docs/content-format.md",
        "follow the example in docs/content-format.md",
    ),
    "yaml_duplicate_key": ("giữ một trong hai dòng", "keep one of the two lines"),
    "yaml_not_mapping": (
        "mỗi dòng có dạng khoá: giá trị; xem docs/content-format.md",
        "each line reads key: value; see docs/content-format.md",
    ),
    "front_matter_missing": (
        "tệp bắt đầu bằng dòng ---, rồi name/title và summary, rồi một dòng --- nữa",
        "start the file with a --- line, then name/title and summary, then another --- line",
    ),
    "front_matter_unclosed": (
        "thêm một dòng --- sau summary",
        "add a --- line after the summary",
    ),
    "symlink": ("tải tệp thật lên thay cho liên kết", "upload the real file instead of a link"),
    "not_a_folder": (
        "tạo thư mục mang tên mục và đặt tệp vào trong",
        "create a folder named for the entry and put the files inside",
    ),
    "unexpected_file": (
        "xoá tệp này, hoặc thêm ảnh vào danh sách photos",
        "delete the file, or add the photo to the photos list",
    ),
    "unknown_key": (
        "xoá khoá này hoặc sửa chính tả; xem docs/content-format.md",
        "remove the key or fix its spelling; see docs/content-format.md",
    ),
    "comma_split": (
        'đặt cả đoạn chữ trong dấu ngoặc kép, ví dụ vi: "Nhà Bát Giác, vườn hoa Lý Thái Tổ"',
        'put the whole text in double quotes, for example en: "Octagonal House, Lý Thái Tổ Garden"',
    ),
    "missing_key": (
        "thêm trường này; xem docs/content-format.md",
        "add this field; see docs/content-format.md",
    ),
    "empty_value": ("điền giá trị hoặc xoá cả dòng", "fill in a value or delete the whole line"),
    "empty_required": (
        "điền giá trị; xem ví dụ trong docs/content-format.md",
        "fill in a value; see the example in docs/content-format.md",
    ),
    "wrong_type": (
        "xem mẫu trong docs/content-format.md",
        "see the example in docs/content-format.md",
    ),
    "text_length": ("viết ngắn lại hoặc dài thêm cho vừa", "shorten or lengthen the text to fit"),
    "text_multiline": ("viết trên một dòng", "write it on one line"),
    "text_control": (
        "gõ lại chữ này thay vì dán từ nơi khác",
        "type the text again instead of pasting it",
    ),
    "unknown_term": (
        "dùng một khoá có trong content/vocabularies.yaml",
        "use a key listed in content/vocabularies.yaml",
    ),
    "duplicate_value": ("xoá mục lặp", "remove the repeated item"),
    "empty_list": ("thêm ít nhất một mục", "add at least one item"),
    "bad_date": ("viết ngày dạng 2025-12-10", "write the date like 2025-12-10"),
    "bad_datetime": (
        'ví dụ 2025-12-10 hoặc "2025-12-10 19:30" (có dấu ngoặc kép)',
        'for example 2025-12-10 or "2025-12-10 19:30" (with the quotes)',
    ),
    "end_before_start": ("kiểm tra lại ngày và giờ", "check the dates and times"),
    "date_out_of_range": ("kiểm tra lại năm", "check the year"),
    "bad_hours": (
        "ví dụ 08:00-17:00, hoặc 08:00-11:30, 13:30-17:00, hoặc closed",
        "for example 08:00-17:00, or 08:00-11:30, 13:30-17:00, or closed",
    ),
    "hours_order": (
        "viết giờ mở trước giờ đóng, theo thứ tự trong ngày",
        "write opening before closing, in the order of the day",
    ),
    "yaml_colon": (
        'đặt cả giá trị trong dấu ngoặc kép thẳng, ví dụ address: "Tầng 2: 42 Hàng Bạc"',
        'put the whole value in straight double quotes, e.g. address: "Floor 2: 42 Hàng Bạc"',
    ),
    "yaml_indent": (
        "các dòng trong cùng một nhóm thụt vào đúng 2 dấu cách, như nhau",
        "lines inside a group are indented by the same 2 spaces",
    ),
    "curly_quotes": (
        'gõ lại bằng dấu ngoặc kép thẳng " hoặc bỏ dấu ngoặc',
        'retype them as straight quotes " or leave the quotes out',
    ),
    "bad_url": (
        "chép đầy đủ địa chỉ từ thanh địa chỉ của trình duyệt",
        "copy the full address from the browser's address bar",
    ),
    "bad_email": ("ví dụ lienhe@example.vn", "for example contact@example.vn"),
    "bad_phone": (
        'ví dụ "+84 24 3825 9936" (có dấu ngoặc kép)',
        'for example "+84 24 3825 9936" (with the quotes)',
    ),
    "bad_number": (
        "chỉ viết chữ số, dùng dấu chấm cho phần thập phân",
        "write digits only, with a dot for decimals",
    ),
    "outside_hanoi": (
        "kiểm tra lại vĩ độ (lat, khoảng 21) và kinh độ (lon, khoảng 105.8), có thể bị đảo",
        "check latitude (lat, about 21) and longitude (lon, about 105.8): they may be swapped",
    ),
    "bad_bool": ("viết true (có) hoặc false (không)", "write true (yes) or false (no)"),
    "bad_slug": (
        "đổi tên thư mục, ví dụ 'dinh-kim-ngan' cho 'Đình Kim Ngân'",
        "rename the folder, for example 'dinh-kim-ngan' for 'Đình Kim Ngân'",
    ),
    "duplicate_slug": ("đổi tên một trong hai thư mục", "rename one of the two folders"),
    "unknown_space": (
        "dùng đúng tên thư mục trong content/spaces, hoặc 'place:' cho địa điểm khác",
        "use a folder name from content/spaces, or 'place:' for any other place",
    ),
    "venue_shape": (
        "xem mẫu trong docs/content-format.md",
        "see the example in docs/content-format.md",
    ),
    "repeat_days": ("thêm dòng days: [sat, sun]", "add a line days: [sat, sun]"),
    "repeat_no_days": ("xoá dòng days", "delete the days line"),
    "photo_missing": (
        "tải ảnh lên cùng thư mục, hoặc sửa tên tệp cho khớp (phân biệt chữ hoa)",
        "upload the photo to the same folder, or fix the file name (case matters)",
    ),
    "photo_path": (
        "chỉ ghi tên tệp, ví dụ san-dinh.jpg",
        "write the file name only, for example courtyard.jpg",
    ),
    "photo_extension": ("lưu ảnh dạng JPEG, PNG hoặc WebP", "save the photo as JPEG, PNG or WebP"),
    "photo_unreadable": (
        "mở ảnh trên máy, lưu lại dạng JPEG và tải lên lần nữa",
        "open the photo on your computer, save it as JPEG and upload it again",
    ),
    "photo_mismatch": (
        "đổi đuôi tệp cho đúng, hoặc lưu lại đúng định dạng",
        "rename the file with the right ending, or save it in the right format",
    ),
    "photo_too_large": (
        "thu nhỏ ảnh còn khoảng 3000 điểm ảnh chiều ngang",
        "resize the photo to about 3000 pixels wide",
    ),
    "markdown_failed": (
        "bớt các cấp trích dẫn hoặc danh sách lồng nhau",
        "use fewer levels of nested quotes or lists",
    ),
    "translation_missing": (
        "thêm tệp ngôn ngữ còn thiếu khi có thể",
        "add the missing language file when you can",
    ),
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    field: str
    message: Bilingual
    hint: Bilingual | None = None
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int]:
        # Within a line, the order found (which follows the content format) is kept.
        return (self.path, self.line or 0)

    def location(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}" if self.field else where


@dataclass
class Problems:
    """Every problem of a run, in the order found; printed sorted by place."""

    items: list[Problem] = field(default_factory=list)

    def add(
        self,
        code: str,
        path: str,
        line: int | None = None,
        field: str = "",
        *,
        suggestion: str | None = None,
        severity: Severity = Severity.ERROR,
        **values: object,
    ) -> None:
        vi, en = CATALOGUE[code]
        message = Bilingual(vi.format(**values), en.format(**values))
        hint = None
        if suggestion is not None:
            hint = Bilingual(f"có phải '{suggestion}'?", f"did you mean '{suggestion}'?")
        elif code in HINTS:
            hint = Bilingual(*HINTS[code])
        self.items.append(Problem(path, line, field, message, hint, severity))

    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def fail(self, *, strict: bool) -> bool:
        return bool(self.errors() or (strict and self.warnings()))

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=Problem.sort_key)


def format_text(problems: Iterable[Problem]) -> str:
    """Plain text, one problem per first line, the English and the advice indented under it;
    errors first (what must be fixed), then warnings."""
    problems = sorted(problems, key=lambda p: p.severity is not Severity.ERROR)
    out: list[str] = []
    for p in problems:
        prefix = "" if p.severity is Severity.ERROR else "cảnh báo / warning: "
        out.append(f"{p.location()}: {prefix}{p.message.vi}")
        out.append(f"    {p.message.en}")
        if p.hint:
            out.append(f"    → {p.hint.vi} / {p.hint.en}")
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if errors:
        files = len({p.path for p in errors})
        out.append(f"{len(errors)} lỗi trong {files} tệp / {count_en(errors, files)}")
    if warnings:
        out.append(f"{len(warnings)} cảnh báo / {_plural(len(warnings), 'warning')}")
    return "\n".join(out) + ("\n" if out else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def count_en(errors: list[Problem], files: int) -> str:
    return f"{_plural(len(errors), 'error')} in {_plural(files, 'file')}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands, so each problem shows on its line of the pull request."""
    out = []
    for p in problems:
        props = [f"file={_escape_property(p.path)}"]
        if p.line:
            props.append(f"line={p.line}")
        props.append(f"title={_escape_property(p.field or p.path)}")
        text = f"{p.message.vi}\n{p.message.en}"
        if p.hint:
            text += f"\n→ {p.hint.vi} / {p.hint.en}"
        out.append(f"::{p.severity.value} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(out) + ("\n" if out else "")


# Inline Markdown that member text could trigger inside a table cell: formatting, links, HTML,
# a column break. A backslash makes each one literal (CommonMark escapes any ASCII punctuation).
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|~&")


def markdown_cell(text: str) -> str:
    """Text for one Markdown table cell, shown as written: no formatting, [links](…) or HTML."""
    text = "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)
    # '@name' would notify a GitHub user from a job summary or an issue comment
    text = text.replace("@", "@\u2060")
    return "<br>".join(text.splitlines())


def format_summary(problems: Iterable[Problem], heading: str) -> str:
    """A Markdown job summary for GitHub Actions: one table row per problem, both languages."""
    problems = list(problems)
    out = [f"## {heading}", ""]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = len(problems) - len(errors)
    if errors:
        files = len({p.path for p in errors})
        out.append(f"**{len(errors)} lỗi trong {files} tệp / {count_en(errors, files)}**")
    if warnings:
        out.append(f"**{warnings} cảnh báo / {_plural(warnings, 'warning')}**")
    if not problems:
        out.append("Không có lỗi. / No problems found.")
        return "\n".join(out) + "\n"
    out += [
        "",
        "| Tệp / File | Dòng / Line | Trường / Field | Vấn đề / Problem | Cách sửa / Fix |",
        "| --- | --- | --- | --- | --- |",
    ]
    for p in problems:
        mark = "❌" if p.severity is Severity.ERROR else "⚠️ cảnh báo / warning:"
        message = f"{mark} {markdown_cell(p.message.vi)}<br>{markdown_cell(p.message.en)}"
        fix = f"{markdown_cell(p.hint.vi)}<br>{markdown_cell(p.hint.en)}" if p.hint else ""
        cells = [markdown_cell(p.path), str(p.line or ""), markdown_cell(p.field)]
        out.append(f"| {' | '.join([*cells, message, fix])} |")
    return "\n".join(out) + "\n"
