"""Budgets: the lepton.yaml section, scopes, shares, thresholds, over real FOCUS files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ops_builders import days, focus_row, write_focus

from lepton_cli.analysis.budgets import budget_report, parse_budgets, parse_scope
from lepton_cli.errors import InputError
from lepton_cli.models import Period


@pytest.mark.parametrize(
    ("raw", "filters", "label"),
    [
        ("total", {}, "total"),
        (None, {}, "total"),
        ("provider:aws", {"provider": "aws"}, "provider:aws"),
        ("service=Amazon EC2", {"service": "Amazon EC2"}, "service:Amazon EC2"),
        ("tag:team=payments", {"tag:team": "payments"}, "tag:team=payments"),
        ({"account": 111122223333}, {"account": "111122223333"}, "account:111122223333"),
        (
            {"tag": "team=payments", "provider": "AWS"},
            {"tag:team": "payments", "provider": "AWS"},
            "tag:team=payments, provider:AWS",
        ),
    ],
)
def test_scopes(raw, filters, label):
    scope = parse_scope(raw)
    assert (scope.filters, scope.label) == (filters, label)


def test_bad_budgets_name_the_key():
    with pytest.raises(InputError) as e:
        parse_budgets([{"name": "a", "amount": 10, "scope": "colour:blue"}])
    assert "budgets[0].scope" in e.value.message and "unknown scope dimension" in e.value.message
    with pytest.raises(InputError, match=r"budgets\[1\]\.amount"):
        parse_budgets([{"name": "a", "amount": 10}, {"name": "b", "amount": -1}])
    with pytest.raises(InputError, match="thresholds"):
        parse_budgets([{"name": "a", "amount": 10, "thresholds": {"actual": [0]}}])
    with pytest.raises(InputError, match="two budgets are named 'a'"):
        parse_budgets([{"name": "a", "amount": 10}, {"name": "a", "amount": 20}])


def _export(tmp_path):
    rows = []
    for d in days(dt.date(2026, 10, 1), 10):
        rows.append(focus_row(d, "100", tags={"team": "payments"}, resource="i-pay"))
        rows.append(focus_row(d, "50", service="Amazon S3", resource="bucket"))
        rows.append(
            focus_row(
                d,
                "20",
                provider="Microsoft",
                service="Virtual Machines",
                resource="vm-1",
                account="sub-1",
            )
        )
    return write_focus(tmp_path / "focus.csv", rows)


def test_status_shares_forecast_and_thresholds(tmp_path):
    budgets = parse_budgets(
        [
            {"name": "total", "amount": 6000},
            {"name": "payments", "amount": 1200, "scope": "tag:team=payments"},
            {
                "name": "azure",
                "amount": 1000,
                "scope": {"provider": "Microsoft"},
                "thresholds": {"actual": [0.5], "forecast": [0.5, 0.9]},
            },
        ]
    )
    report = budget_report([_export(tmp_path)], budgets)
    assert (report.month, report.as_of) == (Period.month("2026-10"), dt.date(2026, 10, 10))
    total, payments, azure = report.statuses
    assert total.forecast.actual == Decimal(1700) and total.forecast.forecast == Decimal(5270)
    assert payments.forecast.actual == Decimal(1000)
    assert payments.crossed("actual") == [0.8] and payments.crossed("forecast") == [1.0]
    assert payments.alerts() == ["actual ≥ 80%", "forecast ≥ 100%"]
    assert azure.forecast.forecast == Decimal(620)
    assert azure.crossed("actual") == [] and azure.crossed("forecast") == [0.5]
    assert total.alerts() == [] and report.warnings == []


def test_a_scope_that_matches_nothing_is_a_warning(tmp_path):
    budgets = parse_budgets([{"name": "gcp", "amount": 10, "scope": "provider:Google Cloud"}])
    report = budget_report([_export(tmp_path)], budgets)
    assert report.warnings == [
        "budget 'gcp': scope provider:Google Cloud matches no cost in the sources"
    ]
    assert report.statuses[0].forecast.actual == 0 and not report.statuses[0].matched


def test_other_currency_is_not_summed(tmp_path):
    path = write_focus(tmp_path / "cad.csv", [focus_row(dt.date(2026, 10, 1), "5", currency="CAD")])
    report = budget_report([path], parse_budgets([{"name": "t", "amount": 10}]))
    assert report.statuses[0].forecast.actual == 0
    assert "costs in its scope are in CAD" in report.warnings[0]


def test_a_month_without_data_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no cost billed in 2026-08") as e:
        budget_report([_export(tmp_path)], [], Period.month("2026-08"))
    assert "their billing months are 2026-10" in (e.value.hint or "")


def test_scope_dimensions_are_the_query_keys_but_time(tmp_path):
    from lepton_cli.billing.query import KEYS

    assert parse_scope("resource:i-pay").filters == {"resource": "i-pay"}
    for key in set(KEYS) - {"day", "month"}:
        assert parse_scope(f"{key}:x").filters == {key: "x"}
    with pytest.raises(ValueError, match="unknown scope dimension 'day'"):
        parse_scope("day:2026-10-01")
    report = budget_report(
        [_export(tmp_path)],
        parse_budgets([{"name": "pay", "amount": 10, "scope": "resource:i-pay"}]),
    )
    assert report.statuses[0].forecast.actual == Decimal(1000)


def test_only_the_budget_currency_is_counted(tmp_path):
    rows = [focus_row(dt.date(2026, 10, 1), "5", currency="CAD")]
    rows.append(focus_row(dt.date(2026, 10, 1), "7", currency="USD"))
    report = budget_report(
        [write_focus(tmp_path / "mixed.csv", rows)], parse_budgets([{"name": "t", "amount": 10}])
    )
    assert report.statuses[0].forecast.actual == Decimal(7) and report.warnings == []


def test_sources_without_cost_rows_are_an_input_error(tmp_path):
    empty = write_focus(tmp_path / "empty.csv", [])
    with pytest.raises(InputError, match="no cost rows"):
        budget_report([empty], parse_budgets([{"name": "t", "amount": 10}]))
