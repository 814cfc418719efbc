"""The anchor workload (../shared/anchor-bench, workload.json) -> our content/ bundles.

The same spaces, events and photos Hugo builds from, as members would write them: facts.yaml,
vi.md and en.md per entry, photos hard-linked into each space's folder, and a vocabularies.yaml
made from the workload's types, fields and wards. The workload has no summaries: each is the
first sentence of the entry's text, as a member would write one.

    python bench/convert.py WORKLOAD_DIR CONTENT_DIR [--text-only]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
from pathlib import Path

SUMMARY_LIMIT = 280
_MARKUP = re.compile(r"[*_#\[\]]|\(https?://[^)]*\)")


def _q(value: str) -> str:
    """A double-quoted YAML scalar: JSON strings are YAML, and keep Vietnamese and colons safe."""
    return json.dumps(value, ensure_ascii=False)


def summary(markdown: str) -> str:
    """The first sentence of the first paragraph, without Markdown, at most SUMMARY_LIMIT."""
    para = next(p for p in markdown.split("\n\n") if p.strip() and not p.startswith("#"))
    text = " ".join(_MARKUP.sub("", para).split())
    first = text.split(". ")[0].rstrip(".") + "."
    if len(first) > SUMMARY_LIMIT:
        first = first[:SUMMARY_LIMIT].rsplit(" ", 1)[0] + "…"
    return first


def _text_file(key: str, title: str, body: str) -> str:
    return f"---\n{key}: {_q(title)}\nsummary: {_q(summary(body))}\n---\n{body}"


def vocabularies(taxonomies: dict[str, dict[str, dict[str, str]]]) -> str:
    lines = ["space_types:"]
    for key, label in sorted(taxonomies["type"].items()):
        lines.append(f"  {key}: {{vi: {_q(label['vi'])}, en: {_q(label['en'])}, schema: Place}}")
    for section, name in (("fields", "field"), ("wards", "ward")):
        lines.append(f"{section}:")
        for key, label in sorted(taxonomies[name].items()):
            lines.append(f"  {key}: {{vi: {_q(label['vi'])}, en: {_q(label['en'])}}}")
    return "\n".join(lines) + "\n"


def space_facts(space: dict, text_only: bool) -> str:  # type: ignore[type-arg]
    lines = [
        f"type: {space['type']}",
        f"fields: [{', '.join(space['fields'])}]",
        f"ward: {space['ward']}",
        f"address: {_q(space['address'])}",
        f"location: {{lat: {space['lat']}, lon: {space['lon']}}}",
        # a host label may not end in a hyphen, which the workload's cut slugs sometimes do
        f"website: {re.sub(r'-+[.]', '.', space['website'])}",
    ]
    if space["photos"] and not text_only:
        lines.append("photos:")
        for i, name in enumerate(space["photos"], 1):
            alt_vi, alt_en = f"{space['name_vi']}, ảnh {i}", f"{space['name_en']}, photo {i}"
            lines.append(f"  - file: {name}")
            lines.append(f"    alt: {{vi: {_q(alt_vi)}, en: {_q(alt_en)}}}")
    return "\n".join(lines) + "\n"


def event_facts(event: dict) -> str:  # type: ignore[type-arg]
    lines = [f"start: {event['start']}"]
    if event["end"] != event["start"]:
        lines.append(f"end: {event['end']}")
    lines += ["venues:", f"  - space: {event['venue']}"]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def convert(workload_dir: Path, content: Path, text_only: bool = False) -> int:
    """Write `content` afresh from the workload; returns the number of entries."""
    work = json.loads((workload_dir / "workload.json").read_text(encoding="utf-8"))
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    _write(content / "vocabularies.yaml", vocabularies(work["taxonomies"]))
    for space in work["spaces"]:
        folder = content / "spaces" / space["slug"]
        folder.mkdir(parents=True)
        _write(folder / "facts.yaml", space_facts(space, text_only))
        _write(folder / "vi.md", _text_file("name", space["name_vi"], space["description_vi"]))
        _write(folder / "en.md", _text_file("name", space["name_en"], space["description_en"]))
        for name in [] if text_only else space["photos"]:
            os.link(workload_dir / "images" / name, folder / name)
    for event in work["events"]:
        folder = content / "events" / event["slug"]
        folder.mkdir(parents=True)
        _write(folder / "facts.yaml", event_facts(event))
        _write(folder / "vi.md", _text_file("title", event["title_vi"], event["body_vi"]))
        _write(folder / "en.md", _text_file("title", event["title_en"], event["body_en"]))
    return len(work["spaces"]) + len(work["events"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", type=Path)
    parser.add_argument("content", type=Path)
    parser.add_argument("--text-only", action="store_true", help="leave the photos out")
    args = parser.parse_args()
    count = convert(args.workload, args.content.resolve(), args.text_only)
    print(f"{args.content}: {count} entries")


if __name__ == "__main__":
    main()
