"""The purchase LP/MILP against brute force: for one product the optimum is the d-quantile."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lepton_cli.commitments.model import CommitmentScope, Payment, Product
from lepton_cli.commitments.planner import (
    Group,
    Node,
    Option,
    PurchaseProblem,
    evaluate,
    quantile,
    solve,
)

SP = Product.AWS_COMPUTE_SAVINGS_PLAN
RI = Product.AWS_RESERVED_INSTANCE


def brute_cost(u: list[float], c: float, d: float) -> float:
    """cost(c) = Σ_h [(1 − d)·c + max(0, u_h − c)], written out independently of lepton."""
    return sum((1 - d) * c + max(0.0, x - c) for x in u)


def one_product(
    u: list[float], d: float, unit: float = 1.0, integer: bool = False
) -> PurchaseProblem:
    opt = Option(SP, 12, Payment.NO_UPFRONT, d, unit, integer=integer)
    return PurchaseProblem(
        [Node("n", CommitmentScope(), "aws", None, [opt])],
        [Group("g", "n", np.array(u, dtype=float))],
        len(u),
    )


PROFILES = [
    [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0],
    [0.0, 0.0, 10.0, 10.0, 10.0, 2.5, 7.25, 1.0, 3.0, 8.0],
    [5.0] * 6,
    [12.0, 0.5, 7.0, 7.0, 7.0, 3.0, 11.0],
]


@pytest.mark.parametrize("u", PROFILES)
@pytest.mark.parametrize("d", [0.1, 0.27, 0.5, 0.72, 0.9])
def test_one_product_is_the_d_quantile(u: list[float], d: float) -> None:
    result = solve(one_product(u, d))
    c = result.units["n", 0]
    # the brute-force optimum over every candidate level (the optimum sits on a data point)
    best = min(brute_cost(u, x, d) for x in [0.0, *u])
    assert result.cost == pytest.approx(best, abs=1e-6)
    assert brute_cost(u, c, d) == pytest.approx(best, abs=1e-6)
    # and the d-quantile (nearest rank) is optimal too
    assert brute_cost(u, quantile(u, d), d) == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("u", PROFILES)
def test_whole_units_against_brute_force(u: list[float]) -> None:
    d, unit = 0.4, 1.5
    result = solve(one_product(u, d, unit, integer=True))
    best = min(brute_cost(u, k * unit, d) for k in range(0, 12))
    assert result.cost == pytest.approx(best, abs=1e-6)
    assert float(result.units["n", 0]).is_integer()


def test_nested_scopes_against_brute_force() -> None:
    """Two groups with their own RIs under one savings plan: enumerate every RI count pair and
    every savings plan level on a grid, evaluated by hand (RIs first, then the plan)."""
    u1 = [4.0, 4.0, 1.0, 6.0, 2.0, 4.0]
    u2 = [0.0, 3.0, 3.0, 3.0, 5.0, 1.0]
    d_ri, d_sp, unit = 0.4, 0.25, 1.0
    ri = Option(RI, 12, Payment.NO_UPFRONT, d_ri, unit, "m6i.large", "instances", True)
    sp = Option(SP, 12, Payment.NO_UPFRONT, d_sp)
    nodes = [
        Node("root", CommitmentScope(), "aws", None, [sp]),
        Node("a", CommitmentScope(), "aws", "root", [ri]),
        Node("b", CommitmentScope(), "aws", "root", [ri]),
    ]
    groups = [Group("a", "a", np.array(u1)), Group("b", "b", np.array(u2))]
    result = solve(PurchaseProblem(nodes, groups, 6), gap=1e-9)

    def by_hand(k1: int, k2: int, s: float) -> float:
        total = 0.0
        for x1, x2 in zip(u1, u2, strict=True):
            rest = max(0.0, x1 - k1 * unit) + max(0.0, x2 - k2 * unit)
            total += (1 - d_ri) * (k1 + k2) * unit + (1 - d_sp) * s + max(0.0, rest - s)
        return total

    grid = [x / 4 for x in range(0, 41)]
    best = min(by_hand(k1, k2, s) for k1, k2 in itertools.product(range(8), range(8)) for s in grid)
    assert result.cost == pytest.approx(best, abs=1e-6)
    assert evaluate(PurchaseProblem(nodes, groups, 6), result.units).cost == pytest.approx(
        best, abs=1e-6
    )


def test_nothing_worth_buying() -> None:
    # usage only in one hour of ten: at d = 0.3 the 0.3-quantile is 0
    result = solve(one_product([0.0] * 9 + [10.0], 0.3))
    assert result.units["n", 0] == pytest.approx(0.0, abs=1e-9)
    assert result.cost == pytest.approx(10.0)
