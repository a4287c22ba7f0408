r"""The MILP of DESIGN.md, built with PuLP and solved by HiGHS (default) or CBC.

Sets and data
    W               workloads; O_w their candidates (one per provider, region, type, pricing)
                    after the placement and compatibility filters (residency, arch, platform,
                    GPUs), dominated ones pruned
    c_o             monthly price (hourly x 730);  k_o = vcpus_o * perf_o;  m_o = memory_gib_o
    g_o             GPUs per instance
    V_w, M_w, G_w   demand in perf-vCPUs, GiB and GPUs (given, else derived with headroom)
    R_w             minimum replicas;  s_w max spot share;  f_w share kept after losing a provider
    P_w, Z_w        providers / zones of O_w;  n_w, z_w minimum providers / zones
    Q_w             the (provider, region) placements of O_w that w does not run in today
                    (empty when w runs nowhere today, or stays where it runs by default)
    D_w             one-time cost of copying w's data to a new placement:
                    data_gib_w * egress_per_gib(its current provider; the highest when several)
    e               migration.per_instance, the one-time cost of each instance placed anew
    H               migration.horizon_months: one-time costs are amortised over H months
    U_w             an upper bound on instances (``column_bounds``: memory, GPUs and zero
                    prices count)
    B               the budget, when given, less the fixed cost the plan keeps (disks, ...)
    a_w, S_w        efficiency only: priority, and the capacity cap
                    max(max_scale_w * V_w, the capacity of w's cheapest plan)

Variables
    x[w,o] in Z>=0, 0 <= x[w,o] <= U_w            instances of o for w
    y[w,p] in {0,1}  (only when n_w > 1)          w runs on provider p
    n[w,r] in {0..Z_r} (only when z_w > 1)        zones w uses in region r (Z_r zones there)
    u[w,q] in {0,1}  (q in Q_w)                   w takes the new placement q

Constraints (one function each below)
    capacity       sum_o k_o x[w,o] >= V_w
    memory         sum_o m_o x[w,o] >= M_w
    gpus           sum_o g_o x[w,o] >= G_w
    replicas       sum_o x[w,o] >= R_w
    spot share     sum_{o not spot} k_o x[w,o] >= (1 - s_w) V_w   and
                   sum_{o not spot} m_o x[w,o] >= (1 - s_w) M_w   (what survives a reclaim)
    provider spread x[w,o] <= U_w y[w,p(o)];  sum_{o: p(o)=p} x[w,o] >= y[w,p];
                    sum_p y[w,p] >= n_w
    zone spread     sum_{o in r} x[w,o] >= n[w,r];  sum_r n[w,r] >= z_w
    loss of p       sum_{o: p(o) != p} k_o x[w,o] >= f_w V_w  and
                    sum_{o: p(o) != p} m_o x[w,o] >= f_w M_w     for every p in P_w (f_w > 0)
    new placement   x[w,o] <= U_w u[w,q(o)]                      for o with q(o) in Q_w
    capacity cap    sum_o k_o x[w,o] <= S_w                      (efficiency objective)
    budget          sum_w sum_o c_o x[w,o] <= B                  (efficiency objective)

Objectives
    cost            min sum_w [ sum_o (c_o + eps [o not a current placement of w]) x[w,o]
                                + (1/H) sum_{q in Q_w} (D_w u[w,q]
                                                       + e sum_{o: q(o)=q} x[w,o]) ]
                    (eps = 1e-4 of a currency unit: ties go to keeping current types)
    efficiency      max sum_w a_w sum_o k_o x[w,o]   subject to the budget and the caps
                    (one-time costs are reported beside the budget, not in it)

The spread rows ``sum x >= y`` are an addition to DESIGN.md's ``x <= M y``: without them a
provider could count towards the spread with no instance on it. The new-placement rows need no
``sum x >= u``: u only costs, so an optimum never sets it without an instance.

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
from lepton_cli.models.optimization import Solver, SolverStatus
from lepton_cli.optimizer.problem import Candidate, Site, WorkloadProblem, zones_of


def _forget_import_frames() -> None:
    """Drop the tracebacks of the exceptions PuLP keeps from its import. Each solver API it
    cannot load (COPT, CPLEX, ...) keeps the exception as ``err``, for its error message; the
    traceback holds the frames of whoever imported PuLP and, through them, their callers':
    `lepton optimize`'s own, whose locals are the whole fleet and its plan, kept alive until
    the process ends (on 100,000 workloads, 15 s of freeing at exit). The messages stay."""
    for name, module in list(sys.modules.items()):
        if name != "pulp" and not name.startswith("pulp."):
            continue
        for value in list(vars(module).values()):
            err = getattr(value, "err", None) if isinstance(value, type) else None
            seen: set[int] = set()
            while isinstance(err, BaseException) and id(err) not in seen:
                seen.add(id(err))
                err.__traceback__ = None
                err = err.__context__ or err.__cause__


_forget_import_frames()  # on the first import of this module, wherever PuLP came from

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
Variables = dict[Candidate, Any]  # candidate -> pulp.LpVariable


@dataclass(frozen=True)
class SolveOptions:
    solver: str = Solver.HIGHS  # a Solver, or its name
    time_limit: float = 60.0
    gap: float = 1e-4
    workers: int = 0  # 0: one per CPU (at most 8)

    def __post_init__(self) -> None:
        if self.solver not in {s.value for s in Solver}:
            raise UsageError(f"unknown solver {self.solver!r}", hint=f"use {Solver.names()}")


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


def add_gpus(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_o g_o x[w,o] >= G_w."""
    if wp.gpus > 0:
        prob += pulp.lpSum(c.gpus * v for c, v in x.items()) >= wp.gpus, f"gpus_{tag}"


