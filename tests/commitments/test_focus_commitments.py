"""Commitments read from the FOCUS spec's worked examples (LEPTON_CORPUS); every expected figure
is worked out by hand from the CSV rows in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from lepton_cli.billing.commitments import read_commitments
from lepton_cli.commitments.status import status

CID = "<my-commitment-discount-id>"


def spec(corpus: Path, name: str) -> Path:
    return corpus / "focus" / "spec-examples" / f"{name}.csv"


def one(corpus: Path, name: str):  # type: ignore[no-untyped-def]
    found = read_commitments([spec(corpus, name)])
    assert [c.id for c in found.commitments] == [CID]
    return found.commitments[0], found.usage[CID]


def test_fully_used_commitment(corpus: Path) -> None:
    # one Used row: EffectiveCost 1.00, ConsumedQuantity 1 Hour; nothing else is eligible
    c, u = one(corpus, "commitment_discount_usage_scenario_1")
    assert (u.used_cost, u.unused_cost, u.utilization) == (Decimal("1.00"), Decimal(0), 1.0)
    assert (u.covered_quantity, u.eligible_quantity, u.eligible_unit) == (1, 1, "Hour")
    assert c.hourly_fee == Decimal("1.00")  # 1.00 over one hour


def test_fully_unused_commitment(corpus: Path) -> None:
    # one Unused row of 1.00: all of it is waste, no usage covered
    _, u = one(corpus, "commitment_discount_usage_scenario_2")
    assert (u.used_cost, u.unused_cost, u.utilization) == (Decimal(0), Decimal("1.00"), 0.0)
    assert u.eligible_quantity is None


def test_partly_used_commitment(corpus: Path) -> None:
    # Used 0.75 + Unused 0.25 in the same hour: utilisation 0.75 / 1.00
    _, u = one(corpus, "commitment_discount_usage_scenario_3")
    assert (u.used_cost, u.unused_cost) == (Decimal("0.75"), Decimal("0.25"))
    assert u.utilization == 0.75


def test_coverage_counts_on_demand_hours_beside_it(corpus: Path) -> None:
    # one hour covered (Used) and one on-demand hour (Standard) of the same unit: 1 / 2 covered
    c, u = one(corpus, "commitment_discount_usage_scenario_4")
    [s] = status([c], {CID: u}, dt.datetime(2023, 1, 2, tzinfo=dt.UTC))
    assert s.utilization == 1.0 and s.coverage == 0.5 and s.unused_cost == 0


def test_zero_utilisation_without_flexibility(corpus: Path) -> None:
    # the large-VM commitment is Unused (1.50) while a medium VM runs on demand (1 hour):
    # utilisation 0, unused 1.50, coverage 0 of the medium VM's hour
    c, u = one(corpus, "zero_percent_utilization_without_commitment_discount_flexibility")
    assert (u.used_cost, u.unused_cost, u.utilization) == (Decimal(0), Decimal("1.50"), 0.0)
    [s] = status([c], {CID: u}, dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
    # nothing Used -> no scope to measure coverage in
    assert s.coverage is None and s.monthly_unused_cost == Decimal("1.50") * 730


def test_flexible_commitment_over_two_resources(corpus: Path) -> None:
    # two medium VMs each Used 2.00 normalized hours at EffectiveCost 1.00: 4 of 4 units used;
    # the purchase row (ChargeCategory Purchase) is not usage and is not counted
    c, u = one(
        corpus,
        "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources",
    )
    assert (u.used_cost, u.unused_cost, u.utilization) == (Decimal("2.00"), Decimal(0), 1.0)
    assert c.count == Decimal("4.00") and c.unit == "Normalized Hour"
    assert u.covered_quantity == 2 and u.eligible_quantity == 2


def test_purchase_rows_give_the_term_not_usage(corpus: Path) -> None:
    # a one-time purchase of 8760.00 from 2023-01-01 to 2024-01-01: a 12-month term, and no
    # usage rows at all, so it is not a commitment with usage
    found = read_commitments([spec(corpus, "commitment_discount_purchase_scenario_1")])
    assert found.commitments == []


def test_expiry_flags(corpus: Path) -> None:
    paths = [
        spec(corpus, "commitment_discount_purchase_scenario_1"),
        spec(corpus, "commitment_discount_usage_scenario_1"),
    ]
    found = read_commitments(paths)
    [c] = found.commitments
    assert c.term_months == 12 and c.upfront == Decimal("8760.00")
    assert c.end == dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    flags = {
        days: status(
            [c], found.usage, dt.datetime(2024, 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=days)
        )[0].expiry
        for days in (10, 45, 80, 200)
    }
    assert flags == {10: 30, 45: 60, 80: 90, 200: None}


def test_a_file_without_effective_cost_is_named(tmp_path: Path) -> None:
    from lepton_cli.errors import InputError

    bad = tmp_path / "bad.csv"
    bad.write_text("ChargePeriodStart,ChargePeriodEnd,BilledCost\n2023-01-01,2023-01-02,1\n")
    with pytest.raises(InputError, match=r"bad\.csv: missing FOCUS column EffectiveCost"):
        read_commitments([bad])
