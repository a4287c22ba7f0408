"""Months follow the invoice: --period and --by month on BillingPeriodStart, --basis charge
splits spanning charges by hours, corrections count where they are invoiced (issue #11.1)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from focus_fixtures import COLUMNS

from lepton_cli.analysis.budgets import Budget, budget_report
from lepton_cli.billing.query import Basis, aggregate
from lepton_cli.models import Period

SAMPLE = ("focus", "focus_1.0_sample_1000.csv")


def corpus_sum(path: Path, where: dict[str, str], column: str = "BilledCost") -> Decimal:
    """Exact sum of ``column`` over rows whose values start with ``where``'s (Decimal, by hand)."""
    total = Decimal(0)
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if all(row[k].startswith(v) for k, v in where.items()) and row[column] != "NULL":
                total += Decimal(row[column])
    return total


def test_corpus_oracle_september_is_its_invoice(corpus):
    path = corpus.joinpath(*SAMPLE)
    invoice = corpus_sum(path, {"ProviderName": "Oracle", "BillingPeriodStart": "2024-09"})
    october = corpus_sum(path, {"ProviderName": "Oracle", "BillingPeriodStart": "2024-10"})
    assert invoice == Decimal("0.29707392473")  # not the 0.537 of every Oracle row
    rows = aggregate([path], ["provider"], Period.month("2024-09"))
    by_provider = {r.keys["provider"]: r.billed_cost for r in rows}
    assert by_provider["Oracle"] == invoice
    by_month = aggregate([path], ["provider", "month"])
    months = {(r.keys["provider"], r.keys["month"]): r.billed_cost for r in by_month}
    assert months[("Oracle", "2024-09")] == invoice
    assert months[("Oracle", "2024-10")] == october
    assert sum(months.values()) == Decimal("20.52022672899")


def test_period_and_month_agree_on_every_provider(corpus):
    path = corpus.joinpath(*SAMPLE)
    months = aggregate([path], ["provider", "month"])
    september = aggregate([path], ["provider"], Period.month("2024-09"))
    assert {r.keys["provider"]: r.billed_cost for r in september} == {
        r.keys["provider"]: r.billed_cost for r in months if r.keys["month"] == "2024-09"
    }


def test_a_purchase_invoiced_in_march_is_in_march(write_focus):
    path = write_focus(
        "saas.csv",
        [
            {
                "ChargeCategory": "Purchase",
                "BilledCost": "1200",
                "BillingPeriodStart": "2026-03-01T00:00:00Z",
                "BillingPeriodEnd": "2026-04-01T00:00:00Z",
                "ChargePeriodStart": "2026-02-15T00:00:00Z",
                "ChargePeriodEnd": "2026-02-16T00:00:00Z",
            },
        ],
    )
    (march,) = aggregate([path], [], Period.month("2026-03"))
    assert march.billed_cost == Decimal(1200)
    assert aggregate([path], [], Period.month("2026-02")) == []
    (by_charge,) = aggregate([path], [], Period.month("2026-02"), basis=Basis.CHARGE)
    assert by_charge.billed_cost == Decimal(1200)


def _spec_example(corpus: Path, tmp_path: Path, name: str) -> Path:
    """A spec example with the two mandatory columns it leaves out added (USD, one provider)."""
    source = corpus / "focus" / "spec-examples" / f"{name}.csv"
    with source.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if any(v.strip() for v in r.values())]
    target = tmp_path / f"{name}.csv"
    with target.open("w", newline="", encoding="utf-8") as f:
        fields = [*rows[0], "BillingCurrency", "ProviderName"]
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows({**r, "BillingCurrency": "USD", "ProviderName": "AWS"} for r in rows)
    return target


