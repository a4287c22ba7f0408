"""Inventories stream: resources and workloads validated item by item, same models as the
whole-tree read, under every rule of the hardened loader, errors naming the item's line."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from lepton_cli.errors import InputError
from lepton_cli.fileio import validate
from lepton_cli.models import Inventory
from lepton_cli.providers.file import load_inventory_file, read_inventory_data
from lepton_cli.sources import load_inventory


def _resource(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "id": f"i-{i:06d}",
        "provider": rng.choice(["aws", "azure", "gcp"]),
        "account": str(rng.randint(10**11, 10**12 - 1)),
        "region": rng.choice(["us-east-1", "eastus", "us-central1"]),
        "kind": "compute",
        "type": rng.choice(["m5.large", "D4s_v5", "e2-standard-4"]),
        "pricing": rng.choice(["on-demand", "spot"]),
        "hourly_cost": round(rng.uniform(0.01, 3.0), 4),
        "vcpus": rng.choice([2, 4, 8]),
        "memory_gib": rng.choice([4, 8, 16, 32]),
        "utilization": {"cpu_p95": round(rng.random(), 3), "memory_p95": 0.5, "days": 14},
        "tags": {"team": rng.choice(["pay", "web", "ml"]), "workload": f"w{i % 40}"},
    }


def _doc(n: int, seed: int = 3) -> dict[str, Any]:
    rng = random.Random(seed)
    return {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "currency": "USD",
        "resources": [_resource(rng, i) for i in range(n)],
        "workloads": [
            {"name": f"w{i}", "min_replicas": rng.randint(1, 3), "max_spot_share": 0.25}
            for i in range(40)
        ],
        "offerings": [
            {"provider": "aws", "region": "us-east-1", "type": "x9.large", "vcpus": 2,
             "memory_gib": 8, "prices": {"on-demand": 0.05}}
        ],
    }  # fmt: skip


def _whole_tree(path: Path) -> Inventory:
    """Today's path: the whole document parsed, then validated at once."""
    return validate(Inventory, read_inventory_data(path), str(path))


# About 2 MB of JSON: the reader's 1 MiB buffer is refilled, mid-item.
BIG = 5000


@pytest.mark.parametrize("style", ["yaml", "json-indented", "json-one-line"])
def test_streamed_models_are_the_whole_tree_models(tmp_path: Path, style: str) -> None:
    doc = _doc(BIG)
    path = tmp_path / ("inv.yaml" if style == "yaml" else "inv.json")
    if style == "yaml":
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    else:
        path.write_text(json.dumps(doc, indent=1 if style == "json-indented" else None))
    streamed = load_inventory_file(path)
    assert streamed == _whole_tree(path)
    assert [r.id for r in streamed.resources] == [r["id"] for r in doc["resources"]]
    assert len(streamed.workloads) == 40 and len(streamed.offerings) == 1


def test_yaml_aliases_across_items_and_anchored_lists(tmp_path: Path) -> None:
    text = (
        "apiVersion: lepton/v1\nkind: Inventory\nresources:\n"
        "- {id: a, provider: aws, account: '1', region: us-east-1, kind: compute,\n"
        "   hourly_cost: 0.1, vcpus: 2, memory_gib: 8, tags: &t {workload: web}}\n"
        "- {id: b, provider: aws, account: '1', region: us-east-1, kind: compute,\n"
        "   hourly_cost: 0.1, vcpus: 2, memory_gib: 8, tags: *t}\n"
        "workloads: &w [{name: web}]\n"
    )
    path = tmp_path / "inv.yaml"
    path.write_text(text)
    inv = load_inventory_file(path)
    assert inv == _whole_tree(path)
    assert inv.resources[1].tags == {"workload": "web"} and inv.workloads[0].name == "web"


def _bad_at(doc: dict[str, Any], index: int) -> dict[str, Any]:
    doc["resources"][index]["vcpus"] = -4
    return doc


def test_a_bad_item_deep_in_a_yaml_stream_names_its_line(tmp_path: Path) -> None:
    index = BIG - 7
    text = yaml.safe_dump(_bad_at(_doc(BIG), index), sort_keys=False)
    line = text.splitlines().index(f"- id: i-{index:06d}") + 1
    path = tmp_path / "inv.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_inventory_file(path)
    assert f"inv.yaml: resources[{index}].vcpus (line {line}):" in e.value.message


