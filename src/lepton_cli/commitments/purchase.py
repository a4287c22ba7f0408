"""From an hourly profile to purchase recommendations: build the scope tree and options, solve
the LP/MILP (``planner``), then price every chosen commitment and draw the savings curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from lepton_cli.commitments.model import CommitmentScope, Payment, Product
from lepton_cli.commitments.normalise import units as normalised_units
from lepton_cli.commitments.planner import (
    Evaluation,
    Group,
    Node,
    Option,
    PurchaseProblem,
    SolveResult,
    evaluate,
    solve,
)
from lepton_cli.commitments.profile import GroupKey, Profile
from lepton_cli.commitments.rates import INSTANCE_SCOPED, PROVIDER_SCOPED, Rate, select
from lepton_cli.models import Offering, Pricing
from lepton_cli.models.money import HOURS_PER_MONTH

CURVE_STEPS = tuple(i / 10 for i in range(0, 21))  # 0 … 2 × the chosen commitments
DEMAND_FALL = 0.8  # "savings if demand falls 20%"


@dataclass(frozen=True)
class PlanOptions:
    terms: tuple[int, ...] = (12,)
    payments: tuple[Payment, ...] = (Payment.NO_UPFRONT,)
    time_limit: float = 60.0
    gap: float = 1e-4
    catalog_rates: bool = True  # False when --rates replaces them


@dataclass(frozen=True)
class Recommendation:
    provider: str
    product: Product
    scope: CommitmentScope
    term_months: int
    payment: Payment
    discount: float
    hourly_commitment: Decimal | None  # savings plans / flexible CUDs: paid per hour
    count: int | None  # RIs, reservations (instances), resource CUDs (vCPUs)
    unit: str
    unit_type: str | None
    normalized_units: float | None
    on_demand_hourly: Decimal  # on-demand value it covers when fully used
    upfront: Decimal
    monthly_cost: Decimal  # recurring, after the upfront
    monthly_savings: Decimal
    break_even_utilization: float
    expected_utilization: float
    monthly_savings_if_demand_falls_20pct: Decimal


@dataclass(frozen=True)
class CurvePoint:
    scale: float
    hourly_on_demand_covered: Decimal
    monthly_net_savings: Decimal
    chosen: bool


@dataclass
class PurchasePlan:
    hours: int
    baseline_monthly: Decimal  # on demand, nothing new bought
    planned_monthly: Decimal
    recommendations: list[Recommendation]
    curve: list[CurvePoint]
    solver: SolveResult
    groups: int
    notes: list[str] = field(default_factory=list)

    @property
    def monthly_savings(self) -> Decimal:
        return self.baseline_monthly - self.planned_monthly


# ------------------------------------------------------------------ the problem


@dataclass
class _Prices:
    """Catalog prices by (provider, region, type)."""

    offerings: dict[tuple[str, str, str], Offering]

    def on_demand(self, provider: str, region: str, type_: str) -> float | None:
        o = self.offerings.get((provider, region, type_))
        price = o.prices.get(Pricing.ON_DEMAND) if o else None
        return float(price) if price else None

    def discount(self, key: GroupKey, mix: dict[str, float]) -> float | None:
        """1 − reserved / on-demand over the group's types the catalog prices, spend-weighted."""
        provider, region, _ = key
        paid = listed = 0.0
        for type_, spend in mix.items():
            o = self.offerings.get((provider, region, type_))
            if o and Pricing.RESERVED in o.prices and o.prices.get(Pricing.ON_DEMAND):
                listed += spend
                paid += spend * float(o.prices[Pricing.RESERVED] / o.prices[Pricing.ON_DEMAND])
        return 1 - paid / listed if listed else None


def _unit(product: Product, key: GroupKey, ref: str, prices: _Prices) -> tuple[float, str, bool]:
    """(on-demand value of one unit per hour, unit name, integer?) of a product in a group."""
    price = prices.on_demand(key[0], key[1], ref)
    if not product.counted:
        return 1.0, "USD/hour", False
    if price is None:  # no catalog price for the type: size it in on-demand money instead
        return 1.0, "on-demand USD/hour", False
    if product is Product.GCP_RESOURCE_CUD:
        o = prices.offerings[(key[0], key[1], ref)]
        return price / o.vcpus, "vCPU", True
    return price, "instances", True


def _smallest(key: GroupKey, profile: Profile, prices: _Prices) -> str:
    """The unit a count is in: the group's cheapest priced size (size flexibility lets one
    unit of it cover any size by normalisation factor), else its most used type."""
    priced = [
        (p, t) for t in profile.types.get(key, {}) if (p := prices.on_demand(key[0], key[1], t))
    ]
    return min(priced)[1] if priced else profile.reference_type(key)


def _leaf_options(
    key: GroupKey, profile: Profile, rates: Sequence[Rate], prices: _Prices, opts: PlanOptions
) -> list[Option]:
    provider, region, fam = key
    ref = _smallest(key, profile, prices)
    products = INSTANCE_SCOPED.get(provider, ())
    chosen = select(rates, opts.terms, opts.payments, region, fam, products)
    catalog = prices.discount(key, profile.types.get(key, {})) if opts.catalog_rates else None
    out = []
    for r in chosen:
        discount = r.discount
        if (
            catalog is not None
            and r.product is products[0]
            and (r.term_months, r.payment)
            == (
                12,
                Payment.NO_UPFRONT,
            )
        ):
            discount = catalog
        value, unit, integer = _unit(r.product, key, ref, prices)
        out.append(Option(r.product, r.term_months, r.payment, discount, value, ref, unit, integer))
    return out


