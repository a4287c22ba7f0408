r"""The MILP of DESIGN.md, built with PuLP and solved by HiGHS (default) or CBC.

Sets and data
    W               workloads; O_w their candidates (one per provider, region, type, pricing),
                    dominated ones pruned
    c_o             monthly price (hourly x 730);  k_o = vcpus_o * perf_o;  m_o = memory_gib_o
    V_w, M_w        demand in perf-vCPUs and GiB (given, else derived with headroom)
    R_w             minimum replicas;  s_w max spot share;  f_w share kept after losing a provider
    P_w, Z_w        providers / zones of O_w;  n_w, z_w minimum providers / zones
    U_w             an upper bound on instances (``column_bounds``: memory and zero prices count)
    B               the budget, when given

Variables
    x[w,o] in Z>=0, 0 <= x[w,o] <= U_w            instances of o for w
    y[w,p] in {0,1}  (only when n_w > 1)          w runs on provider p
    n[w,r] in {0..Z_r} (only when z_w > 1)        zones w uses in region r (Z_r zones there)

Constraints (one function each below)
    capacity       sum_o k_o x[w,o] >= V_w
    memory         sum_o m_o x[w,o] >= M_w
    replicas       sum_o x[w,o] >= R_w
    spot share     sum_{o spot} x[w,o] - s_w sum_o x[w,o] <= 0
    provider spread x[w,o] <= U_w y[w,p(o)];  sum_{o: p(o)=p} x[w,o] >= y[w,p];
                    sum_p y[w,p] >= n_w
    zone spread     sum_{o in r} x[w,o] >= n[w,r];  sum_r n[w,r] >= z_w
    loss of p       sum_{o: p(o) != p} k_o x[w,o] >= f_w V_w      for every p in P_w (f_w > 0)
    budget          sum_w sum_o c_o x[w,o] <= B                   (efficiency objective)

Objectives
    cost            min sum_w sum_o (c_o + eps [o not a current placement of w]) x[w,o]
                    (eps = 1e-4 of a currency unit: ties go to keeping current types)
    efficiency      max sum_w sum_o k_o x[w,o]   subject to the budget

The spread rows ``sum x >= y`` are an addition to DESIGN.md's ``x <= M y``: without them a
provider could count towards the spread with no instance on it.

Under ``cost`` the workloads share no row (the budget is checked on the sum afterwards), so each
distinct workload shape is its own small model, solved in parallel (``solve_cost``). The
efficiency objective couples them through the budget: ``optimizer.efficiency`` relaxes the
budget row with a Lagrange multiplier, which splits it back into these per-workload models.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pulp

from lepton_cli.errors import UsageError
from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer.problem import Candidate, WorkloadProblem, zones_of

TIE_BREAK = 1e-4
HIGHS_SMALL_MODELS = {
    # Measured on the benchmark fleets: for models of tens of columns HiGHS's root machinery
    # (symmetry detection, restarts, primal heuristics) costs more than the search itself.
    # This halves the time per workload; what is proven is unchanged.
    "mip_detect_symmetry": False,
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_feasibility_jump": False,
}
SOLVERS = ("highs", "cbc", "greedy")
Variables = dict[Candidate, Any]  # candidate -> pulp.LpVariable


@dataclass(frozen=True)
class SolveOptions:
    solver: str = "highs"
    time_limit: float = 60.0
    gap: float = 1e-4
    workers: int = 0  # 0: one per CPU (at most 8)

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise UsageError(f"unknown solver {self.solver!r}", hint="use highs, cbc or greedy")


@dataclass(frozen=True)
class Outcome:
    """What a solver said about one model, in lepton's words."""

    status: SolverStatus
    objective: float | None
    bound: float | None


# ---------------------------------------------------------------- variables


def add_variables(wp: WorkloadProblem, tag: str, upper: int) -> Variables:
    """x[w,o] for every candidate, bounded by ``upper`` (U_w)."""
    return {
        c: pulp.LpVariable(f"x_{tag}_{i}", lowBound=0, upBound=upper, cat=pulp.LpInteger)
        for i, c in enumerate(wp.candidates)
    }


# ---------------------------------------------------------------- constraint families


