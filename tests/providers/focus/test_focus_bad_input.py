"""Bad FOCUS input: InputError naming the file and the problem, with a hint; exit 3 in the CLI."""

from __future__ import annotations

import gzip

import pytest
from focus_fixtures import COLUMNS

from helpers import run
from lepton_cli.billing.query import aggregate, resource_costs
from lepton_cli.errors import ExitCode, InputError


def fails(paths, *needles, by=("service",)):
    with pytest.raises(InputError) as info:
        aggregate(paths, by)
    error = info.value
    for needle in needles:
        assert needle in error.message, error.message
    assert error.hint
    assert error.exit_code is ExitCode.INVALID_INPUT
    return error


def test_missing_file(tmp_path):
    fails([tmp_path / "nope.csv"], "nope.csv", "no such file or folder")


def test_folder_with_nothing_readable(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    (folder / "empty.csv").write_text("")
    fails([folder], "exports", "no readable FOCUS file")


@pytest.mark.parametrize("missing", ["BilledCost", "BillingCurrency", "ChargePeriodStart"])
def test_missing_mandatory_column_is_named(write_focus, missing):
    path = write_focus("short.csv", [{}], [c for c in COLUMNS if c != missing])
    fails([path], "short.csv", f"missing mandatory FOCUS column {missing}")


def test_missing_provider_column_names_both_spellings(write_focus):
    path = write_focus("noprov.csv", [{}], [c for c in COLUMNS if c != "ProviderName"])
    fails([path], "noprov.csv", "ProviderName (or ServiceProviderName")


def test_header_only_file_is_empty(write_focus):
    path = write_focus("header.csv", [])
    fails([path], "header.csv", "the FOCUS file is empty")


def test_zero_byte_file_is_empty(tmp_path):
    path = tmp_path / "zero.csv"
    path.write_bytes(b"")
    fails([path], "zero.csv", "the FOCUS file is empty")


def test_empty_gzip_is_empty(tmp_path):
    path = tmp_path / "zero.csv.gz"
    path.write_bytes(gzip.compress(b""))
    fails([path], "zero.csv.gz", "empty")


def test_empty_files_inside_a_folder_are_skipped(tmp_path, write_focus):
    write_focus("exports/header.csv", [])
    write_focus("exports/day.csv", [{"BilledCost": "2"}])
    (tmp_path / "exports" / "zero.csv").write_bytes(b"")
    (row,) = aggregate([tmp_path / "exports"], [])
    assert str(row.billed_cost).startswith("2")


@pytest.mark.parametrize(
    ("column", "value", "expected", "by"),
    [
        ("BilledCost", "12,50", "not a decimal number", ["service"]),
        ("EffectiveCost", "n/a", "not a decimal number", ["service"]),
        # Timestamps are read when a query needs them (here to group by day).
        ("ChargePeriodStart", "09/01/2024", "not an RFC 3339 date-time", ["day"]),
        ("BillingPeriodStart", "Sept 2024", "not an RFC 3339 date-time", ["month"]),
    ],
)
def test_bad_value_names_column_and_value(write_focus, column, value, expected, by):
    path = write_focus("bad.csv", [{}, {column: value}, {}])
    error = fails(
        [path], "bad.csv", "row 2 (line 3)", f"column {column}", expected, repr(value), by=by
    )
    assert "Traceback" not in str(error)


def test_bad_tags_json_names_the_column(write_focus):
    path = write_focus("tags.csv", [{"Tags": "{team: payments"}])
    with pytest.raises(InputError, match=r"row 1 \(line 2\), column Tags: .* is not a JSON object"):
        aggregate([path], ["tag:team"])


def test_bad_tags_in_inventory_name_the_row(write_focus):
    path = write_focus("tags.csv", [{}, {"Tags": "[1, 2]", "ResourceId": "vm-7"}])
    with pytest.raises(InputError, match=r"tags.csv: row 2 \(line 3\), column Tags: '\[1, 2\]'"):
        resource_costs([path])


def test_unsupported_file_type_given_by_name(tmp_path):
    path = tmp_path / "bill.xlsx"
    path.write_bytes(b"PK\x03\x04")
    fails([path], "bill.xlsx", "not a FOCUS export")


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    fails([path], "broken.parquet", "cannot be read as a FOCUS export")


def test_cli_report_exits_3_with_message_and_hint(write_focus):
    path = write_focus("short.csv", [{}], [c for c in COLUMNS if c != "BilledCost"])
    result = run("report", "--source", path, "--by", "service")
    assert result.exit_code == 3, result.output
    assert "missing mandatory FOCUS column BilledCost" in result.stderr
    assert "To fix:" in result.stderr
    assert "Traceback" not in result.output


def test_cli_report_non_numeric_cost_exits_3(write_focus):
    path = write_focus("bad.csv", [{"BilledCost": "abc"}])
    result = run("report", "--source", path, "--by", "service", "--format", "json")
    assert result.exit_code == 3, result.output
    assert "column BilledCost" in result.stderr
    assert result.stdout == ""