def build(
    profile: Profile, rates: Sequence[Rate], offerings: Sequence[Offering], opts: PlanOptions
) -> PurchaseProblem:
    """One node per (provider, region, family) with its instance-scoped options, under one
    root per provider with its spend-based options."""
    prices = _Prices(
        {(o.provider, o.region, o.type): o for o in offerings if o.platform == "linux"}
    )
    nodes: list[Node] = []
    roots: dict[str, Node] = {}
    for provider in sorted({k[0] for k in profile.usage}):
        chosen = select(
            rates, opts.terms, opts.payments, None, None, PROVIDER_SCOPED.get(provider, ())
        )
        if chosen:
            options = [Option(r.product, r.term_months, r.payment, r.discount) for r in chosen]
            roots[provider] = Node(provider, CommitmentScope(), provider, None, options)
            nodes.append(roots[provider])
    groups = []
    for key in sorted(profile.usage):
        options = _leaf_options(key, profile, rates, prices, opts)
        parent = key[0] if key[0] in roots else None
        scope = CommitmentScope(region=key[1], family=key[2], size_flexible=True)
        if options:
            nodes.append(Node("/".join(key), scope, key[0], parent, options))
        node = "/".join(key) if options else parent
        groups.append(Group("/".join(key), node, profile.usage[key]))
    return PurchaseProblem(nodes, groups, profile.hours)


# ------------------------------------------------------------------ recommendations


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


def _monthly(problem: PurchaseProblem, window_cost: float) -> Decimal:
    return _money(window_cost / problem.hours * HOURS_PER_MONTH)


def _recommendation(
    problem: PurchaseProblem,
    node: Node,
    j: int,
    k: float,
    seen: Evaluation,
    fallen: Evaluation,
) -> Recommendation:
    opt = node.options[j]
    h = problem.hours
    od_hourly = k * opt.unit_value
    fee_hourly = (1 - opt.discount) * od_hourly
    term_cost = fee_hourly * HOURS_PER_MONTH * opt.term_months
    upfront = term_cost * float(opt.payment.upfront_share)
    saved = seen.covered[node.key, j] - fee_hourly * h
    saved_if_fallen = fallen.covered[node.key, j] - fee_hourly * h
    capacity = seen.capacity[node.key, j]
    scope = node.scope.model_copy(update={"type": opt.unit_type if opt.integer else None})
    return Recommendation(
        provider=node.provider,
        product=opt.product,
        scope=scope,
        term_months=opt.term_months,
        payment=opt.payment,
        discount=round(opt.discount, 6),
        hourly_commitment=None if opt.integer else _money(fee_hourly),
        count=round(k) if opt.integer else None,
        unit=opt.unit,
        unit_type=opt.unit_type if opt.integer else None,
        normalized_units=_normalised(opt, k),
        on_demand_hourly=_money(od_hourly),
        upfront=_money(upfront),
        monthly_cost=_money(fee_hourly * HOURS_PER_MONTH * (1 - float(opt.payment.upfront_share))),
        monthly_savings=_monthly(problem, saved),
        break_even_utilization=round(1 - opt.discount, 6),
        expected_utilization=round(seen.covered[node.key, j] / capacity, 6) if capacity else 0.0,
        monthly_savings_if_demand_falls_20pct=_monthly(problem, saved_if_fallen),
    )


def _normalised(opt: Option, k: float) -> float | None:
    if opt.product is not Product.AWS_RESERVED_INSTANCE or not opt.unit_type or not opt.integer:
        return None
    return round(k * normalised_units("aws", opt.unit_type, None), 6)


def _curve(
    problem: PurchaseProblem, units: dict[tuple[str, int], float], baseline: float
) -> list[CurvePoint]:
    by_key = {n.key: n for n in problem.nodes}
    direction = units if any(units.values()) else _full_cover(problem)
    points = []
    for scale in CURVE_STEPS:
        scaled = {
            k: (round(v * scale) if by_key[k[0]].options[k[1]].integer else v * scale)
            for k, v in direction.items()
        }
        cost = evaluate(problem, scaled).cost
        covered = sum(v * by_key[k[0]].options[k[1]].unit_value for k, v in scaled.items())
        points.append(
            CurvePoint(
                scale,
                _money(covered),
                _monthly(problem, baseline - cost),
                scale == 1.0 and direction is units,
            )
        )
    return points


def _full_cover(problem: PurchaseProblem) -> dict[tuple[str, int], float]:
    """When nothing is worth buying: the curve of covering each node's mean usage with its
    best option, so the chart still shows why."""
    usage = problem.node_usage()
    out: dict[tuple[str, int], float] = {}
    for n in problem.nodes:
        if (n.options and n.parent is not None) or (n.options and usage[n.key].any()):
            j = max(range(len(n.options)), key=lambda i: n.options[i].discount)
            out[n.key, j] = float(usage[n.key].mean()) / n.options[j].unit_value
    return out


def plan_purchases(
    profile: Profile, rates: Sequence[Rate], offerings: Sequence[Offering], opts: PlanOptions
) -> PurchasePlan:
    problem = build(profile, rates, offerings, opts)
    result = solve(problem, opts.time_limit, opts.gap)
    units = {k: v for k, v in result.units.items() if v > 1e-9}
    seen = evaluate(problem, units)
    fallen = evaluate(problem, units, DEMAND_FALL)
    by_key = {n.key: n for n in problem.nodes}
    recs = [
        _recommendation(problem, by_key[key], j, k, seen, fallen)
        for (key, j), k in sorted(units.items())
    ]
    baseline = problem.baseline()
    return PurchasePlan(
        hours=problem.hours,
        baseline_monthly=_monthly(problem, baseline),
        planned_monthly=_monthly(problem, seen.cost),
        recommendations=recs,
        curve=_curve(problem, units, baseline),
        solver=result,
        groups=len(problem.groups),
    )