def add_replicas(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_o x[w,o] >= R_w."""
    if wp.min_replicas > 0:
        prob += pulp.lpSum(x.values()) >= wp.min_replicas, f"replicas_{tag}"


def add_spot_share(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """What survives a spot reclaim serves the rest of the demand:
    sum_{o not spot} k_o x >= (1 - s_w) V_w and sum_{o not spot} m_o x >= (1 - s_w) M_w.
    No row without spot columns (capacity and memory already cover it) or when s_w = 1."""
    if not any(c.spot for c in x) or wp.max_spot_share >= 1:
        return
    keep = 1 - wp.max_spot_share
    plain = [(c, v) for c, v in x.items() if not c.spot]
    if wp.vcpu > 0:
        prob += pulp.lpSum(c.capacity * v for c, v in plain) >= keep * wp.vcpu, f"spot_k_{tag}"
    if wp.memory_gib > 0:
        prob += (
            pulp.lpSum(c.memory_gib * v for c, v in plain) >= keep * wp.memory_gib,
            f"spot_m_{tag}",
        )


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
    """After losing any one provider p, the rest still serve f_w V_w and f_w M_w."""
    if wp.survive_fraction <= 0:
        return
    for i, p in enumerate(sorted({c.provider for c in x})):
        rest = [(c, v) for c, v in x.items() if c.provider != p]
        if wp.vcpu > 0:
            k = pulp.lpSum(c.capacity * v for c, v in rest)
            prob += k >= wp.survive_fraction * wp.vcpu, f"loss_{tag}_{i}"
        if wp.memory_gib > 0:
            m = pulp.lpSum(c.memory_gib * v for c, v in rest)
            prob += m >= wp.survive_fraction * wp.memory_gib, f"loss_m_{tag}_{i}"


def add_new_placement(
    prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str
) -> dict[Site, Any]:
    """x[w,o] <= U_w u[w,q(o)] for every candidate in a placement q that w does not use today;
    returns u (the objective charges D_w / H for each)."""
    new = sorted({c.site for c in x if wp.is_new(c)})
    u = {q: pulp.LpVariable(f"u_{tag}_{i}", cat=pulp.LpBinary) for i, q in enumerate(new)}
    for c, v in x.items():
        if wp.is_new(c):
            prob += v <= (v.upBound or 0) * u[c.site], f"new_{tag}_{v.name}"
    return u


def capped_upper(wp: WorkloadProblem) -> int:
    """An instance bound the capacity cap implies: sum_o k_o x <= S_w and k_o >= min k, so no
    x[w,o] exceeds S_w / min k (0 without a cap: nothing implied)."""
    if wp.capacity_cap is None or not wp.candidates:
        return 0
    smallest = min(c.capacity for c in wp.candidates)
    return math.floor(wp.capacity_cap / smallest + 1e-9)


def add_capacity_cap(prob: pulp.LpProblem, wp: WorkloadProblem, x: Variables, tag: str) -> None:
    """sum_o k_o x[w,o] <= S_w: under efficiency, no workload soaks up the budget."""
    if wp.capacity_cap is not None:
        cap = pulp.lpSum(c.capacity * v for c, v in x.items())
        prob += cap <= wp.capacity_cap, f"cap_{tag}"


def add_budget(prob: pulp.LpProblem, xs: Sequence[Variables], budget: Decimal) -> None:
    """sum_w sum_o c_o x[w,o] <= B."""
    spend = pulp.lpSum(float(c.monthly) * v for x in xs for c, v in x.items())
    prob += spend <= float(budget), "budget"


CONSTRAINTS = (
    add_capacity,
    add_memory,
    add_gpus,
    add_replicas,
    add_spot_share,
    add_provider_spread,
    add_zone_spread,
    add_loss_of_provider,
    add_capacity_cap,
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
    """sum_o (c_o + e/H [o new] + eps [o not current]) x[w,o], or its Lagrangian variant
    (priority-weighted capacity; no one-time costs, which the budget does not hold)."""
    per_instance = wp.per_instance / wp.horizon if weights == COST else 0.0
    return pulp.lpSum(
        (
            weights.price * float(c.monthly)
            - weights.capacity * wp.priority * c.capacity
            + (per_instance if wp.is_new(c) else 0.0)
            + (0.0 if c.key in wp.current else TIE_BREAK)
        )
        * v
        for c, v in x.items()
    )


def move_terms(wp: WorkloadProblem, u: Mapping[Site, Any]) -> Any:
    """(1/H) sum_q D_w u[w,q]: the data a move copies, amortised."""
    return pulp.lpSum(wp.move_cost / wp.horizon * v for v in u.values())


def efficiency_terms(x: Variables, priority: float = 1.0) -> Any:
    return pulp.lpSum(priority * c.capacity * v for c, v in x.items())


def cost_model(
    wp: WorkloadProblem, upper: int, weights: Weights = COST
) -> tuple[pulp.LpProblem, Variables]:
    """The cost-minimising model of one workload (new-placement rows only where they cost)."""
    prob = pulp.LpProblem("lepton_cost", pulp.LpMinimize)
    x = add_workload(prob, wp, "w", upper)
    objective = cost_terms(wp, x, weights)
    if weights == COST and (wp.move_cost > 0 or wp.per_instance > 0):
        objective += move_terms(wp, add_new_placement(prob, wp, x, "w"))
    prob += objective
    return prob, x


def objective_value(wp: WorkloadProblem, counts: Mapping[Candidate, int]) -> Decimal:
    """The cost objective of an allocation without the tie-break: monthly cost plus the
    amortised one-time cost of its new placements."""
    monthly = sum((c.monthly * n for c, n in counts.items()), Decimal(0))
    return monthly + one_time_cost(wp, counts) / Decimal(str(wp.horizon))


def one_time_cost(wp: WorkloadProblem, counts: Mapping[Candidate, int]) -> Decimal:
    """sum_q (D_w + e * instances placed in q) over the new placements an allocation takes."""
    new = [(c, n) for c, n in counts.items() if n > 0 and wp.is_new(c)]
    sites = {c.site for c, _ in new}
    instances = sum(n for _, n in new)
    total = wp.move_cost * len(sites) + wp.per_instance * instances
    return Decimal(str(round(total, 6)))


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
    - a candidate with a positive price c_o: no allocation whose objective is below
      ``feasible_cost`` (an ``objective_value``: one-time costs only add) has more than
      feasible_cost / c_o of it (a candidate priced at zero keeps the first bound)."""
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
    """Instances of the smallest candidate that meet capacity, memory, GPUs and replicas
    alone (non-spot ones then meet the spot-share rows too)."""
    caps = [c.capacity for c in wp.candidates if c.capacity > 0]
    mems = [c.memory_gib for c in wp.candidates if c.memory_gib > 0]
    gpus = [c.gpus for c in wp.candidates if c.gpus > 0]
    need = wp.min_replicas
    if wp.gpus > 0 and gpus:
        need = max(need, math.ceil(wp.gpus / min(gpus) - 1e-9))
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
