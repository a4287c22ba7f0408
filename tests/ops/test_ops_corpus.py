"""Budgets and anomalies over the real FOCUS 1.0 sample (LEPTON_CORPUS), against ground truth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lepton_cli.analysis.anomalies import AnomalySettings, find_anomalies
from lepton_cli.analysis.budgets import budget_report, parse_budgets
from lepton_cli.models import Period


def test_budget_actuals_match_the_billed_totals(corpus):
    sample = corpus / "focus" / "focus_1.0_sample_1000.csv"
    budgets = parse_budgets(
        [
            {"name": "aws", "amount": 20, "scope": "provider:AWS"},
            {"name": "microsoft", "amount": 1, "scope": "provider:Microsoft"},
        ]
    )
    report = budget_report([sample], budgets, Period.month("2024-09"))
    aws, microsoft = report.statuses
    # NOTES.md ground truth: BilledCost AWS 18.00663861840, Microsoft 1.97651418586
    assert aws.forecast.actual == Decimal("18.00663861840")
    assert microsoft.forecast.actual == Decimal("1.97651418586")
    assert report.as_of == dt.date(2024, 9, 30) and report.warnings == []
    assert aws.crossed("actual") == [0.8] and microsoft.crossed("actual") == [0.8, 1.0]


def test_anomalies_on_real_rows_name_their_resources(corpus):
    sample = corpus / "focus" / "focus_1.0_sample_1000.csv"
    report = find_anomalies([sample], ["service", "account"], 14,
                            AnomalySettings(min_delta=Decimal("0.5")))  # fmt: skip
    assert report.anomalies, "the sample has an EC2 spike on 2024-09-18"
    spike = next(a for a in report.anomalies if a.day == dt.date(2024, 9, 18))
    assert spike.group["service"] == "Amazon Elastic Compute Cloud"
    assert spike.actual > spike.expected and spike.drivers
    deltas = [d.delta for d in spike.drivers]
    assert deltas == sorted(deltas, reverse=True) and min(deltas) > 0
