"""Issue forms -> entry folders: a real submission passes `check`; hostile text stays text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sitegen import pipeline, schema, submission
from sitegen.errors import Problems
from sitegen.i18n import placeholders
from sitegen.load import parse_yaml
from sitegen.pipeline import ROOT
from sitegen.submission import EVENT_FORM, FORMS, SPACE_FORM, Form, Plain
from support import FIXTURES, run_build

ISSUES = FIXTURES / "issues"


@pytest.fixture(scope="module")
def vocab():
    _, content = pipeline.check(pipeline.Options(content_dir=FIXTURES / "site" / "content"))
    assert content is not None
    return content.vocabularies


def render(form: Form, answers: dict[str, str | list[str] | bool], vocab) -> str:
    """An issue body as GitHub writes it from a submitted form: `### Label`, a blank line, the
    answer (a choice's label; several joined by ', '; '_No response_' when left empty)."""
    parts = []
    for q in form.questions:
        answer = answers.get(q.id)
        labels = dict(submission.options(q, vocab))
        if q.kind == "checkboxes":
            text = "\n".join(f"- [{'X' if answer else ' '}] {label}" for label in labels.values())
        elif q.kind == "dropdown" and answer:
            keys = answer if isinstance(answer, list) else [answer]
            text = ", ".join(labels[k] for k in keys)
        else:
            text = str(answer) if answer else "_No response_"
        parts.append(f"### {q.label}\n\n{text}")
    return "\n\n".join(parts) + "\n"


MINIMAL = {
    "name_vi": "Không gian Thử",
    "summary_vi": "Một không gian để thử biểu mẫu đăng ký của danh bạ.",
    "type": "museum",
    "fields": ["design"],
    "consent": True,
}


def from_issue(make_tree, tmp_path: Path, body: str) -> tuple[Path, object]:
    content = make_tree({})
    issue = tmp_path / "issue.md"
    issue.write_text(body, encoding="utf-8")
    return content, run_build("from-issue", issue, "--content", content)


def entries(content: Path) -> set[str]:
    return {p.relative_to(content).as_posix() for p in content.glob("*/*") if p.is_dir()}


# --- real submissions ---------------------------------------------------------------------------


def test_a_submitted_space_form_becomes_an_entry_that_passes_check(make_tree, tmp_path):
    content, result = from_issue(make_tree, tmp_path, (ISSUES / "space.md").read_text())
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/spaces/nha-san-studio\n"
    folder = content / "spaces" / "nha-san-studio"
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "facts.yaml", "vi.md"]
    facts = yaml.safe_load((folder / "facts.yaml").read_text())
    assert facts["type"] == "studio" and facts["fields"] == ["crafts", "design"]
    assert facts["location"] == {"lat": 21.0301, "lon": 105.8467}
    assert facts["opening_hours"]["sat"] == "09:00-12:00, 14:00-18:00"
    assert facts["network"] == {"member": True, "since": "2025-12-10"}
    assert facts["accessibility"]["note"] == {
        "vi": "Lối vào có ba bậc thềm",
        "en": "Three steps at the entrance",
    }
    vi = (folder / "vi.md").read_text()
    assert vi.startswith('---\nname: "Nhà Sàn Studio"\nsummary: "Xưởng gốm')
    assert "\n## Hoạt động\n\n- Lớp nặn gốm: sáng thứ Bảy\n" in vi
    check = run_build("check", "--content", content)
    assert check.returncode == 0, check.stderr
    assert "nha-san-studio" not in check.stderr  # not even a warning: both languages given


