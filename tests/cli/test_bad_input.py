"""Each kind of bad input: a clear message naming the file and key, exit 3, no traceback."""

from __future__ import annotations

import pytest

from helpers import run, vm, write_inventory


def check(result, code, *needles):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_missing_file(tmp_path):
    check(run("scan", "-s", tmp_path / "nope.yaml"), 3, "nope.yaml: no such file", "To fix:")


def test_directory_with_nothing_readable(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "notes.txt").write_text("hi")
    check(run("scan", "-s", tmp_path / "d"), 3, "nothing lepton can read here", "To fix:")


def test_invalid_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: lepton/v1\nkind: Inventory\nresources: [\n  - {id: a\n")
    check(run("scan", "-s", bad), 3, "bad.yaml: invalid YAML at line", "To fix:")


@pytest.mark.parametrize(
    ("header", "needle"),
    [
        ("apiVersion: lepton/v2\nkind: Inventory\n", "apiVersion 'lepton/v2'"),
        ("apiVersion: lepton/v1\nkind: Plan\n", "kind 'Plan'"),
        ("- 1\n- 2\n", "expected a mapping"),
    ],
)
def test_wrong_api_version_or_kind(tmp_path, header, needle):
    bad = tmp_path / "inv.yaml"
    bad.write_text(header)
    check(run("scan", "-s", bad), 3, needle, "To fix:")


@pytest.mark.parametrize(
    ("resource", "path", "hint"),
    [
        (vm("a", hourly_cots=1), "resources[3].hourly_cots", "remove the key"),
        (vm("a", hourly_cost=-0.5), "resources[3].hourly_cost", "correct the value"),
        (vm("a", utilization={"cpu_p95": 1.7}), "resources[3].utilization.cpu_p95", "correct"),
        (vm("a", pricing="cheap"), "resources[3].pricing", "correct the value"),
    ],
)
def test_bad_key_is_named_by_its_yaml_path(tmp_path, resource, path, hint):
    inv = write_inventory(tmp_path / "inv.yaml", [vm("x"), vm("y"), vm("z"), resource])
    check(run("scan", "-s", inv), 3, f"inv.yaml: {path}", hint)


def test_bad_period_is_a_usage_error(tmp_path):
    inv = write_inventory(tmp_path / "inv.yaml", [vm("x")])
    check(run("report", "-s", inv, "--period", "2026-13"), 2, "invalid period '2026-13'")


def test_bad_group_key_is_a_usage_error(tmp_path):
    inv = write_inventory(tmp_path / "inv.yaml", [vm("x")])
    check(run("report", "-s", inv, "--by", "colour"), 2, "cannot group by 'colour'")