def add_capacity(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_o k_o x[w,o] >= V_w."""
    if wp.vcpu > 0:
        prob += pulp.lpSum(c.capacity * v for c, v in x.items()) >= wp.vcpu, f"capacity_{tag}"


def add_memory(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_o m_o x[w,o] >= M_w."""
    if wp.memory_gib > 0:
        prob += pulp.lpSum(c.memory_gib * v for c, v in x.items()) >= wp.memory_gib, f"memory_{tag}"


def add_replicas(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_o x[w,o] >= R_w."""
    if wp.min_replicas > 0:
        prob += pulp.lpSum(x.values()) >= wp.min_replicas, f"replicas_{tag}"


def add_spot_share(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_{o spot} x[w,o] <= s_w sum_o x[w,o] (no row needed when there are no spot columns)."""
    spot = [v for c, v in x.items() if c.spot]
    if spot and wp.max_spot_share < 1:
        total = pulp.lpSum(x.values())
        prob += pulp.lpSum(spot) - wp.max_spot_share * total <= 0, f"spot_{tag}"


def _add_spread(
    prob: pulp.LpProblem, groups: Mapping[str, list[Any]], least: int, name: str
) -> None:
    """x <= U y per group, sum x >= y per group, sum y >= least."""
    y = {g: pulp.LpVariable(f"{name}_{i}", cat=pulp.LpBinary) for i, g in enumerate(sorted(groups))}
    for i, g in enumerate(sorted(groups)):
        for v in groups[g]:
            prob += v <= (v.upBound or 0) * y[g], f"{name}_on_{i}_{v.name}"
        prob += pulp.lpSum(groups[g]) >= y[g], f"{name}_used_{i}"
    prob += pulp.lpSum(y.values()) >= least, f"{name}_least"


def add_provider_spread(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """Run on at least n_w providers."""
    if wp.min_providers > 1:
        groups: dict[str, list[Any]] = {}
        for c, v in x.items():
            groups.setdefault(c.provider, []).append(v)
        _add_spread(prob, groups, wp.min_providers, f"yp_{tag}")


def add_zone_spread(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """Run in at least z_w zones, counted per region: n[w,r] in {0..zones of r} zones used in
    region r, sum_{o in r} x[w,o] >= n[w,r], sum_r n[w,r] >= z_w. Every zone of a region offers
    the same types at the same prices, so any instances in r spread over min(count, zones of r)
    zones; no per-zone copy of a candidate is needed."""
    if wp.min_zones <= 1:
        return
    groups: dict[tuple[str, str], list[Any]] = {}
    for c, v in x.items():
        groups.setdefault((c.provider, c.region), []).append(v)
    used = []
    for i, (provider, region) in enumerate(sorted(groups)):
        most = len(zones_of(provider, region))
        n = pulp.LpVariable(f"nz_{tag}_{i}", lowBound=0, upBound=most, cat=pulp.LpInteger)
        prob += pulp.lpSum(groups[(provider, region)]) >= n, f"zones_used_{tag}_{i}"
        used.append(n)
    prob += pulp.lpSum(used) >= wp.min_zones, f"zones_least_{tag}"


def add_loss_of_provider(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """After losing any one provider p, the rest still serve f_w V_w."""
    if wp.survive_fraction <= 0 or wp.vcpu <= 0:
        return
    for i, p in enumerate(sorted({c.provider for c in x})):
        rest = pulp.lpSum(c.capacity * v for c, v in x.items() if c.provider != p)
        prob += rest >= wp.survive_fraction * wp.vcpu, f"loss_{tag}_{i}"


def add_budget(prob: pulp.LpProblem, xs: Sequence[Variables], budget: Decimal) -> None:
    """sum_w sum_o c_o x[w,o] <= B."""
    spend = pulp.lpSum(float(c.monthly) * v for x in xs for c, v in x.items())
    prob += spend <= float(budget), "budget"


CONSTRAINTS = (
    add_capacity,
    add_memory,
    add_replicas,
    add_spot_share,
    add_provider_spread,
    add_zone_spread,
    add_loss_of_provider,
)


def add_workload(prob: pulp.LpProblem, wp: WorkloadProblem, tag: str, upper: int) -> Variables:
    """One workload's variables and every constraint family on them."""
    x = add_variables(wp, tag, upper)
    for family in CONSTRAINTS:
        family(prob, wp, x, tag)
    return x


# ---------------------------------------------------------------- objectives


@dataclass(frozen=True)
class Weights:
    """The per-workload objective min sum (price c_o + eps - capacity_weight k_o) x, with
    c_o scaled by ``price``: (1, 0) is the cost objective; (rho, 1) is the efficiency
    objective's Lagrangian subproblem at multiplier rho (see ``optimizer.efficiency``)."""

    price: float = 1.0
    capacity: float = 0.0


COST = Weights()


def cost_terms(wp: WorkloadProblem, x: Variables, weights: Weights = COST) -> Any:
    """sum_o (c_o + eps [o not current]) x[w,o], or its Lagrangian variant."""
    return pulp.lpSum(
        (
            weights.price * float(c.monthly)
            - weights.capacity * c.capacity
            + (0.0 if c.key in wp.current else TIE_BREAK)
        )
        * v
        for c, v in x.items()
    )


def efficiency_terms(x: Variables) -> Any:
    return pulp.lpSum(c.capacity * v for c, v in x.items())


def cost_model(
    wp: WorkloadProblem, upper: int, weights: Weights = COST
) -> tuple[pulp.LpProblem, Variables]:
    """The cost-minimising model of one workload."""
    prob = pulp.LpProblem("lepton_cost", pulp.LpMinimize)
    x = add_workload(prob, wp, "w", upper)
    prob += cost_terms(wp, x, weights)
    return prob, x


def upper_bound(wp: WorkloadProblem, feasible_cost: Decimal | None, most: int = 0) -> int:
    """U_w: the largest of the per-candidate bounds below (one bound for every x[w,o])."""
    return max(column_bounds(wp, feasible_cost, most), default=1)


def column_bounds(wp: WorkloadProblem, feasible_cost: Decimal | None, most: int = 0) -> list[int]:
    """A bound on x[w,o] per candidate that keeps a cost-optimal allocation, if there is one.

    - ``cover`` instances of any one candidate meet the capacity, memory and replica rows alone
      (memory counts: a memory-heavy workload on small instances needs many of them);
      placing ``cover`` on each of the providers / zones the rules need meets spread and loss
      of provider, and enough non-spot instances beside spot ones meet the spot share. That
      allocation stays feasible under these bounds whatever the prices.
    - ``most``: the largest count of a feasible allocation already known (greedy's) stays
      feasible too.
    - a candidate with a positive price c_o: no allocation cheaper than ``feasible_cost`` has
      more than feasible_cost / c_o of it (a candidate priced at zero keeps the first bound)."""
    cover = _cover(wp)
    groups = max(wp.min_providers, wp.min_zones, 2 if wp.survive_fraction > 0 else 1)
    s = wp.max_spot_share
    dilute = 1 + math.ceil((1 - s) / s) if 0 < s < 1 else 1
    generous = max(1, cover * groups * dilute, most)
    if feasible_cost is None:
        return [generous] * len(wp.candidates)
    return [
        int(feasible_cost / c.monthly + Decimal("1e-9")) if c.monthly > 0 else generous
        for c in wp.candidates
    ]


def _cover(wp: WorkloadProblem) -> int:
    """Instances of the smallest candidate that meet capacity, memory and replicas alone."""
    caps = [c.capacity for c in wp.candidates if c.capacity > 0]
    mems = [c.memory_gib for c in wp.candidates if c.memory_gib > 0]
    need = wp.min_replicas
    if wp.vcpu > 0 and caps:
        need = max(need, math.ceil(wp.vcpu / min(caps) - 1e-9))
    if wp.memory_gib > 0 and mems:
        need = max(need, math.ceil(wp.memory_gib / min(mems) - 1e-9))
    return max(need, 1)


# ---------------------------------------------------------------- solving


@contextmanager
def native_output_silenced() -> Iterator[None]:
    """Point file descriptor 1 at /dev/null while native solvers run: HiGHS prints its banner
    with C stdio straight to fd 1, under any Python-level redirection, and ``-f json`` must stay
    clean. (lepton reports the solver's status, bound and gap itself.)"""
    sys.stdout.flush()
    _c_flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        _c_flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _c_flush() -> None:
    with contextlib.suppress(OSError, AttributeError):  # no C runtime to flush here
        ctypes.CDLL(None).fflush(None)


def run(prob: pulp.LpProblem, options: SolveOptions) -> Outcome:
    """Solve ``prob`` with the chosen backend and read the true status.

    No MIP start is passed: with highspy 1.16, ``setSolution`` before ``run`` makes HiGHS
    return that point as "optimal" (objective 0) without searching. Callers keep their own
    feasible point and compare instead."""
    if options.solver == "cbc":
        return _run_cbc(prob, options)
    return _run_highs(prob, options)


def _run_highs(prob: pulp.LpProblem, options: SolveOptions) -> Outcome:
    solver = pulp.HiGHS(
        msg=False,
        timeLimit=max(options.time_limit, 0.01),
        gapRel=options.gap,
        threads=1,  # parallelism comes from solving workloads side by side
        **HIGHS_SMALL_MODELS,
    )
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    solver.callSolver(prob)
    solver.findSolutionValues(prob)
    h = prob.solverModel
    info = h.getInfo()
    sign = -1.0 if prob.sense == pulp.LpMaximize else 1.0
    status = highs_status(h.getModelStatus(), int(info.primal_solution_status))
    if status not in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE):
        return Outcome(status, None, None)
    # Computed from the solution values: HiGHS leaves its info at 0 when presolve solves a model.
    objective = float(pulp.value(prob.objective) or 0.0)
    bound = _bound(status, objective, sign * float(info.mip_dual_bound), sign, options)
    return Outcome(status, objective, bound)


def _bound(
    status: SolverStatus, objective: float, reported: float, sign: float, options: SolveOptions
) -> float:
    """HiGHS's dual bound, except that when presolve alone solves a model it leaves the bound
    (and objective) at 0: an ``optimal`` status itself proves the requested gap, so the bound is
    at least that close (HiGHS's default absolute gap is 1e-6)."""
    if status is not SolverStatus.OPTIMAL:
        return reported
    proven = max(options.gap * abs(objective), 1e-6)
    return max(reported, objective - proven) if sign > 0 else min(reported, objective + proven)


FEASIBLE_POINT = 2  # HiGHS kSolutionStatusFeasible


def highs_status(model_status: Any, primal_solution_status: int) -> SolverStatus:
    """HiGHS's own model status -> lepton's. A run stopped by a limit with an incumbent is
    ``feasible``, never ``optimal`` (PuLP's wrapper reports those as Optimal)."""
    import highspy

    ms = highspy.HighsModelStatus
    if model_status == ms.kOptimal:
        return SolverStatus.OPTIMAL
    if model_status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return SolverStatus.INFEASIBLE
    if primal_solution_status == FEASIBLE_POINT:
        return SolverStatus.FEASIBLE
    return SolverStatus.NOT_SOLVED


def _run_cbc(prob: pulp.LpProblem, options: SolveOptions) -> Outcome:
    solver = pulp.PULP_CBC_CMD(
        msg=False, timeLimit=max(1, math.ceil(options.time_limit)), gapRel=options.gap
    )
    prob.solve(solver)
    status = cbc_status(prob.status, prob.sol_status)
    if status not in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE):
        return Outcome(status, None, None)
    value = float(pulp.value(prob.objective) or 0.0)
    # CBC through PuLP gives no dual bound: only a proven optimum has one (itself).
    return Outcome(status, value, value if status is SolverStatus.OPTIMAL else None)


def cbc_status(status: int, sol_status: int) -> SolverStatus:
    """PuLP's CBC statuses -> lepton's (a stopped run with an incumbent is ``feasible``)."""
    if status == pulp.LpStatusInfeasible:
        return SolverStatus.INFEASIBLE
    if sol_status == pulp.LpSolutionOptimal:
        return SolverStatus.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return SolverStatus.FEASIBLE
    return SolverStatus.NOT_SOLVED


def counts_of(x: Variables) -> dict[Candidate, int]:
    """Integer instance counts from a solved model (values rounded: solvers return floats)."""
    out = {}
    for c, v in x.items():
        n = round(v.varValue or 0.0)
        if n > 0:
            out[c] = n
    return out