def test_a_submitted_event_form_links_its_space_and_repeats(make_tree, tmp_path):
    content, result = from_issue(make_tree, tmp_path, (ISSUES / "event.md").read_text())
    assert result.returncode == 0, result.stderr
    folder = content / "events" / "dem-nhac-san-dinh"
    facts = yaml.safe_load((folder / "facts.yaml").read_text())
    # a pasted page address is reduced to the space's folder name
    assert facts["venues"] == [{"space": "dinh-kim-ngan"}]
    assert facts["repeat"] == {"rule": "weekly", "days": ["sat"], "until": "2026-06-27"}
    assert facts["organiser"]["en"] == "Vietnamese Village Temple Club"
    assert not (folder / "en.md").exists()  # English left empty: the site shows a notice
    assert "chưa có bản tiếng Anh" in result.stderr  # a warning only
    assert run_build("check", "--content", content).returncode == 0


def test_a_problem_names_the_question_to_fix_and_nothing_is_written(vocab, make_tree, tmp_path):
    answers = {**MINIMAL, "hours_mon": "8h-17h", "website": "example.vn", "fee_note_vi": "Giảm"}
    content, result = from_issue(make_tree, tmp_path, render(SPACE_FORM, answers, vocab))
    assert result.returncode == 1
    assert entries(content) == entries(FIXTURES / "site" / "content")
    lines = result.stderr.splitlines()
    for question in (
        "Giờ mở cửa: Thứ Hai / Opening hours: Monday",
        "Giờ mở cửa: Thứ Ba / Opening hours: Tuesday",  # all seven days, or none
        "Trang web / Website",
        "Ghi chú về giá vé (tiếng Anh) / Note on prices (English)",  # both languages, or none
        "Miễn phí? / Free of charge?",  # a fee note needs the fee
    ):
        assert any(line.startswith(f"issue.md: {question}: ") for line in lines), question
    # in the order of the form
    assert lines.index(next(x for x in lines if "Monday" in x)) < lines.index(
        next(x for x in lines if x.startswith("issue.md: Trang web"))
    )
    assert "FAILED: no entry written" in result.stderr


def test_an_existing_entry_is_not_overwritten(vocab, make_tree, tmp_path):
    answers = {**MINIMAL, "name_vi": "Đình Kim Ngân"}
    content, result = from_issue(make_tree, tmp_path, render(SPACE_FORM, answers, vocab))
    assert result.returncode == 1
    assert "đã có mục 'dinh-kim-ngan' trong content/spaces" in result.stderr
    original = FIXTURES / "site" / "content" / "spaces" / "dinh-kim-ngan" / "facts.yaml"
    assert (content / "spaces" / "dinh-kim-ngan" / "facts.yaml").read_bytes() == (
        original.read_bytes()
    )


# --- hostile submissions ----------------------------------------------------------------------


def test_yaml_in_an_answer_stays_a_string(vocab):
    injected = 'Phố Huế"\nfeatured: true\ntype: "museum'
    answers = {**MINIMAL, "address": injected, "website": "https://x.vn/\n  - evil: 1"}
    entry, problems = submission.parse(render(SPACE_FORM, answers, vocab), vocab, "issue.md")
    assert problems == []
    facts = yaml.safe_load(entry.files["facts.yaml"])
    assert set(facts) == {"type", "fields", "address", "website"}
    assert facts["address"] == injected
    assert facts["website"] == "https://x.vn/\n  - evil: 1"


def test_injected_front_matter_stays_in_the_name(vocab, make_tree, tmp_path):
    name = "Tên\n---\n<script>alert(1)</script>"
    answers = {**MINIMAL, "name_vi": name, "body_vi": "---\nname: khác\n---\n"}
    entry, _ = submission.parse(render(SPACE_FORM, answers, vocab), vocab, "issue.md")
    front = entry.files["vi.md"].split("---\n")[1]
    assert yaml.safe_load(front)["name"] == name
    content, result = from_issue(make_tree, tmp_path, render(SPACE_FORM, answers, vocab))
    assert result.returncode == 1  # a name must fit on one line
    assert (
        "Tên không gian (tiếng Việt) / Name of the space (Vietnamese): phải nằm trên một dòng"
        in (result.stderr)
    )
    assert entries(content) == entries(FIXTURES / "site" / "content")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("..\\..\\Windows", "windows"),
        ("Bảo tàng /tmp/x", "bao-tang-tmp-x"),
        ("Đ" * 200, "d" * 80),
        ("Nhà " * 40, ("nha-" * 20)[:-1]),
    ],
)
def test_a_name_cannot_lead_outside_the_entry_folder(vocab, name, slug):
    answers = {**MINIMAL, "name_vi": name}
    entry, problems = submission.parse(render(SPACE_FORM, answers, vocab), vocab, "issue.md")
    assert problems == [] and entry.slug == slug


