"""`lepton plan show | diff | verify` from the command line, with bad plan files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from ops_builders import action, plan, workload, write_plan

from helpers import run, vm, write_inventory


def _plans(tmp_path):
    old = write_plan(
        tmp_path / "old.yaml",
        plan([action("a1"), action("a2")], [workload("checkout-api", 3)], planned="46100"),
    )
    new = write_plan(
        tmp_path / "new.yaml",
        plan([action("a1"), action("a3", "230")], [workload("checkout-api", 2)]),
    )
    return old, new


def test_diff_markdown_to_a_file(cli, tmp_path):
    old, new = _plans(tmp_path)
    r = run("plan", "diff", old, new, "--format", "markdown", "-o", tmp_path / "c.md")
    assert r.exit_code == 0, r.stderr
    md = (tmp_path / "c.md").read_text()
    assert md.startswith(
        "<!-- lepton-plan -->\n**lepton plan** saves $4,210/month, within the "
        "$40,000 budget (+$310/month vs the previous plan)"
    )
    assert "| added | a3 |" in md and "| removed | a2 |" in md


def test_diff_table_and_json(cli, tmp_path):
    old, new = _plans(tmp_path)
    table = run("plan", "diff", old, new)
    assert table.exit_code == 0 and "saves $4,210/month" in table.stdout
    doc = json.loads(run("plan", "diff", old, new, "-f", "json").stdout)
    assert doc["kind"] == "PlanDiff" and [w["name"] for w in doc["workloads"]] == ["checkout-api"]


def test_fail_on_savings_gate(cli, tmp_path):
    old, new = _plans(tmp_path)
    assert run("plan", "diff", old, new, "--fail-on-savings", "5000").exit_code == 0
    r = run("plan", "diff", old, new, "--fail-on-savings", "4000", "-f", "json")
    assert r.exit_code == 8 and json.loads(r.stdout)["kind"] == "PlanDiff"
    assert "saves $4,210/month, more than --fail-on-savings $4,000" in r.stderr
    assert run("plan", "show", new, "--fail-on-savings", "1000").exit_code == 8


def test_show_renders_a_saved_plan(cli, tmp_path):
    _, new = _plans(tmp_path)
    r = run("plan", "show", new, "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert "a3" in r.stdout


def test_verify_holds_and_drifts(cli, tmp_path):
    p = write_plan(tmp_path / "p.yaml", plan([action("a1"), action("a2")]))
    fields = {"type": "m5.xlarge", "hourly_cost": 0.192, "vcpus": 4, "memory_gib": 16}
    ok = write_inventory(tmp_path / "ok.yaml", [vm("i-a1", **fields), vm("i-a2", **fields)])
    r = run("plan", "verify", p, "--source", ok)
    assert r.exit_code == 0, r.stderr
    assert "the plan holds: 2 resource preconditions checked" in r.stdout
    drifted = write_inventory(tmp_path / "d.yaml", [vm("i-a1", **{**fields, "pricing": "spot"})])
    r = run("plan", "verify", p, "--source", drifted, "-f", "json")
    assert r.exit_code == 7
    doc = json.loads(r.stdout)
    assert [(d["resource_id"], d["what"]) for d in doc["drifts"]] == [
        ("i-a1", "pricing"), ("i-a2", "missing")]  # fmt: skip
    assert "i-a2 (action a2): no longer exists" in r.stderr


def test_verify_needs_one_source_kind(cli, tmp_path):
    p = write_plan(tmp_path / "p.yaml", plan([action("a1")]))
    r = run("plan", "verify", p)
    assert r.exit_code == 2 and "either --source or --provider" in r.stderr


def test_a_plan_from_a_newer_api_version(cli, tmp_path):
    _, new = _plans(tmp_path)
    newer = tmp_path / "newer.yaml"
    newer.write_text(new.read_text().replace("apiVersion: lepton/v1", "apiVersion: lepton/v2"))
    for args in (["show", newer], ["diff", new, newer], ["verify", newer, "--source", new]):
        r = run("plan", *args)
        assert r.exit_code == 3, (args, r.stderr)
        assert "newer.yaml" in r.stderr and "Traceback" not in r.stderr


def test_a_truncated_plan(cli, tmp_path):
    _, new = _plans(tmp_path)
    cut = tmp_path / "cut.yaml"
    cut.write_text(new.read_text()[: len(new.read_text()) // 2])
    r = run("plan", "diff", new, cut)
    assert r.exit_code == 3 and "cut.yaml" in r.stderr and "Traceback" not in r.stderr


def test_verify_against_a_provider(cli, tmp_path):
    p = write_plan(tmp_path / "p.yaml", plan([action("a1")]))
    # the file provider reading an empty inventory sees nothing: every resource is gone
    (tmp_path / "empty.yaml").write_text("apiVersion: lepton/v1\nkind: Inventory\n")
    (tmp_path / "lepton.yaml").write_text(f"file: {{paths: ['{tmp_path / 'empty.yaml'}']}}\n")
    r = run("plan", "verify", p, "--provider", "file")
    assert r.exit_code == 7 and "i-a1 (action a1): no longer exists" in r.stderr
    unknown = run("plan", "verify", p, "--provider", "nimbus")
    assert unknown.exit_code == 2 and "unknown provider 'nimbus'" in unknown.stderr


def test_optimize_then_verify_on_the_example(cli, tmp_path):
    acme = Path(__file__).resolve().parents[2] / "examples" / "acme" / "inventory.yaml"
    assert acme.is_file(), "examples/acme/inventory.yaml is tracked in git"
    inv = shutil.copy(acme, tmp_path / "inventory.yaml")
    assert run("optimize", "--source", inv, "--budget", "9000", "-o", "plan.yaml").exit_code == 0
    r = run("plan", "verify", "plan.yaml", "--source", inv)
    assert r.exit_code == 0, r.stderr
    assert "inputs digest matches" in r.stdout
    # stop one resource the plan touches: the plan no longer holds
    touched = yaml.safe_load(Path("plan.yaml").read_text())["actions"][0]["resources"][0]["id"]
    doc = yaml.safe_load(Path(inv).read_text())
    for res in doc["resources"]:
        if res["id"] == touched:
            res["state"] = "stopped" if res.get("state", "running") == "running" else "running"
    Path(inv).write_text(yaml.safe_dump(doc, sort_keys=False))
    r = run("plan", "verify", "plan.yaml", "--source", inv)
    assert r.exit_code == 7 and f"{touched} (action " in r.stderr and "state is" in r.stderr
    assert "inputs digest differs" in r.stdout
