"""Problem data: derived demand, candidates, pruning, workloads from tags, idle resources."""

from __future__ import annotations

from decimal import Decimal

import pytest
from opt_builders import offer, problem, workload

from lepton_cli.config import Settings
from lepton_cli.models import Resource, Utilization
from lepton_cli.optimizer.problem import derived_demand, expand, prune_dominated


def vm(
    id_: str,
    vcpus: float,
    memory: float,
    cpu: float | None,
    mem: float | None = None,
    perf: float = 1.0,
    days: int = 14,
    **tags: str,
) -> Resource:
    util = None if cpu is None else Utilization(cpu_p95=cpu, memory_p95=mem, days=days)
    return Resource(
        id=id_,
        provider="aws",
        region="r1",
        type="m5.xlarge",
        hourly_cost=Decimal("0.192"),
        vcpus=vcpus,
        memory_gib=memory,
        perf=perf,
        utilization=util,
        tags=tags,
    )


def test_derived_demand_by_hand() -> None:
    # vcpu = (4 * 1.0 * 0.5 + 8 * 1.25 * 0.25) * 1.2 = (2 + 2.5) * 1.2 = 5.4
    # memory = (16 * 0.5 + 32 * 0.25) * 1.2 = 16 * 1.2 = 19.2
    resources = [vm("a", 4, 16, 0.5, 0.5), vm("b", 8, 32, 0.25, 0.25, perf=1.25)]
    vcpu, memory = derived_demand(resources, 0.2)
    assert vcpu == pytest.approx(5.4)
    assert memory == pytest.approx(19.2)


def test_resource_without_utilisation_counts_at_full_size() -> None:
    assert derived_demand([vm("a", 4, 16, None)], 0.0) == (4.0, 16.0)


def test_workloads_come_from_tags_with_defaults() -> None:
    resources = [vm("a", 4, 16, 0.5, 0.5, workload="api"), vm("b", 4, 16, 0.5, 0.5, workload="api")]
    p = problem([], [offer("aws", "gen", 4, 16, "0.1")], resources)
    (wp,) = p.workloads
    assert wp.name == "api"
    assert wp.vcpu == pytest.approx(4 * 0.5 * 2 * 1.2)
    assert wp.min_replicas == 1 and wp.max_spot_share == 0 and wp.min_providers == 1
    assert {r.id for r in wp.resources} == {"a", "b"}


def test_declared_demand_wins_and_headroom_is_not_added() -> None:
    p = problem([workload(vcpu=10, memory=20)], [offer("aws", "gen", 4, 16, "0.1")])
    assert (p.workloads[0].vcpu, p.workloads[0].memory_gib) == (10, 20)


def test_headroom_setting_and_workload_override() -> None:
    resources = [vm("a", 10, 10, 1.0, 1.0, workload="api")]
    w = workload("api").model_copy(update={"demand": None, "headroom": 0.5})
    assert problem([w], [offer("aws", "g", 4, 16, "0.1")], resources).workloads[0].vcpu == 15
    assert Settings().headroom == 0.2


def test_zero_demand_needs_no_replica() -> None:
    p = problem([workload(vcpu=0, memory=0)], [offer("aws", "gen", 4, 16, "0.1")])
    assert p.workloads[0].min_replicas == 0


def test_idle_resources_in_no_workload_unless_protected() -> None:
    resources = [
        vm("idle", 2, 8, 0.01),
        vm("busy", 2, 8, 0.5),
        vm("short", 2, 8, 0.01, days=3),
        vm("kept", 2, 8, 0.01, **{"lepton:protect": "true"}),
        vm("member", 2, 8, 0.01, workload="api"),
    ]
    p = problem([], [offer("aws", "gen", 4, 16, "0.1")], resources)
    assert [r.id for r in p.idle] == ["idle"]


def test_candidates_one_per_pricing_and_spot_only_when_allowed() -> None:
    o = offer("aws", "gen", 4, 16, "0.2", spot="0.1", reserved="0.15")
    assert {c.pricing.value for c in expand(o, False)} == {"on-demand", "spot", "reserved"}
    no_spot = problem([workload()], [o]).workloads[0].candidates
    with_spot = problem([workload(max_spot_share=0.5)], [o]).workloads[0].candidates
    assert not any(c.spot for c in no_spot)
    assert any(c.spot for c in with_spot)


def test_pruning_drops_dominated_and_exact_multiples() -> None:
    offerings = [
        offer("aws", "small", 2, 8, "0.10"),
        offer("aws", "double", 4, 16, "0.20"),  # 2 x small for the same money: dropped
        offer("aws", "worse", 2, 8, "0.12"),  # small beats it outright: dropped
        offer("aws", "fast", 2, 8, "0.11", perf=1.5),  # more capacity per instance: kept
        offer("gcp", "small", 2, 8, "0.50"),  # another provider: its own group, kept
    ]
    kept = prune_dominated(c for o in offerings for c in expand(o, False))
    assert sorted((c.provider, c.type) for c in kept) == [
        ("aws", "fast"),
        ("aws", "small"),
        ("gcp", "small"),
    ]


def test_spot_multiples_are_pruned_unless_instances_cost_once() -> None:
    # The spot share bounds non-spot capacity, so two small spot instances serve every row
    # one double does; only a per-instance one-time cost tells them apart.
    offerings = [
        offer("aws", "s", 2, 8, "1", spot="0.1"),
        offer("aws", "d", 4, 16, "2", spot="0.2"),
    ]
    kept = prune_dominated(c for o in offerings for c in expand(o, False))
    assert {c.type for c in kept if c.spot} == {"s"}
    kept = prune_dominated((c for o in offerings for c in expand(o, False)), multiples=False)
    assert {c.type for c in kept if c.spot} == {"s", "d"}


def test_current_type_stays_a_candidate_even_when_dominated() -> None:
    offerings = [offer("aws", "small", 2, 8, "0.10"), offer("aws", "double", 4, 16, "0.20")]
    current = vm("i-1", 4, 16, 0.9, 0.9, workload="app").model_copy(update={"type": "double"})
    current = current.model_copy(update={"region": "r1", "hourly_cost": Decimal("0.2")})
    p = problem([workload("app", vcpu=4, memory=16)], offerings, [current])
    assert "double" in {c.type for c in p.workloads[0].candidates}
