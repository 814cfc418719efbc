"""An issue form -> a new entry folder: the member's answers as facts.yaml, vi.md and en.md.

Receives the body GitHub writes for a submitted issue form (`### Label` then the answer, for each
question) and the valid content it will join; returns the entry's files, or Problems naming the
question to fix. Owns the two forms: `.github/ISSUE_TEMPLATE/*.yml` are generated from the same
question table the parser reads, with the vocabularies' labels, so form and parser cannot drift.

Member text is data, never code or YAML structure: every answer is written as a double-quoted,
escaped YAML string, and only values this module chose itself (vocabulary keys from a dropdown,
true/false, checked numbers) are written bare.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from . import pipeline
from .errors import Bilingual, Problem, Severity
from .schema import WEEKDAYS
from .validate import Vocabularies
from .vietnamese import slugify

BODY_LIMIT = 65_536  # characters: GitHub's own limit for an issue body
SLUG_MAX = 80
NO_ANSWER = ("", "_No response_", "None")  # what GitHub writes for a question left empty
FORMS_DIR = Path(".github") / "ISSUE_TEMPLATE"

# Messages about the form itself, in the catalogue's shape: (vi, en) and a hint.
MESSAGES: dict[str, tuple[str, str]] = {
    "too_long": (
        "nội dung gửi quá dài ({length} ký tự, tối đa {limit})",
        "the submission is too long ({length} characters, at most {limit})",
    ),
    "not_a_form": (
        "không nhận ra biểu mẫu đăng ký không gian hay sự kiện",
        "this is not a space or event registration form",
    ),
    "repeated": (
        "câu hỏi này xuất hiện hai lần trong nội dung gửi",
        "this question appears twice in the submission",
    ),
    "required": ("câu hỏi bắt buộc chưa được trả lời", "this required question has no answer"),
    "unknown_choice": (
        "'{value}' không phải một lựa chọn của câu hỏi này",
        "'{value}' is not one of this question's choices",
    ),
    "bad_location": (
        "toạ độ phải là hai số cách nhau dấu phẩy, nhận '{value}'",
        "the coordinates must be two numbers separated by a comma, got '{value}'",
    ),
    "bad_name": (
        "tên tiếng Việt phải có ít nhất hai chữ cái hoặc chữ số",
        "the Vietnamese name needs at least two letters or digits",
    ),
    "exists": (
        "đã có mục '{slug}' trong content/{kind}",
        "there is already an entry '{slug}' in content/{kind}",
    ),
}
HINTS: dict[str, tuple[str, str]] = {
    "too_long": ("rút gọn phần mô tả", "shorten the description"),
    "not_a_form": (
        "mở vấn đề mới bằng biểu mẫu 'Đăng ký không gian' hoặc 'Thêm sự kiện'",
        "open a new issue with the 'Register a space' or 'Add an event' form",
    ),
    "repeated": (
        "xoá dòng '### …' chép từ biểu mẫu ra khỏi phần mô tả",
        "remove the '### …' line copied from the form out of the description",
    ),
    "required": ("sửa vấn đề và điền câu trả lời", "edit the issue and fill in an answer"),
    "unknown_choice": (
        "sửa vấn đề và chọn lại trong danh sách",
        "edit the issue and choose again from the list",
    ),
    "bad_location": ("ví dụ 21.0343, 105.8529", "for example 21.0343, 105.8529"),
    "bad_name": ("viết tên đầy đủ, có dấu", "write the full name with its tone marks"),
    "exists": (
        "nếu là cùng một nơi, hãy sửa mục đó; nếu là sự kiện năm khác, thêm năm vào tên",
        "if it is the same place, edit that entry; for another year's event, add the year "
        "to its name",
    ),
}


class Plain(str):
    """A value this module chose, written bare: a vocabulary key, true/false, a checked number."""

    __slots__ = ()


_PLAIN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*|-?\d+(\.\d+)?")
_KEY = re.compile(r"[a-z_]+")
_NUMBER = r"-?\d{1,3}(?:\.\d+)?"
_LOCATION = re.compile(rf"\(?\s*({_NUMBER})\s*[,;]\s*({_NUMBER})\s*\)?")
_SPACE_URL = re.compile(r"/spaces/([^/\s]+)/?$")

YES_NO = (("true", "Có", "Yes"), ("false", "Không", "No"))


@dataclass(frozen=True)
class Question:
    """One question of a form. `target` says where the answer goes: `vi:name`, `en:body`,
    `facts:opening_hours.tue`; `value` how it is read: text, term (one dropdown choice), terms
    (several), location, spaces (folder names or page addresses) or consent."""

    id: str
    kind: str  # input | textarea | dropdown | checkboxes
    vi: str
    en: str
    target: str
    value: str = "text"
    required: bool = False
    help: tuple[str, str] = ("", "")
    placeholder: str = ""
    options: str | tuple[tuple[str, str, str], ...] = ()  # a vocabulary, or (key, vi, en)
    multiple: bool = False

    @property
    def label(self) -> str:
        return f"{self.vi} / {self.en}"


@dataclass(frozen=True)
class Form:
    kind: str  # the content folder: spaces | events
    file: str
    name: str
    about: str
    title: str
    title_key: str  # front matter: name | title
    questions: tuple[Question, ...]

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


@dataclass(frozen=True)
class Entry:
    kind: str
    slug: str
    files: dict[str, str]  # file name -> text


def _texts(title_key: str, noun_vi: str, noun_en: str) -> tuple[Question, ...]:
    """Name or title, summary and description, Vietnamese required and English optional."""
    english = (
        "Không bắt buộc. Nếu để trống, trang tiếng Anh hiện bản tiếng Việt kèm ghi chú.",
        "Optional. If left empty, the English page shows the Vietnamese text with a notice.",
    )
    out = []
    for lang, vi, en in (("vi", "tiếng Việt", "Vietnamese"), ("en", "tiếng Anh", "English")):
        vi_only = lang == "vi"
        out += [
            Question(
                f"{title_key}_{lang}",
                "input",
                f"Tên {noun_vi} ({vi})",
                f"Name of the {noun_en} ({en})",
                f"{lang}:{title_key}",
                required=vi_only,
                help=("Một dòng, có dấu, như trên biển hiệu hoặc áp phích.",
                      "One line, as written on the sign or poster.") if vi_only else english,
            ),
            Question(
                f"summary_{lang}",
                "input",
                f"Giới thiệu ngắn ({vi})",
                f"Short summary ({en})",
                f"{lang}:summary",
                required=vi_only,
                help=("Một câu, 10–300 ký tự, hiện trong danh sách và kết quả tìm kiếm.",
                      "One sentence, 10–300 characters, shown in listings and search results."),
            ),
            Question(
                f"body_{lang}",
                "textarea",
                f"Giới thiệu chi tiết ({vi})",
                f"Description ({en})",
                f"{lang}:body",
                help=("Viết thành đoạn. Dùng ## cho tiêu đề mục, **chữ đậm**, danh sách và "
                      "liên kết [chữ](https://…).",
                      "Paragraphs. Use ## for section headings, **bold**, lists and links "
                      "[text](https://…)."),
            ),
        ]  # fmt: skip
    return tuple(out)


def _pair(qid: str, vi: str, en: str, target: str) -> tuple[Question, Question]:
    """A note written in both languages: `{vi: …, en: …}`; give both or neither."""
    return (
        Question(f"{qid}_vi", "input", f"{vi} (tiếng Việt)", f"{en} (Vietnamese)", f"{target}.vi"),
        Question(f"{qid}_en", "input", f"{vi} (tiếng Anh)", f"{en} (English)", f"{target}.en"),
    )


def _fee() -> tuple[Question, ...]:
    return (
        Question("fee_free", "dropdown", "Miễn phí?", "Free of charge?", "facts:entry_fee.free",
                 "term", options=YES_NO),
        Question("price_vnd", "input", "Giá vé (đồng)", "Price (đồng)",
                 "facts:entry_fee.price_vnd", help=("Chỉ viết chữ số.", "Digits only."),
                 placeholder="40000"),
        *_pair("fee_note", "Ghi chú về giá vé", "Note on prices", "facts:entry_fee.note"),
    )  # fmt: skip


def _consent(noun_vi: str, noun_en: str) -> Question:
    return Question(
        "consent",
        "checkboxes",
        "Xác nhận",
        "Confirmation",
        "",
        "consent",
        required=True,
        options=(
            (
                "yes",
                f"Tôi đại diện cho {noun_vi} này hoặc được phép gửi thông tin này, và đồng ý "
                "công bố công khai.",
                f"I represent this {noun_en} or may submit this information, and agree to "
                "its publication.",
            ),
        ),
    )


_DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        [("Thứ Hai", "Monday"), ("Thứ Ba", "Tuesday"), ("Thứ Tư", "Wednesday"),
         ("Thứ Năm", "Thursday"), ("Thứ Sáu", "Friday"), ("Thứ Bảy", "Saturday"),
         ("Chủ Nhật", "Sunday")],
        strict=True,
    )
)  # fmt: skip

_HOURS_HELP = (
    "Dạng 08:00-17:00; nhiều khoảng cách nhau dấu phẩy (08:00-11:30, 13:30-17:00); closed nếu "
    "nghỉ. Điền cả bảy ngày, hoặc để trống cả bảy.",
    "Like 08:00-17:00; several ranges separated by commas (08:00-11:30, 13:30-17:00); closed "
    "when shut. Fill in all seven days, or leave all seven empty.",
)

SPACE_FORM = Form(
    kind="spaces",
    file="space.yml",
    name="Đăng ký không gian / Register a space",
    about="Thêm một không gian vào danh bạ / Add a space to the directory",
    title="Đăng ký không gian / Register a space: ",
    title_key="name",
    questions=(
        *_texts("name", "không gian", "space"),
        Question("type", "dropdown", "Loại hình", "Type of space", "facts:type", "term",
                 required=True, options="space_types"),
        Question("fields", "dropdown", "Lĩnh vực sáng tạo", "Creative fields", "facts:fields",
                 "terms", required=True, options="fields", multiple=True,
                 help=("Chọn một hoặc nhiều.", "Choose one or more.")),
        Question("ward", "dropdown", "Phường", "Ward", "facts:ward", "term", options="wards",
                 help=("Theo địa giới từ ngày 1/7/2025.", "As drawn since 1 July 2025.")),
        Question("address", "input", "Địa chỉ", "Address", "facts:address",
                 placeholder="42 Hàng Bạc, Hà Nội"),
        Question("location", "input", "Toạ độ", "Coordinates", "facts:location", "location",
                 placeholder="21.0343, 105.8529",
                 help=("Trên OpenStreetMap hoặc Google Maps, nhấp chuột phải vào địa điểm và "
                       "chép hai số: vĩ độ, kinh độ.",
                       "On OpenStreetMap or Google Maps, right-click the place and copy the two "
                       "numbers: latitude, longitude.")),
        *(
            Question(f"hours_{day}", "input", f"Giờ mở cửa: {vi}", f"Opening hours: {en}",
                     f"facts:opening_hours.{day}", placeholder="08:00-17:00",
                     help=_HOURS_HELP if day == "mon" else ("", ""))
            for day, (vi, en) in _DAY_NAMES.items()
        ),
        *_pair("hours_note", "Ghi chú về giờ mở cửa", "Note on opening hours",
               "facts:hours_note"),
        Question("website", "input", "Trang web", "Website", "facts:website",
                 placeholder="https://"),
        *(
            Question(name, "input", f"Trang {label}", f"{label} page", f"facts:social.{name}",
                     placeholder="https://")
            for name, label in (("facebook", "Facebook"), ("instagram", "Instagram"),
                                ("youtube", "YouTube"), ("tiktok", "TikTok"), ("zalo", "Zalo"))
        ),
        Question("email", "input", "Email liên hệ", "Contact email", "facts:email"),
        Question("phone", "input", "Số điện thoại", "Phone number", "facts:phone",
                 placeholder="+84 24 3825 9936"),
        Question("operator", "dropdown", "Đơn vị quản lý", "Operator", "facts:operator", "term",
                 options=(("public", "Công lập", "Public"), ("private", "Tư nhân", "Private"))),
        Question("member", "dropdown", "Thành viên Mạng lưới?", "Member of the Network?",
                 "facts:network.member", "term", options=YES_NO,
                 help=("Được thành phố công nhận vào Mạng lưới Không gian Văn hoá Sáng tạo "
                       "Hà Nội.",
                       "Certified by the city into the Hanoi Creative Cultural Spaces Network.")),
        Question("member_since", "input", "Ngày được công nhận", "Date certified",
                 "facts:network.since", placeholder="2025-12-10"),
        Question("step_free", "dropdown", "Lối vào không có bậc thềm?", "Step-free entrance?",
                 "facts:accessibility.step_free_entrance", "term", options=YES_NO),
        Question("toilet", "dropdown", "Có nhà vệ sinh cho người khuyết tật?",
                 "Accessible toilet?", "facts:accessibility.accessible_toilet", "term",
                 options=YES_NO),
        *_pair("access_note", "Ghi chú về tiếp cận", "Note on access", "facts:accessibility.note"),
        *_fee(),
        _consent("không gian", "space"),
    ),
)  # fmt: skip

EVENT_FORM = Form(
    kind="events",
    file="event.yml",
    name="Thêm sự kiện / Add an event",
    about="Đăng một sự kiện tại không gian sáng tạo / List an event at a creative space",
    title="Thêm sự kiện / Add an event: ",
    title_key="title",
    questions=(
        *_texts("title", "sự kiện", "event"),
        Question("start", "input", "Bắt đầu", "Starts", "facts:start", required=True,
                 placeholder="2026-04-21 19:30",
                 help=("Ngày NNNN-TT-NN, có thể kèm giờ HH:MM, theo giờ Hà Nội.",
                       "A date YYYY-MM-DD, with a time HH:MM if you like, in Hanoi time.")),
        Question("end", "input", "Kết thúc", "Ends", "facts:end", placeholder="2026-04-21 21:00"),
        Question("repeat", "dropdown", "Lặp lại", "Repeats", "facts:repeat.rule", "term",
                 options=(("weekly", "Hằng tuần", "Every week"),
                          ("lunar-new-year", "Hằng năm dịp Tết Nguyên đán",
                           "Every Lunar New Year"))),
        Question("repeat_days", "dropdown", "Các ngày trong tuần, nếu lặp hằng tuần",
                 "Days of the week, if weekly", "facts:repeat.days", "terms", multiple=True,
                 options=tuple((day, vi, en) for day, (vi, en) in _DAY_NAMES.items())),
        Question("repeat_until", "input", "Lặp đến ngày", "Repeats until", "facts:repeat.until",
                 placeholder="2026-12-31"),
        Question("venue_spaces", "input", "Tại không gian trong danh bạ",
                 "At spaces in the directory", "facts:venues", "spaces",
                 placeholder="hoi-quan-quang-dong",
                 help=("Phần sau /spaces/ trong địa chỉ trang của không gian, hoặc dán cả địa "
                       "chỉ; nhiều không gian cách nhau dấu phẩy.",
                       "The part after /spaces/ in the space's page address, or the whole "
                       "address; several separated by commas.")),
        *_pair("place", "Hoặc địa điểm khác", "Or another place", "facts:venues.place"),
        Question("fields", "dropdown", "Lĩnh vực sáng tạo", "Creative fields", "facts:fields",
                 "terms", options="fields", multiple=True),
        *_pair("organiser", "Đơn vị tổ chức", "Organiser", "facts:organiser"),
        *_fee(),
        Question("registration", "input", "Trang đăng ký tham gia", "Registration page",
                 "facts:registration", placeholder="https://"),
        _consent("sự kiện", "event"),
    ),
)  # fmt: skip

FORMS = (SPACE_FORM, EVENT_FORM)


# --- the issue forms ---------------------------------------------------------------------


def options(question: Question, vocab: Vocabularies) -> list[tuple[str, str]]:
    """(key, label shown) for each choice: 'museum', 'Bảo tàng / Museum'."""
    if isinstance(question.options, str):
        terms = getattr(vocab, question.options)
        rows = [(t.key, t.label.vi, t.label.en) for t in terms.values()]
    else:
        rows = list(question.options)
    return [(key, vi if vi == en else f"{vi} / {en}") for key, vi, en in rows]


def _element(q: Question, vocab: Vocabularies) -> dict[str, object]:
    attributes: dict[str, object] = {"label": q.label}
    if any(q.help):
        attributes["description"] = " / ".join(q.help)
    if q.kind == "checkboxes":
        attributes["options"] = [
            {"label": label, "required": q.required} for _, label in options(q, vocab)
        ]
        return {"type": q.kind, "id": q.id, "attributes": attributes}
    if q.kind == "dropdown":
        attributes["options"] = [label for _, label in options(q, vocab)]
        if q.multiple:
            attributes["multiple"] = True
    elif q.placeholder:
        attributes["placeholder"] = q.placeholder
    return {
        "type": q.kind,
        "id": q.id,
        "attributes": attributes,
        "validations": {"required": q.required},
    }


def issue_form(form: Form, vocab: Vocabularies) -> str:
    """The GitHub issue-form YAML of `form`, its dropdowns listing the vocabularies."""
    intro = (
        "Điền biểu mẫu bằng tiếng Việt; phần tiếng Anh không bắt buộc. Sau khi gửi, một "
        "pull request được tạo tự động và ban biên tập sẽ xem xét. Ảnh: đăng trong bình luận, "
        "kèm mô tả ảnh và tên tác giả. Xem CONTRIBUTING.md.\n\n"
        "Fill in the form in Vietnamese; English is optional. Once sent, a pull request is "
        "opened automatically and the editors review it. Photos: post them in a comment, with "
        "a description and the photographer's name. See CONTRIBUTING.md."
    )
    doc = {
        "name": form.name,
        "description": form.about,
        "title": form.title,
        "labels": ["submission"],
        "body": [
            {"type": "markdown", "attributes": {"value": intro}},
            *(_element(q, vocab) for q in form.questions),
        ],
    }
    head = (
        "# Generated by `python build.py issue-forms` from sitegen/submission.py and\n"
        "# content/vocabularies.yaml: edit those, not this file.\n"
    )
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


# --- reading a submitted issue --------------------------------------------------------------


def _problem(code: str, source: str, question: str = "", **values: object) -> Problem:
    vi, en = MESSAGES[code]
    message = Bilingual(vi.format(**values), en.format(**values))
    return Problem(source, None, question, message, Bilingual(*HINTS[code]))


def _form_of(lines: list[str]) -> Form | None:
    headings = {line[4:].strip() for line in lines if line.startswith("### ")}
    return next((f for f in FORMS if f.questions[0].label in headings), None)


def _answers(lines: list[str], form: Form, source: str) -> tuple[dict[str, str], list[Problem]]:
    """Each question's answer text: the lines under its `### Label` heading. A heading that is
    not one of the form's questions is text (a member's own Markdown heading)."""
    by_label = {q.label: q for q in form.questions}
    found: dict[str, list[str]] = {}
    problems: list[Problem] = []
    current: list[str] | None = None
    for line in lines:
        question = by_label.get(line[4:].strip()) if line.startswith("### ") else None
        if question is None:
            if current is not None:
                current.append(line)
            continue
        if question.id in found:
            problems.append(_problem("repeated", source, question.label))
            current = None
            continue
        current = found[question.id] = []
    answers = {}
    for qid, text in found.items():
        value = "\n".join(text).strip()
        answers[qid] = "" if value in NO_ANSWER else value
    return answers, problems


def _set(data: dict[str, object], path: str, value: object) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})  # type: ignore[assignment]
    data[last] = value


def _venues(text: str) -> list[dict[str, object]]:
    out = []
    for part in re.split(r"[,\s]+", text):
        if part:
            match = _SPACE_URL.search(part)
            out.append({"space": match.group(1) if match else part})
    return out


def _value(
    q: Question, answer: str, vocab: Vocabularies, source: str, problems: list[Problem]
) -> object | None:
    """The answer as it goes into the entry, or None (after a problem, or for no answer)."""
    if q.value in ("term", "terms"):
        keys = {label: key for key, label in options(q, vocab)}
        chosen = [a.strip() for a in answer.split(", ")] if q.multiple else [answer]
        unknown = [a for a in chosen if a not in keys]
        for value in unknown:
            problems.append(_problem("unknown_choice", source, q.label, value=value))
        if unknown:
            return None
        plain = [Plain(keys[a]) for a in chosen]
        return plain if q.multiple else plain[0]
    if q.value == "location":
        match = _LOCATION.fullmatch(answer)
        if not match:
            problems.append(_problem("bad_location", source, q.label, value=answer))
            return None
        return {"lat": Plain(match.group(1)), "lon": Plain(match.group(2))}
    if q.value == "spaces":
        return _venues(answer)
    return answer


def _facts(
    form: Form, answers: dict[str, str], vocab: Vocabularies, source: str, problems: list[Problem]
) -> dict[str, object]:
    facts: dict[str, object] = {}
    venues: list[dict[str, object]] = []
    place: dict[str, object] = {}
    for q in form.questions:
        answer = answers.get(q.id, "")
        if not q.target.startswith("facts:") or not answer:
            continue
        value = _value(q, answer, vocab, source, problems)
        path = q.target.removeprefix("facts:")
        if value is None:
            continue
        if path == "venues":
            venues += value  # type: ignore[arg-type]
        elif path.startswith("venues.place."):
            place[path.rsplit(".", 1)[1]] = value
        else:
            _set(facts, path, value)
        if path.startswith("venues"):
            facts["venues"] = venues  # here, so the key keeps the form's order
    if place:
        venues.append({"place": place})
    return facts


def _slug(name: str) -> str:
    """The folder name: the Vietnamese name without tone marks, cut at a hyphen if long."""
    slug = slugify(name)
    if len(slug) > SLUG_MAX:
        cut = slug[: SLUG_MAX + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_MAX]
    return slug


def parse(body: str, vocab: Vocabularies, source: str) -> tuple[Entry | None, list[Problem]]:
    """The entry a submitted form describes, or the problems that stop it."""
    if len(body) > BODY_LIMIT:
        return None, [_problem("too_long", source, length=len(body), limit=BODY_LIMIT)]
    body = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    lines = body.split("\n")
    form = _form_of(lines)
    if form is None:
        return None, [_problem("not_a_form", source)]
    answers, problems = _answers(lines, form, source)
    for q in form.questions:
        answer = answers.get(q.id, "")
        if q.value == "consent":
            answer = answer if re.search(r"^- \[[xX]\] ", answer, re.MULTILINE) else ""
        if q.required and not answer:
            problems.append(_problem("required", source, q.label))
    facts = _facts(form, answers, vocab, source, problems)
    slug = _slug(answers.get(f"{form.title_key}_vi", ""))
    if len(slug) < 2 and answers.get(f"{form.title_key}_vi"):
        problems.append(_problem("bad_name", source, form.questions[0].label))
    if problems:
        return None, problems
    schema = f"# yaml-language-server: $schema=../../../schema/{form.kind[:-1]}.schema.json\n"
    files = {"facts.yaml": schema + dump_yaml(facts)}
    for lang in ("vi", "en"):
        front = {k: answers.get(f"{k}_{lang}", "") for k in (form.title_key, "summary")}
        text = answers.get(f"body_{lang}", "")
        if lang == "vi" or any(front.values()) or text:
            head = dump_yaml({k: v for k, v in front.items() if v})
            files[f"{lang}.md"] = f"---\n{head}---\n" + (f"{text}\n" if text else "")
    return Entry(form.kind, slug, files), []


# --- writing YAML that member text cannot reshape -------------------------------------------


def quote(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly `text`, whatever it holds."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif 0x20 <= code < 0x7F or (code > 0x7F and char.isprintable() and code != 0xFEFF):
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _scalar(value: object) -> str:
    if isinstance(value, Plain):
        # the loader reads a bare null as no value: never one of ours
        if not _PLAIN.fullmatch(value) or value == "null":
            raise ValueError(f"not a bare YAML value: {value!r}")
        return str(value)
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def dump_yaml(data: dict[str, object], indent: str = "") -> str:
    """Block YAML of nested dicts, lists and strings, in insertion order; keys are ours."""
    out = []
    for key, value in data.items():
        if not _KEY.fullmatch(key) and key not in ("vi", "en"):
            raise ValueError(f"not a key of the content format: {key!r}")
        if isinstance(value, dict):
            out.append(f"{indent}{key}:\n{dump_yaml(value, indent + '  ')}")
        elif isinstance(value, list) and all(isinstance(v, Plain) for v in value):
            out.append(f"{indent}{key}: [{', '.join(_scalar(v) for v in value)}]\n")
        elif isinstance(value, list):
            out.append(f"{indent}{key}:\n")
            for item in value:
                nested = dump_yaml(item, indent + "    ")
                out.append(f"{indent}  - {nested[len(indent) + 4 :]}")
        else:
            out.append(f"{indent}{key}: {_scalar(value)}\n")
    return "".join(out)


# --- the command ------------------------------------------------------------------------------


def _question_for(form: Form, name: str, field: str) -> Question | None:
    """The question whose answer a problem in the written file `name` is about."""
    field = re.sub(r"\[\d+\]", "", field)
    if name in ("vi.md", "en.md"):
        # a problem with the whole file (too large, missing) is about its text
        key = field if field in (form.title_key, "summary") else "body"
        return form.question(f"{key}_{name[:2]}")
    targets = {
        q.target.removeprefix("facts:"): q for q in form.questions if q.target.startswith("facts:")
    }
    matches = [t for t in targets if field == t or field.startswith(t + ".")]
    return targets[max(matches, key=len)] if matches else None


def from_issue(body: str, opts: pipeline.Options, source: str) -> tuple[Path | None, list[Problem]]:
    """Write the submitted entry into opts.content_dir if it passes `check` as it stands
    there; otherwise leave content/ as it was and return the problems, each pointing at the
    question to fix."""
    report, content = pipeline.check(opts)
    if content is None:
        return None, report.problems.sorted()
    entry, problems = parse(body, content.vocabularies, source)
    if entry is None:
        return None, problems
    kind_dir = opts.content_dir / entry.kind
    folder = kind_dir / entry.slug
    if folder.exists():
        return None, [_problem("exists", source, slug=entry.slug, kind=entry.kind)]
    folder.mkdir(parents=True)
    for name, text in entry.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    report, _ = pipeline.check(opts)
    form = next(f for f in FORMS if f.kind == entry.kind)
    rel = folder.relative_to(opts.content_dir.parent).as_posix()
    mine = [_as_answer(p, form, rel, source) for p in report.problems.sorted() if _about(p, rel)]
    order = {q.label: i for i, q in enumerate(form.questions)}
    mine.sort(key=lambda p: order.get(p.field, len(order)))  # as the member reads the form
    # content/ was valid before: an error elsewhere is still this entry's doing
    others = [p for p in report.problems.sorted() if not _about(p, rel)]
    errors = [p for p in [*mine, *others] if p.severity is Severity.ERROR]
    if not errors:
        return folder, mine  # warnings only, such as a missing English text
    shutil.rmtree(folder)
    return None, mine + [p for p in others if p.severity is Severity.ERROR]


def _about(problem: Problem, rel: str) -> bool:
    return problem.path == rel or problem.path.startswith(rel + "/")


def _as_answer(problem: Problem, form: Form, rel: str, source: str) -> Problem:
    """A problem in the written files, pointed at the question whose answer it is about."""
    q = _question_for(form, problem.path.removeprefix(rel + "/"), problem.field)
    return replace(problem, path=source, line=None, field=q.label if q else "")
