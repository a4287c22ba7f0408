"""The purchase plan as a document: what `lepton commitments plan` writes, and the
``commitments:`` section of a Plan made by `lepton optimize --commitments plan`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_serializer
from pydantic_core.core_schema import SerializerFunctionWrapHandler

from lepton_cli.commitments.model import CommitmentScope, Payment, Product
from lepton_cli.models.base import Model

if TYPE_CHECKING:  # the planner loads numpy and HiGHS: only when a plan is made
    from lepton_cli.commitments.purchase import PurchasePlan, Recommendation


class RecommendationDoc(Model):
    provider: str
    product: Product
    scope: CommitmentScope
    term_months: int
    payment: Payment
    discount: float
    hourly_commitment: Decimal | None = None
    count: int | None = None
    unit: str
    unit_type: str | None = None
    normalized_units: float | None = None
    on_demand_hourly: Decimal
    upfront: Decimal
    monthly_cost: Decimal
    monthly_savings: Decimal
    break_even_utilization: float
    expected_utilization: float
    monthly_savings_if_demand_falls_20pct: Decimal


class CurvePointDoc(Model):
    scale: float
    hourly_on_demand_covered: Decimal
    monthly_net_savings: Decimal
    chosen: bool = False


class CurveSeries(Model):
    """Chart-ready: x = on-demand value covered per hour, y = net monthly savings."""

    x: list[Decimal]
    y: list[Decimal]
    chosen_index: int | None = None


class SolverDoc(Model):
    status: str
    objective: float
    bound: float
    gap: float
    seconds: float


class CommitmentPlanDoc(Model):
    source: str
    lookback_days: int
    hours: int
    groups: int
    baseline_monthly_cost: Decimal
    planned_monthly_cost: Decimal
    monthly_savings: Decimal
    upfront: Decimal
    solver: SolverDoc
    recommendations: list[RecommendationDoc] = Field(default_factory=list)
    savings_curve: list[CurvePointDoc] = Field(default_factory=list)
    savings_curve_series: CurveSeries
    # owned commitments the plan stops using: still paid, reported, never saved
    unused_commitment_monthly_cost: Decimal = Decimal(0)


def _recommendation(r: Recommendation) -> RecommendationDoc:
    return RecommendationDoc.model_validate(r.__dict__)


def to_document(plan: PurchasePlan, source: str, lookback_days: int) -> CommitmentPlanDoc:
    curve = [CurvePointDoc.model_validate(p.__dict__) for p in plan.curve]
    chosen = next((i for i, p in enumerate(curve) if p.chosen), None)
    s = plan.solver
    return CommitmentPlanDoc(
        source=source,
        lookback_days=lookback_days,
        hours=plan.hours,
        groups=plan.groups,
        baseline_monthly_cost=plan.baseline_monthly,
        planned_monthly_cost=plan.planned_monthly,
        monthly_savings=plan.monthly_savings,
        upfront=sum((r.upfront for r in plan.recommendations), Decimal(0)),
        solver=SolverDoc(
            status=s.status,
            objective=round(s.cost, 6),
            bound=round(s.bound, 6),
            gap=round(s.gap, 9),
            seconds=round(s.seconds, 3),
        ),
        recommendations=[_recommendation(r) for r in plan.recommendations],
        savings_curve=curve,
        savings_curve_series=CurveSeries(
            x=[p.hourly_on_demand_covered for p in curve],
            y=[p.monthly_net_savings for p in curve],
            chosen_index=chosen,
        ),
    )


class CommitmentPlan(CommitmentPlanDoc):
    """The purchase plan as `lepton commitments plan` prints it: ``apiVersion`` and ``kind``
    first, then the plan (the fields it has: no nulls)."""

    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")
    kind: Literal["CommitmentPlan"] = "CommitmentPlan"

    @model_serializer(mode="wrap")
    def _head_first(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        head: dict[str, Any] = {k: out.pop(k) for k in ("apiVersion", "kind") if k in out}
        return {**head, **out}

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="python", by_alias=True, exclude_none=True)


def plan_document(doc: CommitmentPlanDoc) -> CommitmentPlan:
    return CommitmentPlan.model_validate(dict(doc))
