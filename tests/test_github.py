"""What GitHub shows of a problem: annotations on the pull request's lines, and the job summary."""

from __future__ import annotations

import re
from pathlib import Path

from sitegen.errors import Bilingual, Problem, Severity, format_github, format_summary
from support import run_build

TRICKY = Problem(
    path="content/spaces/a,b:c/facts.yaml",
    line=7,
    field="opening_hours.tue",
    message=Bilingual("nhận '100%'\r\nhai dòng", "got '100%'\nline two"),
    hint=Bilingual("sửa: a,b", "fix: a,b"),
)


def _unescape(text: str) -> str:
    return re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), text)


def test_annotations_escape_what_would_end_a_property_or_the_message():
    (line,) = format_github([TRICKY]).splitlines()
    command, props, message = re.fullmatch(r"::(\w+) (.*?)::(.*)", line).groups()
    assert command == "error"
    # a raw ',' or ':' inside a property would split it; a raw newline would end the command
    assert props.split(",") == [
        "file=content/spaces/a%2Cb%3Ac/facts.yaml",
        "line=7",
        "title=opening_hours.tue",
    ]
    assert "\n" not in message and "\r" not in message
    assert "%25" in message  # the member's own '%' cannot be read as an escape
    assert _unescape(message) == (
        "nhận '100%'\r\nhai dòng\ngot '100%'\nline two\n→ sửa: a,b / fix: a,b"
    )


def test_an_annotation_without_a_line_names_the_file_and_a_warning_is_a_warning():
    problem = Problem("content/events/x/en.md", None, "", Bilingual("a", "b"), None)
    warning = Problem(
        "content/events/x/en.md", None, "", Bilingual("a", "b"), None, Severity.WARNING
    )
    assert format_github([problem]) == (
        "::error file=content/events/x/en.md,title=content/events/x/en.md::a%0Ab\n"
    )
    assert format_github([warning]).startswith("::warning ")


def _rows(summary: str) -> list[list[str]]:
    """The table's body rows, split on unescaped pipes."""
    lines = [line for line in summary.splitlines() if line.startswith("| ")][2:]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]


def test_summary_is_a_table_in_both_languages_with_the_fix():
    summary = format_summary([TRICKY], "Kiểm tra nội dung / Content check")
    assert summary.startswith("## Kiểm tra nội dung / Content check\n")
    assert "**1 lỗi trong 1 tệp / 1 error in 1 file**" in summary
    header = next(line for line in summary.splitlines() if line.startswith("| "))
    assert header.count("/") == 5  # each column named in both languages
    ((path, line, field, message, fix),) = _rows(summary)
    assert (path, line, field) == ("content/spaces/a,b:c/facts.yaml", "7", "opening\\_hours.tue")
    assert message == "❌ nhận '100%'<br>hai dòng<br>got '100%'<br>line two"
    assert fix == "sửa: a,b<br>fix: a,b"


def test_member_text_in_the_summary_stays_text():
    hostile = Problem(
        "content/spaces/x/facts.yaml",
        3,
        "website",
        Bilingual("nhận '<img src=x onerror=alert(1)> | [bấm](https://evil.example) @admin'", "x"),
        None,
    )
    ((_, _, _, message, fix),) = _rows(format_summary([hostile], "t"))
    # no HTML but our own line breaks: every other "<" is escaped
    assert not re.search(r"(?<!\\)<(?!br>)", message)
    assert "\\|" in message  # a pipe cannot open a new column
    assert "\\[bấm\\](https://evil.example)" in message  # no link
    assert "@\u2060admin" in message  # no notification to a GitHub user
    assert fix == ""


def test_summary_without_problems_says_so():
    summary = format_summary([], "Dựng trang / Site build")
    assert "Không có lỗi. / No problems found." in summary
    assert "|" not in summary


def test_check_writes_the_job_summary_only_inside_github_actions(make_tree, tmp_path: Path):
    content = make_tree({"spaces/dinh-kim-ngan/facts.yaml": "type: museum\nfields: []\n"})
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run_build("check", "--content", content, "--format", "github", env=env)
    assert result.returncode == 1
    assert "::error file=content/spaces/dinh-kim-ngan/facts.yaml,line=2" in result.stdout
    rows = _rows(summary.read_text(encoding="utf-8"))
    assert ["content/spaces/dinh-kim-ngan/facts.yaml", "2", "fields"] in [r[:3] for r in rows]

    summary.unlink()
    result = run_build("check", "--content", content, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 1 and not summary.exists()
