"""`build.py new space|event NAME`: a complete entry folder to fill in, and the JSON Schemas.

Both are written from schema.py, so the scaffold lists exactly the fields validation accepts.
Required fields are left empty: `check` then says which ones still need a value.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import schema
from .schema import Spec
from .vietnamese import slugify

KINDS = {"space": ("spaces", schema.SPACE, "name"), "event": ("events", schema.EVENT, "title")}
SCHEMA_DIR = "schema"


class ScaffoldError(Exception):
    """A request that cannot be met (no usable name, folder exists); the message is bilingual."""


def _comment(spec: Spec) -> str:
    need = "bắt buộc / required" if spec.required else "không bắt buộc / optional"
    return f"# {spec.vi} / {spec.en} ({need})"


def _example_lines(key: str, spec: Spec, indent: str) -> list[str]:
    """A commented example of an optional field, children included."""
    if spec.kind in ("object", "photo"):
        lines = [f"{indent}{key}:"]
        for child_key, child in spec.fields.items():
            lines += _example_lines(child_key, child, indent + "  ")
        return lines
    if spec.kind == "bilingual":
        return [f"{indent}{key}: {{vi: ..., en: ...}}"]
    if spec.kind == "list" and spec.item is not None and spec.item.kind == "photo":
        return [
            f"{indent}{key}:",
            f"{indent}  - file: anh-1.jpg",
            f"{indent}    alt: {{vi: Mô tả ảnh, en: What the photo shows}}",
            f"{indent}    credit: Tên tác giả",
        ]
    example = spec.example if spec.example is not None else "..."
    return [f"{indent}{key}: {example}"]


def facts_yaml(kind: str) -> str:
    spec = KINDS[kind][1]
    lines = [
        f"# yaml-language-server: $schema=../../../{SCHEMA_DIR}/{kind}.schema.json",
        "# Điền các trường bắt buộc; bỏ dấu # ở trường không bắt buộc muốn dùng.",
        "# Fill in the required fields; remove the # of any optional field you use.",
        "# Hướng dẫn / Guide: docs/content-format.md",
        "",
    ]
    for key, sub in spec.fields.items():
        lines.append(_comment(sub))
        if sub.required:
            example = "" if sub.example is None else f"  # ví dụ / e.g. {sub.example}".rstrip()
            lines.append(f"{key}:{example}" if "\n" not in example else f"{key}:")
            if "\n" in str(sub.example):
                lines += [f"#{line}" for line in str(sub.example).splitlines() if line.strip()]
        else:
            lines += [f"# {line}" for line in _example_lines(key, sub, "")]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def text_file(kind: str, lang: str, name: str) -> str:
    title_key = KINDS[kind][2]
    if lang == "vi":
        guide = "Viết phần giới thiệu ở đây, thay cho dòng này. Dùng ## cho tiêu đề nhỏ."
    else:
        guide = "Write the English description here, instead of this line. Use ## for subheadings."
    return f"---\n{title_key}: {name}".rstrip() + f"\nsummary:\n---\n<!-- {guide} -->\n"


def new_entry(content_dir: Path, kind: str, name: str) -> Path:
    slug = slugify(name)
    if len(slug) < 2:
        raise ScaffoldError(
            f"không tạo được tên thư mục từ '{name}' / cannot make a folder name from '{name}'"
        )
    folder = content_dir / KINDS[kind][0] / slug
    if folder.exists():
        rel = f"{content_dir.name}/{KINDS[kind][0]}/{slug}"
        raise ScaffoldError(f"{rel} đã có / already exists")
    folder.mkdir(parents=True)
    (folder / "facts.yaml").write_text(facts_yaml(kind), encoding="utf-8")
    (folder / "vi.md").write_text(text_file(kind, "vi", " ".join(name.split())), encoding="utf-8")
    (folder / "en.md").write_text(text_file(kind, "en", ""), encoding="utf-8")
    return folder


def schema_files(vocabularies: dict[str, list[str]]) -> dict[str, str]:
    """{file name: JSON text} for the facts of spaces and of events."""
    out = {}
    for kind, (_, spec, _) in sorted(KINDS.items()):
        title = f"Hanoi Creative Spaces: {kind} facts.yaml"
        doc = schema.document(spec, title, vocabularies)
        out[f"{kind}.schema.json"] = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return out