def test_a_name_without_letters_is_refused(vocab):
    answers = {**MINIMAL, "name_vi": "../.."}
    entry, problems = submission.parse(render(SPACE_FORM, answers, vocab), vocab, "issue.md")
    assert entry is None
    assert [p.message.en for p in problems] == [
        "the Vietnamese name needs at least two letters or digits"
    ]


def test_a_space_venue_is_data_even_with_a_path_in_it(vocab, make_tree, tmp_path):
    answers = {
        "title_vi": "Sự kiện thử",
        "summary_vi": "Một sự kiện để thử biểu mẫu của danh bạ.",
        "start": "2026-03-07",
        "venue_spaces": "../../../etc, dinh-kim-ngan",
        "consent": True,
    }
    entry, _ = submission.parse(render(EVENT_FORM, answers, vocab), vocab, "issue.md")
    assert yaml.safe_load(entry.files["facts.yaml"])["venues"] == [
        {"space": "../../../etc"},
        {"space": "dinh-kim-ngan"},
    ]
    _, result = from_issue(make_tree, tmp_path, render(EVENT_FORM, answers, vocab))
    assert result.returncode == 1
    assert "issue.md: Tại không gian trong danh bạ / At spaces in the directory: " in result.stderr


def test_a_body_over_githubs_limit_is_refused_before_reading(vocab):
    body = render(SPACE_FORM, {**MINIMAL, "body_vi": "x" * 70_000}, vocab)
    entry, problems = submission.parse(body, vocab, "issue.md")
    assert entry is None
    assert problems[0].message.en.startswith("the submission is too long (")


def test_a_huge_description_within_the_limit_is_a_file_problem(vocab, make_tree, tmp_path):
    body = render(SPACE_FORM, {**MINIMAL, "body_vi": "Đường " * 10_000}, vocab)  # ~90 KB
    content, result = from_issue(make_tree, tmp_path, body)
    assert result.returncode == 1
    assert "Giới thiệu chi tiết (tiếng Việt) / Description (Vietnamese): tệp quá lớn" in (
        result.stderr
    )
    assert entries(content) == entries(FIXTURES / "site" / "content")


def test_a_question_heading_inside_an_answer_is_caught(vocab):
    sneaky = "Mô tả.\n\n### Loại hình / Type of space\n\nBảo tàng / Museum"
    body = render(SPACE_FORM, {**MINIMAL, "type": "studio", "body_vi": sneaky}, vocab)
    entry, problems = submission.parse(body, vocab, "issue.md")
    assert entry is None
    assert [(p.field, p.message.en) for p in problems] == [
        ("Loại hình / Type of space", "this question appears twice in the submission")
    ]


def test_a_members_own_headings_stay_in_the_description(vocab):
    text = "Mở đầu.\n\n### Giờ vàng\n\nChiều thứ Bảy."
    entry, problems = submission.parse(
        render(SPACE_FORM, {**MINIMAL, "body_vi": text}, vocab), vocab, "issue.md"
    )
    assert problems == [] and entry.files["vi.md"].endswith(f"---\n{text}\n")


