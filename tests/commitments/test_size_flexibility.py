"""RI size flexibility by normalisation factor, applied to an inventory before optimizing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from typer.testing import CliRunner

from helpers import vm, write_inventory
from lepton_cli.cli.app import app
from lepton_cli.commitments.flex import apply_size_flexibility
from lepton_cli.commitments.normalise import aws_factor
from lepton_cli.models import Inventory, Pricing, Resource


def ri(count: int, covered: int, rate: str = "0.121") -> Resource:
    return Resource(
        id="ri-x",
        provider="aws",
        account="111122223333",
        region="us-east-1",
        kind="other",
        resource_type="aws.reserved-instance",
        type="m6i.xlarge",
        pricing="reserved",
        hourly_cost=Decimal(rate) * (count - covered),
        tags={"instance_count": str(count), "instances_covered": str(covered)},
    )


def large(n: int, **extra: object) -> Resource:
    return Resource.model_validate(vm(f"i-l{n}", type="m6i.large", hourly_cost=0.096, **extra))


def test_factors() -> None:
    assert [
        aws_factor(t) for t in ("t3.nano", "m6i.large", "m6i.xlarge", "m6i.2xlarge", "c5.24xlarge")
    ] == [0.25, 4, 8, 16, 192]
    assert aws_factor("m6i.metal") is None


def test_an_unused_xlarge_covers_two_larges() -> None:
    inv = Inventory(resources=[ri(1, 0), large(1), large(2), large(3)])
    out = {r.id: r for r in apply_size_flexibility(inv).resources}
    # 8 free units at 0.121 / 8 per unit: two larges (4 units each) at 0.0605 an hour
    assert [out[i].pricing for i in ("i-l1", "i-l2", "i-l3")] == [
        Pricing.RESERVED,
        Pricing.RESERVED,
        Pricing.ON_DEMAND,
    ]
    assert out["i-l1"].hourly_cost == Decimal("0.121") / 8 * 4
    assert out["ri-x"].hourly_cost == 0  # nothing of it left unused
    # nothing counted twice: the total falls by what was wrongly billed on demand
    before = sum(r.hourly_cost for r in inv.resources)
    after = sum(r.hourly_cost for r in out.values())
    assert before - after == 2 * Decimal("0.096")


def test_other_accounts_families_and_platforms_are_not_covered() -> None:
    other = [
        large(1, account="999999999999"),
        Resource.model_validate(vm("i-m7", type="m7i.large", hourly_cost=0.1008)),
        large(2, platform="windows"),
    ]
    out = apply_size_flexibility(Inventory(resources=[ri(2, 1), *other]))
    assert all(r.pricing is Pricing.ON_DEMAND for r in out.resources if r.id != "ri-x")
    assert next(r for r in out.resources if r.id == "ri-x").hourly_cost == Decimal("0.121")


def test_optimize_keeps_instances_an_unused_ri_covers(tmp_path: Path) -> None:
    """Two on-demand larges an unused xlarge RI covers: sunk, so not moved to a cheaper cloud."""
    azure = {
        "provider": "azure",
        "region": "eastus",
        "type": "Standard_D2as_v5",
        "vcpus": 2,
        "memory_gib": 8,
        "family": "general",
        "prices": {"on-demand": 0.05},
    }
    aws = {
        "provider": "aws",
        "region": "us-east-1",
        "type": "m6i.large",
        "vcpus": 2,
        "memory_gib": 8,
        "family": "general",
        "prices": {"on-demand": 0.096},
    }
    resources = [
        vm(
            f"i-l{n}",
            type="m6i.large",
            hourly_cost=0.096,
            utilization={"cpu_p95": 0.9, "memory_p95": 0.8, "days": 14},
            tags={"workload": "web"},
        )
        for n in (1, 2)
    ]
    resources.append(ri(1, 0).model_dump(mode="json", exclude_none=True))
    inv = write_inventory(
        tmp_path / "inv.yaml",
        resources,
        workloads=[
            {
                "name": "web",
                "min_replicas": 2,
                "allowed": {"providers": ["aws", "azure"], "regions": ["us-east-1", "eastus"]},
            }
        ],
        offerings_mode="replace",
        offerings=[aws, azure],
    )
    r = CliRunner().invoke(app, ["optimize", "-s", str(inv), "-f", "yaml", "--no-history"])
    assert r.exit_code == 0, r.stderr
    plan = yaml.safe_load(r.stdout)
    assert not [a for a in plan["actions"] if a["kind"] == "move"]
    # the current cost counts the RI once: 0.121 x 730, not 0.121 + 2 x 0.096 an hour
    assert abs(
        Decimal(str(plan["summary"]["current_monthly_cost"])) - Decimal("0.121") * 730
    ) < Decimal("0.01")
