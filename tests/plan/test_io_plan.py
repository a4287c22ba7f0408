"""Plan files: round trip, byte-identical output, clear errors, the inputs digest."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from test_build_plan import inventory_doc, make_plan, write

from lepton_cli.errors import InputError
from lepton_cli.models import Inventory
from lepton_cli.plan.io import inputs_digest, load_plan, plan_to_yaml, save_plan


def test_round_trip(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    path = tmp_path / "plan.yaml"
    save_plan(plan, path)
    assert load_plan(path) == plan
    assert path.read_text() == plan_to_yaml(plan)


def test_same_inputs_give_byte_identical_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first, _ = make_plan(tmp_path)
    second, _ = make_plan(tmp_path)
    assert plan_to_yaml(first) == plan_to_yaml(second)
    assert "created: 2026-01-01 00:00:00+00:00" in plan_to_yaml(first)
    assert first.solver.seconds == 0.0


def test_truncated_plan_names_the_file_and_key(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    text = plan_to_yaml(plan)
    path = tmp_path / "cut.yaml"
    path.write_text(text[: text.index("summary:")])
    with pytest.raises(InputError, match=r"cut\.yaml: summary: Field required"):
        load_plan(path)


def test_bad_value_names_its_yaml_path(tmp_path: Path) -> None:
    plan, _ = make_plan(tmp_path)
    data = yaml.safe_load(plan_to_yaml(plan))
    data["actions"][0]["kind"] = "explode"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"bad\.yaml: actions\[0\]\.kind"):
        load_plan(path)


def test_newer_api_version_says_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "v2.yaml"
    path.write_text("apiVersion: lepton/v2\nkind: Plan\n")
    with pytest.raises(InputError, match="newer than this lepton") as info:
        load_plan(path)
    assert info.value.hint is not None and "upgrade" in info.value.hint


def test_not_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    write(path)
    with pytest.raises(InputError, match="kind: expected Plan"):
        load_plan(path)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(InputError, match="not a lepton plan"):
        load_plan(empty)


def test_digest_ignores_order_and_sees_changes() -> None:
    doc = inventory_doc()
    inv = Inventory.model_validate(doc)
    shuffled = Inventory.model_validate({**doc, "resources": doc["resources"][::-1]})
    options = {"objective": "cost", "budget": Decimal("40000"), "headroom": 0.2}
    digest = inputs_digest(inv, inv.offerings, options)
    assert digest.startswith("sha256:") and len(digest) == 7 + 64
    assert inputs_digest(shuffled, inv.offerings[::-1], options) == digest
    assert inputs_digest(inv, inv.offerings, {**options, "budget": Decimal("40000.0")}) == digest
    assert inputs_digest(inv, inv.offerings, {**options, "budget": Decimal("40001")}) != digest
    changed = Inventory.model_validate({**doc, "resources": doc["resources"][1:]})
    assert inputs_digest(changed, inv.offerings, options) != digest
