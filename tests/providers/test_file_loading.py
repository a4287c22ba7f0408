"""The file provider's fast path: libyaml for YAML, the JSON parser for JSON, same results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from lepton_cli.errors import InputError
from lepton_cli.providers.file import load_inventory_file, read_inventory_data

DOC = {
    "apiVersion": "lepton/v1",
    "kind": "Inventory",
    "resources": [
        {"id": f"i-{i}", "provider": "aws", "account": "1", "region": "us-east-1",
         "kind": "compute", "type": "m5.large", "hourly_cost": 0.096, "vcpus": 2,
         "memory_gib": 8, "tags": {"workload": f"w{i % 3}"}}
        for i in range(50)
    ],
    "workloads": [{"name": "w0", "demand": {"vcpu": 4.5, "memory_gib": 12}, "min_replicas": 2}],
}  # fmt: skip


def test_yaml_and_json_give_the_inventory_the_pure_python_parser_gives(tmp_path: Path) -> None:
    y = tmp_path / "inv.yaml"
    y.write_text("\ufeff" + yaml.safe_dump(DOC), encoding="utf-8")  # a BOM is fine too
    j = tmp_path / "inv.json"
    j.write_text(json.dumps(DOC), encoding="utf-8")
    assert read_inventory_data(y) == yaml.safe_load(yaml.safe_dump(DOC)) == DOC
    assert load_inventory_file(y) == load_inventory_file(j)
    assert len(load_inventory_file(j).resources) == 50


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    j = tmp_path / "inv.json"
    j.write_text('{\n  "apiVersion": "lepton/v1",\n  "kind": }\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"inv.json: invalid JSON at line 3, column 11"):
        load_inventory_file(j)


def test_bad_yaml_names_line_and_column(tmp_path: Path) -> None:
    y = tmp_path / "inv.yaml"
    y.write_text("apiVersion: lepton/v1\nkind: [Inventory\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"inv.yaml: invalid YAML at line 3"):
        load_inventory_file(y)


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_inventory_file(tmp_path / "nope.yaml")
