"""What apply refuses before it reads any cloud: edited plans, unknown ids, foreign journals;
and how plan actions become steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from plans import action, instance, plan, write
from typer.testing import CliRunner

from lepton_cli.apply.journal import Journal, StepLog
from lepton_cli.apply.steps import plan_steps
from lepton_cli.cli.app import app
from lepton_cli.errors import InputError
from lepton_cli.plan.model import ActionKind, Placement, Step, StepOp

REGION = "us-east-1"


def lepton(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def i(rid: str, type_: str = "m5.xlarge") -> Any:
    return instance(rid, "aws", "123456789012", REGION, type_)


def to(type_: str, count: int = 1, provider: str = "aws", region: str = REGION) -> Placement:
    return Placement(provider=provider, region=region, type=type_, count=count)


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    actions = [
        action(ActionKind.RIGHTSIZE, [i("i-1")], to("m5.large"), "web"),
        action(ActionKind.TERMINATE, [i("i-2")]),
    ]
    return write(plan(actions), tmp_path / "plan.yaml")


def _edit(path: Path, change: Any) -> Path:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_a_hand_edited_target_is_exit_3(plan_file: Path) -> None:
    _edit(plan_file, lambda d: d["actions"][0]["to"].update(type="m5.24xlarge"))
    got = lepton("apply", str(plan_file), "--yes")
    assert got.exit_code == 3
    assert "actions[0]" in got.stderr and "edited after the plan was made" in got.stderr


def test_a_resource_swapped_in_is_exit_3(plan_file: Path) -> None:
    _edit(plan_file, lambda d: d["actions"][1]["resources"][0].update(id="i-prod-db"))
    assert lepton("apply", str(plan_file)).exit_code == 3


def test_a_step_on_a_foreign_resource_is_exit_3(plan_file: Path) -> None:
    step = {"op": "terminate", "resource": {"id": "i-other", "provider": "aws"}}
    _edit(plan_file, lambda d: d["actions"][1].update(steps=[step]))
    got = lepton("apply", str(plan_file))
    assert got.exit_code == 3 and "i-other" in got.stderr


def test_a_malformed_digest_is_exit_3(plan_file: Path) -> None:
    _edit(plan_file, lambda d: d["metadata"].update(inputs_digest="sha256:abc"))
    assert lepton("apply", str(plan_file)).exit_code == 3


def test_an_unknown_only_id_is_a_usage_error(plan_file: Path) -> None:
    got = lepton("apply", str(plan_file), "--only", "terminate-0000000000")
    assert got.exit_code == 2 and "no action with that id" in got.stderr


def test_resume_without_a_journal_is_exit_3(plan_file: Path, tmp_path: Path) -> None:
    got = lepton("apply", str(plan_file), "--resume", "--journal", str(tmp_path / "none.jsonl"))
    assert got.exit_code == 3 and "no journal to resume" in got.stderr


def test_a_journal_of_another_plan_is_exit_3(plan_file: Path, tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text(json.dumps({"event": "start", "plan": "sha256:" + "1" * 64}) + "\n")
    got = lepton("apply", str(plan_file), "--yes", "--journal", str(journal))
    assert got.exit_code == 3 and "another plan" in got.stderr


def test_a_provider_apply_cannot_change_is_refused_not_run(tmp_path: Path) -> None:
    ref = instance("vm-7", "onprem", "dc1", "rack-2", "big")
    p = write(plan([action(ActionKind.TERMINATE, [ref])]), tmp_path / "plan.yaml")
    got = lepton("apply", str(p), "--format", "json")
    assert got.exit_code == 7
    assert "cannot change onprem resources" in json.loads(got.stdout)["steps"][0]["detail"]


def test_rollback_without_a_journal_file_is_exit_3(tmp_path: Path) -> None:
    assert lepton("apply", "--rollback", str(tmp_path / "nope.jsonl")).exit_code == 3


# ---------------------------------------------------------------- steps


def test_steps_the_plan_carries_are_used_as_they_are() -> None:
    a = action(ActionKind.RIGHTSIZE, [i("i-1"), i("i-2")], to("m5.large", 1), "web")
    explicit = [Step(op=StepOp.TERMINATE, resource=i("i-2")), Step(op=StepOp.RESIZE,
                resource=i("i-1"), to=to("m5.large"))]  # fmt: skip
    steps = plan_steps(a.model_copy(update={"steps": explicit}))
    assert [(s.op, s.resource and s.resource.id, s.automated) for s in steps] == [
        (StepOp.TERMINATE, "i-2", True),
        (StepOp.RESIZE, "i-1", True),
    ]


def test_a_rightsize_to_fewer_resizes_then_removes() -> None:
    a = action(ActionKind.RIGHTSIZE, [i("i-1"), i("i-2")], to("m5.2xlarge", 1), "web")
    assert [(s.op, s.resource and s.resource.id, s.automated) for s in plan_steps(a)] == [
        (StepOp.RESIZE, "i-1", True),
        (StepOp.TERMINATE, "i-2", True),
    ]


def test_a_rightsize_to_more_launches_by_hand_and_holds_nothing_else() -> None:
    a = action(ActionKind.RIGHTSIZE, [i("i-1")], to("m5.large", 3), "web")
    steps = plan_steps(a)
    assert [(s.op, s.automated) for s in steps] == [(StepOp.RESIZE, True), (StepOp.LAUNCH, False)]
    assert steps[1].to is not None and steps[1].to.count == 2


def test_a_move_is_manual_from_end_to_end() -> None:
    a = action(ActionKind.MOVE, [i("i-1")], to("n2-standard-4", 1, "gcp", "us-central1"), "web")
    steps = plan_steps(a)
    assert [(s.op, s.automated) for s in steps] == [
        (StepOp.LAUNCH, False),
        (StepOp.TERMINATE, False),
    ]
    assert "once the new instances serve" in (steps[1].manual_reason or "")


def test_scale_up_and_convert_pricing_are_manual() -> None:
    up = plan_steps(action(ActionKind.SCALE_UP, [], to("m5.large", 2), "web"))
    convert = plan_steps(action(ActionKind.CONVERT_PRICING, [i("i-1")], to("m5.xlarge"), "web"))
    assert [s.automated for s in up + convert] == [False, False]


# ---------------------------------------------------------------- journal


def test_a_torn_last_line_is_ignored_and_a_bad_middle_line_is_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.open(path)
    log = StepLog(journal, "a/0", {"op": "stop"})
    assert log.intent(power="running") == {"power": "running"}
    log.mark("stopped")
    with path.open("a") as f:
        f.write('{"event": "done", "st')  # the crash came mid-write
    again = Journal.open(path)
    assert not again.is_done("a/0")
    assert StepLog(again, "a/0", {}).intent(power="stopped") == {"power": "running"}
    assert StepLog(again, "a/0", {}).did("stopped")
    path.write_text('{"event": "start"}\nnot json\n{"event": "start"}\n')
    with pytest.raises(InputError, match=":2: not a journal line"):
        Journal.open(path)


INVENTORY = """\
apiVersion: lepton/v1
kind: Inventory
currency: USD
resources:
  - {id: vm-idle, provider: onprem, account: dc1, region: rack-2, type: big, hourly_cost: 0.5,
     vcpus: 4, memory_gib: 16, state: running,
     utilization: {cpu_avg: 0.01, cpu_p95: 0.01, memory_p95: 0.1, days: 14}}
offerings:
  - {provider: onprem, region: rack-2, type: big, vcpus: 4, memory_gib: 16,
     prices: {on-demand: 0.5}}
"""


def test_source_checks_the_inputs_digest_before_anything(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(INVENTORY)
    plan_path = tmp_path / "plan.yaml"
    made = lepton("optimize", "--source", str(inventory), "-o", str(plan_path))
    assert made.exit_code == 0, made.stderr
    same = lepton("apply", str(plan_path), "--source", str(inventory))
    assert "inputs changed" not in same.stderr
    assert "cannot change onprem resources" in same.stderr  # it went on to the live checks
    inventory.write_text(INVENTORY.replace("hourly_cost: 0.5", "hourly_cost: 0.6"))
    changed = lepton("apply", str(plan_path), "--source", str(inventory), "--yes")
    assert changed.exit_code == 7
    assert "inputs changed since the plan was made" in changed.stderr


def test_two_applies_never_share_a_journal_at_once(plan_file: Path, tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "j.jsonl")
    with journal.locked():
        got = lepton("apply", str(plan_file), "--yes", "--journal", str(journal.path))
    assert got.exit_code == 2 and "another lepton apply" in got.stderr
