"""The CI recipes in examples/ci: the YAML parses, and the lepton commands in it run on Acme.

Each `run:` step (GitHub) and each job script (GitLab) is executed with bash, as the runners
do, in a copy of the example, with the real `lepton` console script. Steps that only install
software are skipped; `uses:` steps are checked for what they must do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CI = ROOT / "examples" / "ci"
ACME = ROOT / "examples" / "acme"
MARKER = "<!-- lepton-plan -->"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    needed = [ACME / "inventory.yaml", ACME / "focus-2026-10.csv"]
    assert [p for p in needed if not p.is_file()] == [], "the Acme example files are tracked"
    shutil.copytree(ACME, tmp_path / "examples" / "acme")
    shutil.copy(CI / "lepton.yaml", tmp_path / "lepton.yaml")
    return tmp_path


def _env(workspace: Path, extra: dict[str, str]) -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)  # where the `lepton` console script lives
    env = {**os.environ, **extra, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    env["GIT_CEILING_DIRECTORIES"] = str(workspace.parent)  # never find the project's repo
    return env


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _installs(script: str) -> bool:
    return bool(re.match(r"\s*(pip|python3? -m pip|apt-get)\b", script))


# --- GitHub Actions ------------------------------------------------------------------------


def _expr(value: str, outputs: dict[str, str]) -> str:
    """Resolve the few ${{ }} expressions the workflow uses, as on a scheduled run."""

    def one(m: re.Match[str]) -> str:
        expr = m.group(1).strip()
        if expr.startswith("steps."):
            _, step, _, key = expr.split(".")
            return outputs.get(f"{step}.{key}", "")
        return {"github.base_ref": "", "github.event_name": "schedule"}.get(expr, "")

    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


def _outputs(path: Path, step: str) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return {f"{step}.{k}": v for k, _, v in (line.partition("=") for line in lines)}


def _github() -> dict[str, Any]:
    doc = yaml.safe_load((CI / "github-actions.yml").read_text())
    doc["on"] = doc.pop(True)  # YAML 1.1 reads the key `on` as true
    return doc


def test_github_workflow_triggers_and_actions():
    doc = _github()
    assert "schedule" in doc["on"] and doc["on"]["pull_request"]["paths"] == ["lepton.yaml"]
    steps = doc["jobs"]["plan"]["steps"]
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert "actions/upload-artifact" in uses
    assert "plan.yaml" in uses["actions/upload-artifact"]["with"]["path"]
    script = uses["actions/github-script"]["with"]["script"]
    assert MARKER in script and "plan-comment.md" in script and "updateComment" in script
    runs = " ".join(s.get("run", "") for s in steps)
    assert "--budget" in runs and "GITHUB_STEP_SUMMARY" in runs
    watch = " ".join(s.get("run", "") for s in doc["jobs"]["watch"]["steps"])
    assert "--fail-on-savings" in watch and "budget status" in watch and "anomalies" in watch


def test_github_workflow_commands_run_on_the_example(workspace: Path):
    doc = _github()
    summary, outputs = workspace / "step-summary.md", {}
    for job_name, job in doc["jobs"].items():
        for step in job["steps"]:
            if "run" not in step or _installs(step["run"]):
                continue
            out_file = workspace / f"out-{len(outputs)}"
            scoped = {**doc.get("env", {}), **job.get("env", {}), **step.get("env", {})}
            env = _env(
                workspace,
                {k: _expr(str(v), outputs) for k, v in scoped.items()}
                | {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(out_file)},
            )
            result = _bash(_expr(step["run"], outputs), workspace, env)
            outputs |= _outputs(out_file, step.get("id", ""))
            allowed = {0, 8} if "--fail-on" in step["run"] else {0}
            if step.get("name", "").startswith("Fail when"):
                allowed = {0, 6}  # the optimiser's own verdict, passed through
            where = f"{job_name} / {step.get('name', step['run'][:40])}"
            assert result.returncode in allowed, f"{where}: {result.returncode}\n{result.stderr}"
            if result.returncode == 8:
                assert "error:" in result.stderr  # the gate says why
    comment = (workspace / "plan-comment.md").read_text()
    assert comment.startswith(MARKER + "\n**lepton plan** ")
    assert comment in summary.read_text()
    assert (workspace / "plan.yaml").is_file() and outputs["optimize.code"] in {"0", "6"}


# --- GitLab CI -----------------------------------------------------------------------------


def test_gitlab_jobs_run_on_the_example(workspace: Path):
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    assert doc["stages"] == ["plan", "watch"]
    plan_job, watch_job = doc["lepton-plan"], doc["lepton-watch"]
    assert {"plan.yaml", "plan-comment.md"} <= set(plan_job["artifacts"]["paths"])
    assert any("lepton.yaml" in r.get("changes", []) for r in plan_job["rules"])
    assert watch_job["allow_failure"]["exit_codes"] == [8]
    ci_env = {**{k: str(v) for k, v in doc["variables"].items()},
              "CI_PIPELINE_SOURCE": "schedule"}  # fmt: skip
    for name, job, allowed in [("lepton-plan", plan_job, {0, 6}), ("lepton-watch", watch_job,
                                                                    {0, 8})]:  # fmt: skip
        script = "\n".join(line for line in job["script"] if not _installs(line))
        result = _bash(script, workspace, _env(workspace, ci_env))
        assert result.returncode in allowed, f"{name}: {result.returncode}\n{result.stderr}"
    assert (workspace / "plan-comment.md").read_text().startswith(MARKER)
