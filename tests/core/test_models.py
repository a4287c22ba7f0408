from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from lepton_cli.fileio import dump_json, dump_yaml
from lepton_cli.models import HOURS_PER_MONTH, Inventory, Period, Resource, Utilization
from lepton_cli.providers.file import load_inventory_file

FULL = """\
apiVersion: lepton/v1
kind: Inventory
currency: USD
resources:
  - id: i-0a1b2c
    provider: aws
    account: "123456789012"
    region: us-east-1
    zone: us-east-1a
    kind: compute
    type: m5.xlarge
    pricing: on-demand
    hourly_cost: 0.192
    vcpus: 4
    memory_gib: 16
    perf: 1.0
    utilization: {cpu_avg: 0.12, cpu_p95: 0.22, memory_p95: 0.40, days: 14}
    state: running
    tags: {team: payments, env: prod, workload: checkout-api}
workloads:
  - name: checkout-api
    demand: {vcpu: 24, memory_gib: 64}
    min_replicas: 3
    max_spot_share: 0.3
    spread: {min_providers: 2}
    survive_loss_of_provider: 0.5
    allowed: {providers: [aws, gcp], regions: [us-east-1, us-central1]}
    priority: 1
offerings_mode: extend
offerings:
  - {provider: aws, region: us-east-1, type: m7g.xlarge, vcpus: 4, memory_gib: 16, perf: 1.15,
     prices: {on-demand: 0.1632, spot: 0.0650, reserved: 0.1030}}
"""


def test_design_example_round_trips_through_yaml_and_json(tmp_path):
    src = tmp_path / "inv.yaml"
    src.write_text(FULL)
    inv = load_inventory_file(src)
    assert inv.resources[0].hourly_cost == Decimal("0.192")
    assert inv.workloads[0].spread is not None and inv.workloads[0].spread.min_providers == 2
    again = tmp_path / "again.yaml"
    again.write_text(dump_yaml(inv))
    assert load_inventory_file(again) == inv
    as_json = tmp_path / "inv.json"
    as_json.write_text(dump_json(inv))
    assert load_inventory_file(as_json) == inv


def test_money_is_decimal_and_month_is_730_hours():
    r = Resource(id="x", provider="aws", hourly_cost=Decimal("0.1"))
    assert HOURS_PER_MONTH == 730
    assert r.monthly_cost == Decimal("73.0")


def test_models_are_frozen_and_strict():
    r = Resource(id="x", provider="aws")
    with pytest.raises(ValidationError):
        r.id = "y"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Resource(id="x", provider="aws", hourly_cots=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Utilization(cpu_p95=1.5)


def test_period_month_is_half_open():
    p = Period.month("2026-12")
    assert (str(p.start), str(p.end), p.days) == ("2026-12-01", "2027-01-01", 31)


def test_merged_inventory_keeps_everything():
    a = Inventory(resources=[Resource(id="a", provider="aws")])
    b = Inventory(resources=[Resource(id="b", provider="gcp")], offerings_mode="replace")
    m = a.merged(b)
    assert [r.id for r in m.resources] == ["a", "b"]
    assert m.offerings_mode == "replace"


def test_utilization_from_percent_samples_is_clamped_nearest_rank():
    samples = [float(v) for v in range(1, 101)]  # 1..100 percent, hourly: 4 days of data
    u = Utilization.from_samples(samples, days=14, memory=[50.0, 120.0], scale=100)
    assert u.cpu_p95 == 0.95  # the 95th of 100 ordered samples
    assert u.cpu_avg == 0.505
    assert u.memory_p95 == 1.0  # 120% is clamped
    assert u.days == 4  # 100 hourly samples cover 4 whole days, not the 14 asked for
    assert Utilization.from_samples([1.0] * 400, days=14, sample_seconds=3600).days == 14