def test_a_bad_item_deep_in_a_json_stream_names_its_line(tmp_path: Path) -> None:
    index = BIG - 11
    text = json.dumps(_bad_at(_doc(BIG), index), indent=1)
    lines = text.splitlines()
    line = lines.index(f'   "id": "i-{index:06d}",')  # the item's "{" is the line before
    assert lines[line - 1].strip() == "{"
    path = tmp_path / "inv.json"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_inventory_file(path)
    assert f"inv.json: resources[{index}].vcpus (line {line}):" in e.value.message


@pytest.mark.parametrize("one_line", [False, True])
def test_json_syntax_errors_past_the_first_buffer_name_the_files_line_and_column(
    tmp_path: Path, one_line: bool
) -> None:
    text = json.dumps(_doc(BIG), indent=None if one_line else 1)
    cut = text.index('"i-004500"')
    broken = text[:cut] + "'i-004500'" + text[cut + 10 :]  # single quotes: not JSON
    with pytest.raises(json.JSONDecodeError) as want:
        json.loads(broken)
    path = tmp_path / "inv.json"
    path.write_text(broken)
    with pytest.raises(InputError) as e:
        load_inventory_file(path)
    where = f"line {want.value.lineno}, column {want.value.colno}"
    assert f"invalid JSON at {where}" in e.value.message


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("dup.json", '{"apiVersion": "lepton/v1", "kind": "Inventory", "resources": [],\n'
         ' "resources": []}', ("duplicate key 'resources'", "line 2")),
        ("dup.yaml", "apiVersion: lepton/v1\nkind: Inventory\nworkloads: []\nworkloads: []\n",
         ("duplicate key 'workloads'", "line 4")),
        ("item-dup.json", '{"apiVersion": "lepton/v1", "kind": "Inventory",\n "workloads": [\n'
         '  {"name": "a"},\n  {"name": "b", "name": "c"}]}', ("duplicate key 'name'", "line 4")),
        ("item-dup.yaml", "apiVersion: lepton/v1\nkind: Inventory\nworkloads:\n- name: a\n"
         "- {name: b,\n   name: c}\n", ("duplicate key 'name'", "line 6")),
        ("nan.json", '{"apiVersion": "lepton/v1", "kind": "Inventory", "workloads": [\n'
         '{"name": "a", "max_scale": NaN}]}', ("workloads[0].max_scale (line 2)",)),
        ("deep.yaml", "apiVersion: lepton/v1\nkind: Inventory\nresources:\n- tags: "
         + "[" * 70 + "]" * 70 + "\n", ("nested deeper than 64 levels",)),
        ("deep.json", '{"resources": [{"tags": ' + "[" * 70 + "]" * 70 + "}]}",
         ("nested too deeply",)),
        ("trailing.json", '{"apiVersion": "lepton/v1", "kind": "Inventory", "workloads": '
         '[{"name": "a"},]}', ("invalid JSON at line 1",)),
        ("extra.json", '{"apiVersion": "lepton/v1", "kind": "Inventory"} {}', ("Extra data",)),
        ("two-docs.yaml", "apiVersion: lepton/v1\nkind: Inventory\n---\nkind: Inventory\n",
         ("found another document",)),
        ("header-last.yaml", "resources:\n- {id: 5}\napiVersion: lepton/v2\nkind: Inventory\n",
         ("apiVersion 'lepton/v2'",)),
        ("list.json", "[1, 2]", ("expected a mapping at the top level",)),
        ("empty.yaml", "", ("expected a mapping at the top level",)),
    ],
)  # fmt: skip
def test_streamed_reads_keep_every_rule(tmp_path: Path, name: str, text: str, words) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_inventory_file(path)
    for word in words:
        assert word in e.value.message, e.value.message


def test_alias_expansion_is_counted_over_the_whole_stream(tmp_path: Path) -> None:
    """Each item alone is small; together they expand past the limit (a billion laughs
    spread over the items of a list)."""
    head = "apiVersion: lepton/v1\nkind: Inventory\nworkloads:\n"
    body = "- name: a\n  requires: {gpu_models: &x [" + ", ".join(["g"] * 1000) + "]}\n"
    body += "".join(f"- {{name: b{i}, requires: {{gpu_models: *x}}}}\n" for i in range(1100))
    path = tmp_path / "inv.yaml"
    path.write_text(head + body)
    with pytest.raises(InputError, match="aliases expand to more than 1,000,000 values"):
        load_inventory_file(path)


def test_duplicate_resources_in_one_streamed_file_name_both_places(tmp_path: Path) -> None:
    doc = _doc(30)
    doc["resources"][21] = dict(doc["resources"][4])
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as e:
        load_inventory([path])
    assert "resources[21] repeats" in e.value.message
    assert "resources[4]" in e.value.message
