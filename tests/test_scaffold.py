"""`build.py new` and the JSON Schemas: both generated from sitegen/schema.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from sitegen import scaffold
from support import FIXTURES, ROOT, TODAY, parse, run_build


class _Yaml12Loader(yaml.SafeLoader):
    """What editors' YAML servers see (YAML 1.2): dates stay strings."""


_Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    doc = json.loads((ROOT / "schema" / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


def test_schema_files_are_up_to_date():
    """The committed schemas are what `build.py schema` would write from today's vocabularies."""
    vocab = yaml.safe_load((ROOT / "content" / "vocabularies.yaml").read_text())
    keys = {name: sorted(vocab[name]) for name in ("space_types", "fields", "wards")}
    for name, text in scaffold.schema_files(keys).items():
        assert (ROOT / "schema" / name).read_text() == text, f"run: python build.py schema ({name})"
    wards = _validator("space").schema["properties"]["ward"]["enum"]
    assert wards == sorted(vocab["wards"])


@pytest.mark.parametrize("kind", ["space", "event"])
def test_schema_accepts_every_shipped_entry(kind: str):
    validator = _validator(kind)
    for facts in sorted((ROOT / "content" / f"{kind}s").glob("*/facts.yaml")):
        data = yaml.load(facts.read_text(), Loader=_Yaml12Loader)
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (facts, errors)
        assert facts.read_text().startswith(
            f"# yaml-language-server: $schema=../../../schema/{kind}.schema.json\n"
        )


@pytest.mark.parametrize(
    ("kind", "facts"),
    [
        ("space", "type: musuem\nfields: [design]\n"),
        ("space", "type: museum\nfields: []\n"),
        ("space", "type: museum\nfields: [design]\ncolour: red\n"),
        ("space", "type: museum\nfields: [design]\nlocation: {lat: 105.8, lon: 21.0}\n"),
        ("space", "type: museum\nfields: [design]\nwebsite: javascript:alert(1)\n"),
        ("space", "type: museum\nfields: [design]\nphotos: [{file: a.jpg}]\n"),
        ("event", "start: 2026-13-45x\nvenues: [{space: a}]\n"),
        ("event", "start: 2026-01-01\nvenues: [{space: a, place: {vi: b, en: c}}]\n"),
        ("event", "start: 2026-01-01\n"),
    ],
)
def test_schema_rejects_broken_facts(kind: str, facts: str):
    data = yaml.load(facts, Loader=_Yaml12Loader)
    assert list(_validator(kind).iter_errors(data))


def _fill(folder: Path, facts: dict[str, str], texts: dict[str, dict[str, str]]) -> None:
    path = folder / "facts.yaml"
    lines = path.read_text().splitlines()
    for key, value in facts.items():
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
    path.write_text("\n".join(lines) + "\n")
    for lang, values in texts.items():
        text = (folder / f"{lang}.md").read_text()
        for key, value in values.items():
            text = text.replace(f"\n{key}:\n", f"\n{key}: {value}\n")
        (folder / f"{lang}.md").write_text(text)


def test_new_space_passes_check_once_filled_in(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "site" / "content", content)
    result = run_build("new", "space", "Nhà Sáng tạo Đông Dương", "--content", content)
    assert result.returncode == 0, result.stderr
    folder = content / "spaces" / "nha-sang-tao-dong-duong"
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "facts.yaml", "vi.md"]
    first = run_build("check", "--content", content)
    assert first.returncode == 1
    assert "content/spaces/nha-sang-tao-dong-duong/facts.yaml:7: type: " in first.stderr
    assert "content/spaces/nha-sang-tao-dong-duong/en.md:2: name: " in first.stderr
    _fill(
        folder,
        {"type": "studio", "fields": "[design, crafts]"},
        {
            "vi": {"summary": "Xưởng sáng tác thử nghiệm về thiết kế."},
            "en": {"name": "Indochina Creative House", "summary": "An experimental design studio."},
        },
    )
    out = tmp_path / "site"
    built = run_build("--content", content, "--out", out, "--today", TODAY)
    assert built.returncode == 0, built.stderr
    for lang, name in (("vi", "Nhà Sáng tạo Đông Dương"), ("en", "Indochina Creative House")):
        page = parse(out / lang / "spaces" / "nha-sang-tao-dong-duong" / "index.html")
        assert page.find(".//h1").text_content() == name


def test_new_event_lists_every_event_field(tmp_path: Path):
    folder = scaffold.new_entry(tmp_path, "event", "Đêm nhạc Hồ Gươm")
    assert folder.name == "dem-nhac-ho-guom"
    text = (folder / "facts.yaml").read_text()
    for key in scaffold.schema.EVENT.fields:
        assert f"\n{key}:" in text or f"\n# {key}:" in text, key


def test_new_refuses_an_existing_folder_and_an_empty_name(tmp_path: Path):
    scaffold.new_entry(tmp_path, "space", "Đình Kim Ngân")
    with pytest.raises(scaffold.ScaffoldError, match="already exists"):
        scaffold.new_entry(tmp_path, "space", "Dinh Kim Ngan")
    with pytest.raises(scaffold.ScaffoldError, match="cannot make a folder name"):
        scaffold.new_entry(tmp_path, "space", "!!!")
