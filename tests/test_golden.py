"""The fixture site's output, byte for byte, against tests/golden/site.

Photos are compared through a manifest (name, size, format), not bytes: encoders differ across
platforms. `pytest --update-golden` rewrites the golden tree; `git diff` is the review.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

GOLDEN = Path(__file__).parent / "golden" / "site"
MEDIA = "media/"
# Asset names carry a content hash; without it a CSS tweak would change every golden page.
ASSET_HASH = re.compile(rb"(/assets/[\w/-]+)\.[0-9a-f]{10}(\.\w+)")


def _snapshot(site: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    manifest = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        # the search index is Pagefind's binary format; tests/browser checks what it finds
        if rel.startswith(("assets/", "pagefind/")):
            continue
        if rel.startswith(MEDIA):
            with Image.open(path) as img:
                manifest.append(f"{rel} {img.width}x{img.height} {img.format}")
        else:
            files[rel] = ASSET_HASH.sub(rb"\1\2", path.read_bytes())
    files["images.txt"] = ("\n".join(manifest) + "\n").encode()
    return files


def test_fixture_site_matches_golden(fixture_site: Path, request: pytest.FixtureRequest):
    actual = _snapshot(fixture_site)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in actual.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
        pytest.skip("golden files rewritten: review them with git diff")
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_bytes()
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }
    assert sorted(actual) == sorted(expected), "files added or missing"
    changed = [rel for rel in sorted(actual) if actual[rel] != expected[rel]]
    report = []
    for rel in changed[:3]:
        diff = difflib.unified_diff(
            expected[rel].decode(errors="replace").splitlines(),
            actual[rel].decode(errors="replace").splitlines(),
            f"golden/{rel}", f"built/{rel}", lineterm="", n=1,
        )  # fmt: skip
        report.append("\n".join(list(diff)[:30]))
    assert not changed, (
        f"{len(changed)} files differ; run pytest --update-golden to accept\n" + "\n".join(report)
    )