def test_an_edited_body_with_a_made_up_choice_or_no_consent_is_refused(vocab):
    body = render(SPACE_FORM, {**MINIMAL, "consent": False}, vocab)
    body = body.replace("Thiết kế / Design", "Thiết kế / Design, Chính trị / Politics")
    entry, problems = submission.parse(body, vocab, "issue.md")
    assert entry is None
    assert [(p.field, p.message.en) for p in problems] == [
        ("Xác nhận / Confirmation", "this required question has no answer"),
        ("Lĩnh vực sáng tạo / Creative fields", "'Chính trị / Politics' is not one of this "
         "question's choices"),
    ]  # fmt: skip


def test_any_other_issue_is_not_a_form(vocab):
    entry, problems = submission.parse("### Bug\n\nThe map is wrong.", vocab, "issue.md")
    assert entry is None and problems[0].message.en.startswith("this is not a space or event")


# --- the YAML writer ----------------------------------------------------------------------------


@given(st.text())
def test_any_text_reads_back_exactly(text):
    written = f"key: {submission.quote(text)}\n"
    assert yaml.safe_load(written) == {"key": text}
    doc = parse_yaml(written, "t.yaml", Problems())
    assert doc is not None and doc.data == {"key": text}


def test_only_our_own_values_are_written_bare():
    assert submission.dump_yaml({"fields": [Plain("design"), Plain("fine-arts")]}) == (
        "fields: [design, fine-arts]\n"
    )
    assert submission.dump_yaml({"website": "true"}) == 'website: "true"\n'
    for bad in ("a: b", "null", "Design"):
        with pytest.raises(ValueError):
            submission.dump_yaml({"type": Plain(bad)})
    with pytest.raises(ValueError):
        submission.dump_yaml({"evil: x\nkey": "v"})


# --- the forms ----------------------------------------------------------------------------------


def test_the_issue_forms_are_generated_from_the_vocabularies():
    _, content = pipeline.check(pipeline.Options())
    assert content is not None
    for form in FORMS:
        path = ROOT / submission.FORMS_DIR / form.file
        assert path.read_text(encoding="utf-8") == submission.issue_form(
            form, content.vocabularies
        ), f"{path.name} is out of date: run python build.py issue-forms"


def _spec(spec: schema.Spec, path: str) -> schema.Spec | None:
    for part in path.split("."):
        while spec.kind == "list" and spec.item is not None:
            spec = spec.item
        if spec.kind in ("object", "photo"):
            found = spec.fields.get(part)
        elif spec.kind == "venue" and part == "place":
            found = schema.Spec("bilingual", "", "")
        elif spec.kind == "bilingual" and part in ("vi", "en"):
            found = schema.Spec("text", "", "")
        else:
            found = None
        if found is None:
            return None
        spec = found
    return spec


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.kind)
def test_every_answer_goes_to_a_field_of_the_content_format(form):
    top = {"spaces": schema.SPACE, "events": schema.EVENT}[form.kind]
    for q in form.questions:
        where, _, path = q.target.partition(":")
        if where == "facts":
            assert _spec(top, path) is not None, q.id
        elif q.value != "consent":
            assert where in ("vi", "en") and path in (form.title_key, "summary", "body"), q.id
    required = {q.target.removeprefix("facts:") for q in form.questions if q.required}
    assert set(top.required_keys) <= required | {"venues"}  # venues: a space or a place


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.kind)
def test_the_form_can_be_read_back(form, vocab):
    ids = [q.id for q in form.questions]
    labels = [q.label for q in form.questions]
    assert len(set(ids)) == len(ids) and len(set(labels)) == len(labels)
    for q in form.questions:
        shown = [label for _, label in submission.options(q, vocab)]
        assert len(set(shown)) == len(shown), q.id
        # several choices come back joined by ', '
        assert not (q.multiple and any(", " in label for label in shown)), q.id


def test_form_messages_say_the_same_in_both_languages():
    for code, (vi, en) in submission.MESSAGES.items():
        assert placeholders(vi) == placeholders(en), code
        assert code in submission.HINTS, code
