"""`lepton report` over FOCUS exports: the CLI face of aggregate()."""

from __future__ import annotations

import json

from helpers import run


def test_report_json_carries_exact_decimal_strings(corpus):
    path = corpus / "focus" / "focus_1.0_sample_1000.csv"
    result = run("report", "--source", path, "--by", "provider", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["apiVersion"], doc["kind"]) == ("lepton/v1", "Report")
    billed = {row["provider"]: row["billed_cost"] for row in doc["rows"]}
    assert {k: float(v) for k, v in billed.items()} == {
        "AWS": 18.0066386184,
        "Microsoft": 1.97651418586,
        "Oracle": 0.53707392473,
    }
    assert billed["AWS"].rstrip("0") == "18.0066386184"


def test_report_mixed_currencies_one_row_each(write_focus):
    path = write_focus(
        "mixed.csv",
        [{"BilledCost": "3", "BillingCurrency": "EUR"}, {"BilledCost": "2"}, {"BilledCost": "2"}],
    )
    result = run("report", "--source", path, "--by", "provider", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [(r["currency"], r["billed_cost"].rstrip("0").rstrip(".")) for r in rows] == [
        ("USD", "4"),
        ("EUR", "3"),
    ]