def test_charge_basis_splits_a_yearly_purchase_by_hours(corpus, tmp_path):
    path = _spec_example(corpus, tmp_path, "commitment_discount_purchase_scenario_1")
    billing = aggregate([path], ["month"])
    assert [(r.keys["month"], r.billed_cost) for r in billing] == [("2023-01", Decimal("8760"))]
    charge = {
        r.keys["month"]: r.billed_cost for r in aggregate([path], ["month"], basis=Basis.CHARGE)
    }
    # 8760.00 for 2023-01-01 .. 2024-01-01, 8760 hours: each month gets its hours in money.
    hours = {
        f"2023-{m:02d}": (dt.datetime(2023 + m // 12, m % 12 + 1, 1) - dt.datetime(2023, m, 1))
        / dt.timedelta(hours=1)
        for m in range(1, 13)
    }
    assert charge == {month: Decimal(int(h)) for month, h in hours.items()}
    assert charge["2023-01"] == 744 and charge["2023-02"] == 672
    (january,) = aggregate([path], [], Period.month("2023-01"), basis=Basis.CHARGE)
    assert january.billed_cost == Decimal(744)


def test_charge_basis_pieces_add_up_exactly(write_focus):
    path = write_focus(
        "span.csv",
        [
            {
                "BilledCost": "1",
                "ChargePeriodStart": "2026-09-30T00:00:00Z",
                "ChargePeriodEnd": "2026-10-03T00:00:00Z",
            }
        ],
    )
    charge = {
        r.keys["month"]: r.billed_cost for r in aggregate([path], ["month"], basis=Basis.CHARGE)
    }
    assert abs(charge["2026-09"] - Decimal(1) / 3) < Decimal("1e-10")
    assert sum(charge.values()) == Decimal(1)


def test_corrections_count_in_the_month_that_invoices_them(write_focus):
    october = {"BillingPeriodStart": "2026-10-01T00:00:00Z"}
    november = {"BillingPeriodStart": "2026-11-01T00:00:00Z"}
    path = write_focus(
        "corr.csv",
        [
            {**october, "BilledCost": "100", "ChargePeriodStart": "2026-10-05T00:00:00Z"},
            {
                **november,
                "BilledCost": "-7.25",
                "ChargeClass": "Correction",
                "ChargePeriodStart": "2026-10-05T00:00:00Z",
            },
            {**november, "BilledCost": "50", "ChargePeriodStart": "2026-11-02T00:00:00Z"},
        ],
        [*COLUMNS, "ChargeClass"],
    )
    (nov,) = aggregate([path], [], Period.month("2026-11"))
    assert (nov.billed_cost, nov.corrections) == (Decimal("42.75"), Decimal("-7.25"))
    (oct_,) = aggregate([path], [], Period.month("2026-10"))
    assert (oct_.billed_cost, oct_.corrections) == (Decimal(100), Decimal(0))
    (by_charge,) = aggregate([path], [], Period.month("2026-10"), basis=Basis.CHARGE)
    assert by_charge.billed_cost == Decimal("92.75")


def test_budget_actual_reconciles_with_the_billing_month(write_focus):
    november = {"BillingPeriodStart": "2026-11-01T00:00:00Z"}
    rows = [
        {**november, "BilledCost": "10", "ChargePeriodStart": f"2026-11-{d:02d}T00:00:00Z"}
        for d in range(1, 11)
    ]
    # Charged in October, invoiced in November: the budget counts it in November.
    rows.append({**november, "BilledCost": "-3", "ChargePeriodStart": "2026-10-20T00:00:00Z"})
    rows.append({"BilledCost": "1000", "ChargePeriodStart": "2026-10-20T00:00:00Z"})
    path = write_focus("budget.csv", rows)
    budget = Budget(name="total", amount=Decimal(1000))
    report = budget_report([path], [budget], Period.month("2026-11"))
    (status,) = report.statuses
    assert status.forecast.actual == Decimal(10 * 10 - 3)
    (invoice,) = aggregate([path], [], Period.month("2026-11"))
    assert status.forecast.actual == invoice.billed_cost
    assert report.as_of == dt.date(2026, 11, 10)
