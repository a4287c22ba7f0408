"""Each export counted once: the latest delivery of a (provider, billing account, billing
period) wins, superseded files are named, different files never merge; a path is never a glob;
native exports are refused with the way to FOCUS (issue #11.6, #11.8; #10.7)."""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal

import pytest

from helpers import run
from lepton_cli.billing.engine import Notes
from lepton_cli.billing.query import aggregate
from lepton_cli.errors import InputError


def days(first: int, last: int, cost: str = "10", **extra: str) -> list[dict[str, str]]:
    """One charge per October day ``first``..``last``."""
    return [
        {"BilledCost": cost, "ChargePeriodStart": f"2026-10-{d:02d}T00:00:00Z", **extra}
        for d in range(first, last + 1)
    ]


def total(paths, notes=None) -> Decimal:
    rows = aggregate(paths, [], notes=notes)
    return sum((r.billed_cost for r in rows), Decimal(0))


def test_month_to_date_snapshots_in_one_folder_count_once(write_focus, tmp_path):
    early = write_focus("exports/focus-2026-10-05.csv", days(1, 5))
    late = write_focus("exports/focus-2026-10-12.csv", days(1, 12))
    os.utime(early, (1_000_000, 1_000_000))
    notes = Notes()
    assert total([tmp_path / "exports"], notes) == Decimal(12 * 10)  # not 170
    (superseded,) = notes.superseded
    assert (superseded.path, superseded.by) == (early, (late,))
    assert "superseded by" in notes.lines()[0] and "2026-10" in notes.lines()[0]


def test_a_re_delivery_of_the_same_span_wins_by_modification_time(write_focus, tmp_path):
    first = write_focus("a/export.csv", days(1, 3, "10"))
    second = write_focus("b/export.csv", days(1, 3, "11"))
    os.utime(first, (1_000_000, 1_000_000))
    os.utime(second, (2_000_000, 2_000_000))
    assert total([first, second]) == Decimal(3 * 11)


def test_the_same_file_given_twice_is_read_once(write_focus, tmp_path):
    path = write_focus("exports/oct.csv", days(1, 3))
    notes = Notes()
    assert total([path, path, tmp_path / "exports"], notes) == Decimal(30)
    assert notes.duplicates == [path, path]


def test_a_copy_under_another_name_counts_once(write_focus, tmp_path):
    path = write_focus("oct.csv", days(1, 3))
    copy = tmp_path / "oct (1).csv"
    shutil.copy(path, copy)
    assert total([path, copy]) == Decimal(30)


def test_daily_incremental_files_are_all_counted(write_focus, tmp_path):
    for d in range(1, 6):
        write_focus(f"daily/{d:02d}.csv", days(d, d, str(d)))
    notes = Notes()
    assert total([tmp_path / "daily"], notes) == Decimal(1 + 2 + 3 + 4 + 5)
    assert notes.superseded == []


def test_parts_of_one_delivery_are_all_counted(write_focus, tmp_path):
    write_focus("run/part_0_0001.csv", days(1, 10, "1"))
    write_focus("run/part_0_0002.csv", days(1, 10, "2"))
    write_focus("aws/focus-00001.csv.gz", days(1, 10, "4", BillingAccountId="9"))
    write_focus("aws/focus-00002.csv.gz", days(1, 10, "8", BillingAccountId="9"))
    assert total([tmp_path / "run", tmp_path / "aws"]) == Decimal(10 * (1 + 2 + 4 + 8))


def test_different_accounts_months_and_providers_never_merge(write_focus):
    a = write_focus("a.csv", days(1, 3))
    b = write_focus("b.csv", days(1, 3, BillingAccountId="other"))
    c = write_focus("c.csv", days(1, 3, ProviderName="Microsoft"))
    d = write_focus(
        "d.csv",
        [
            {
                "BilledCost": "10",
                "BillingPeriodStart": "2026-11-01T00:00:00Z",
                "ChargePeriodStart": "2026-10-01T00:00:00Z",
            }
        ],
    )
    notes = Notes()
    assert total([a, b, c, d], notes) == Decimal(30 + 30 + 30 + 10)
    assert notes.superseded == []


def test_only_the_overlapping_key_of_a_mixed_file_is_superseded(write_focus):
    old = write_focus("old.csv", [*days(1, 3), *days(1, 3, BillingAccountId="B")])
    new = write_focus("new.csv", days(1, 4, "1"))
    os.utime(old, (1_000_000, 1_000_000))
    # Account 111122223333: new (1..4) supersedes old (1..3); account B only exists in old.
    assert total([old, new]) == Decimal(4 * 1 + 3 * 10)


def test_cli_names_superseded_files(write_focus, tmp_path):
    write_focus("exports/focus-2026-10-05.csv", days(1, 5))
    write_focus("exports/focus-2026-10-12.csv", days(1, 12))
    os.utime(tmp_path / "exports" / "focus-2026-10-05.csv", (1_000_000, 1_000_000))
    result = run("report", "-s", tmp_path / "exports", "--by", "provider", "-f", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["rows"][0]["billed_cost"] == "120"
    assert doc["superseded"][0]["file"].endswith("focus-2026-10-05.csv")
    assert "superseded by" in result.stderr


def test_a_path_with_glob_characters_reads_that_file_only(write_focus, tmp_path):
    literal = write_focus("g/*.csv", days(1, 1, "3"))
    write_focus("g/other.csv", days(1, 1, "100", BillingAccountId="X"))
    write_focus("g/[ab].csv", days(1, 1, "7", BillingAccountId="Y"))
    assert total([literal]) == Decimal(3)
    assert total([tmp_path / "g" / "[ab].csv"]) == Decimal(7)
    result = run("report", "-s", literal, "-f", "json")
    assert result.exit_code == 0, result.output
    assert [r["billed_cost"] for r in json.loads(result.stdout)["rows"]] == ["3"]


# --- 8. native exports -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "what", "how"),
    [
        ("cur/aws_cur_legacy_sample_anonymous.csv", "AWS Cost and Usage Report", "Data Exports"),
        ("exports/azure/azure_ea_actualcost_small.csv", "Azure cost details", "FocusCost"),
        ("exports/azure/azure_ea_amortizedcost_small.csv", "Azure cost details", "FocusCost"),
        ("exports/azure/azure_ea_export_sample_anonymous.csv", "Azure cost details", "FOCUS"),
        ("exports/oci/oci_cost_report_sample.csv", "OCI cost report", "FOCUS Reports"),
    ],
)
def test_corpus_native_exports_are_named_and_refused(corpus, relative, what, how):
    path = corpus / relative
    with pytest.raises(InputError) as info:
        aggregate([path], ["provider"])
    assert str(path) in info.value.message and what in info.value.message
    assert "not a FOCUS export" in info.value.message
    assert how in (info.value.hint or "")
    result = run("report", "-s", path)
    assert result.exit_code == 3 and what in result.stderr


@pytest.mark.parametrize(
    ("header", "what"),
    [
        (
            "identity_line_item_id,line_item_usage_start_date,line_item_unblended_cost",
            "AWS CUR 2.0",
        ),
        ("billing_account_id,service_description,usage_start_time,cost,currency", "GCP BigQuery"),
    ],
)
def test_generated_native_headers_are_refused(tmp_path, header, what):
    path = tmp_path / "native.csv"
    path.write_text(header + "\n" + ",".join(["1"] * len(header.split(","))) + "\n")
    with pytest.raises(InputError, match=what):
        aggregate([path], [])
