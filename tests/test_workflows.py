"""The GitHub Actions workflows: actionlint finds nothing, pull-request runs can write nothing and
see no secret, member text never lands inside a script, Pages is published the official way."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sitegen.pipeline import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def _triggers(workflow: dict) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def _actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("actionlint is missing: pip install -e '.[test]' installs it")
    return found


def test_actionlint_finds_nothing():
    assert len(WORKFLOWS) == 4
    result = subprocess.run(
        [_actionlint(), "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_mistake(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v6\n        with:\n          fetch-dept: 0\n"
    )
    result = subprocess.run([_actionlint(), str(broken)], capture_output=True, text=True)
    assert result.returncode == 1 and "fetch-dept" in result.stdout


def _permissions_read_only(permissions: object) -> bool:
    if permissions in ("read-all", {}):
        return True
    return isinstance(permissions, dict) and all(
        v in ("read", "none") for v in permissions.values()
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_pull_request_runs_get_no_write_token_and_no_secret(path):
    text = path.read_text(encoding="utf-8")
    workflow = _load(path)
    assert "pull_request_target" not in _triggers(workflow)
    if "pull_request" not in _triggers(workflow):
        return
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert _permissions_read_only(job.get("permissions", {})), name
    assert "secrets." not in text and "github.token" not in text


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_workflow_starts_with_no_more_than_read_permission(path):
    # a job that needs more says so itself, where a reader sees it
    assert _permissions_read_only(_load(path)["permissions"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_scripts_take_outside_values_from_the_environment(path):
    """`${{ }}` inside `run:` pastes text into the script before the shell reads it: an issue
    title like `"; curl … | sh #` would run. Values reach scripts through `env:` instead."""
    for job in _load(path)["jobs"].values():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), step


def test_the_submission_workflow_reads_member_text_without_a_write_token():
    workflow = _load(ROOT / ".github" / "workflows" / "submission.yml")
    assert _triggers(workflow) == {"issues"}
    convert, propose = workflow["jobs"]["convert"], workflow["jobs"]["propose"]
    assert convert["permissions"] == {"contents": "read"}
    assert "build.py from-issue" in "\n".join(s.get("run", "") for s in convert["steps"])
    assert not any("build.py" in s.get("run", "") for s in propose["steps"])
    assert not any("setup-python" in s.get("uses", "") for s in propose["steps"])
    assert propose["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
    }


def test_pages_publishes_on_main_and_daily_with_the_official_actions():
    workflow = _load(ROOT / ".github" / "workflows" / "publish.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["on"]["schedule"] == [{"cron": "5 17 * * *"}]  # 00:05 in Hanoi
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [s.get("uses", "").split("@")[0] for s in build["steps"] + deploy["steps"]]
    for action in ("configure-pages", "upload-pages-artifact", "deploy-pages"):
        assert f"actions/{action}" in uses
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "permissions" not in build  # the workflow's read-only default
    # the site's base URL follows wherever Pages serves it
    (configure,) = [s for s in build["steps"] if "configure-pages" in s.get("uses", "")]
    (step,) = [s for s in build["steps"] if "build.py" in s.get("run", "")]
    assert step["env"]["BASE_URL"] == f"${{{{ steps.{configure['id']}.outputs.base_url }}}}"
    assert '--base-url "$BASE_URL/"' in step["run"]


def test_the_upkeep_report_runs_weekly_with_the_full_history():
    workflow = _load(ROOT / ".github" / "workflows" / "upkeep.yml")
    assert len(workflow["on"]["schedule"]) == 1
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # git dates of each entry
    assert any("build.py report" in s.get("run", "") for s in job["steps"])
