"""The plan document (apiVersion lepton/v1, kind Plan): the contract a PR reviews.

Built by ``plan.build`` from an optimiser solution, written by ``plan.io``, compared by
``plan.diff`` and checked against live state by ``plan.verify``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field

from lepton_cli.commitments.document import CommitmentPlanDoc
from lepton_cli.models import Pricing, ResourceState
from lepton_cli.models.base import Model
from lepton_cli.models.optimization import Objective as Objective  # re-exported: plan vocabulary
from lepton_cli.models.optimization import SolverStatus as SolverStatus


class ActionKind(StrEnum):
    TERMINATE = "terminate"
    RIGHTSIZE = "rightsize"
    CONVERT_PRICING = "convert-pricing"
    MOVE = "move"
    SCALE_UP = "scale-up"
    SCALE_DOWN = "scale-down"
    STOP = "stop"
    DELETE_VOLUME = "delete-volume"
    RELEASE_ADDRESS = "release-address"
    DELETE_SNAPSHOT = "delete-snapshot"


class StepOp(StrEnum):
    """One operation on one resource inside an action. ``lepton apply`` automates the in-place
    ones (terminate, stop, resize, delete-volume, release-address, delete-snapshot); launch,
    convert-pricing and anything that crosses a provider or region are manual steps."""

    TERMINATE = "terminate"
    STOP = "stop"
    RESIZE = "resize"  # change an existing instance's type in place (same provider and region)
    CONVERT_PRICING = "convert-pricing"
    LAUNCH = "launch"  # new instances of `to` (no existing resource)
    DELETE_VOLUME = "delete-volume"
    RELEASE_ADDRESS = "release-address"
    DELETE_SNAPSHOT = "delete-snapshot"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PlanMetadata(Model):
    created: dt.datetime  # from SOURCE_DATE_EPOCH when set, for byte-identical plans
    lepton_version: str
    inputs_digest: str  # sha256 of the canonical normalised inputs
    catalog_date: str
    objective: Objective = Objective.COST
    budget: Decimal | None = None  # bounds the whole planned monthly bill
    currency: str = "USD"
    max_changes: int | None = None
    no_perf: bool | None = None  # planned on raw vCPUs (--no-perf)
    assumptions: list[str] = Field(default_factory=list)  # defaults the inputs did not state


class SolverInfo(Model):
    name: str
    status: SolverStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float = 0.0
    # How many workloads are proven optimal, were cut by the time limit (the solver's
    # incumbent), or are on the greedy fallback (no time left, or greedy was better).
    proven_optimal: int | None = None
    cut_by_limit: int | None = None
    on_fallback: int | None = None


class Summary(Model):
    current_monthly_cost: Decimal
    planned_monthly_cost: Decimal  # the whole bill after the plan: what --budget bounds
    monthly_savings: Decimal
    within_budget: bool
    needed_budget: Decimal | None = None  # set when over budget
    compute_monthly_cost: Decimal | None = None  # the workloads' compute the optimizer chose
    one_time_cost: Decimal | None = None  # moves: data copied out, instances placed anew
    savings_by_lever: dict[str, Decimal] = Field(default_factory=dict)  # idle, clean-up, ...
    budgeted_monthly_cost: Decimal | None = None  # older plans: the compute --budget bounded
    current_used_cost: Decimal | None = None  # C = sum c_i * u_i
    current_idle_cost: Decimal | None = None  # sum c_i * (1 - u_i)
    current_efficiency: float | None = None  # P = sum capacity_i * perf_i
    planned_efficiency: float | None = None


class DemandSpec(Model):
    vcpu: float
    memory_gib: float
    gpus: int | None = None


class Allocation(Model):
    provider: str
    region: str
    type: str
    pricing: Pricing
    count: int = Field(ge=0)
    monthly_cost: Decimal
    zone: str | None = None  # named when the workload spreads over zones


class WorkloadPlan(Model):
    name: str
    demand: DemandSpec
    current_monthly_cost: Decimal = Decimal(0)
    planned_monthly_cost: Decimal = Decimal(0)
    allocations: list[Allocation] = Field(default_factory=list)
    min_zones: int | None = None  # the zone-spread rule `plan verify` checks


class HeldBack(Model):
    """A workload the plan leaves as it runs today, and what changing it would save."""

    workload: str
    monthly_saving: Decimal
    one_time_cost: Decimal = Decimal(0)
    reason: str


class ResourceRef(Model):
    """A resource an action touches, with the state the plan expects it in (checked by verify)."""

    id: str
    provider: str
    account: str = ""
    region: str = ""
    type: str | None = None
    pricing: Pricing | None = None
    state: ResourceState | None = None


class Placement(Model):
    provider: str | None = None
    region: str | None = None
    type: str | None = None
    pricing: Pricing | None = None
    count: int | None = None
    monthly_cost: Decimal | None = None


class Step(Model):
    op: StepOp
    resource: ResourceRef | None = None  # the existing resource acted on; None for launch
    to: Placement | None = None  # the target (type, pricing, placement, count)


class Action(Model):
    id: str  # stable: a digest of kind + workload + the resources and target it names
    kind: ActionKind
    workload: str | None = None
    resources: list[ResourceRef] = Field(default_factory=list)
    from_: Placement | None = Field(default=None, alias="from")
    to: Placement | None = None
    monthly_saving: Decimal
    reason: str
    risk: Risk = Risk.LOW
    steps: list[Step] = Field(default_factory=list)  # per-resource operations, in order
    one_time_cost: Decimal | None = None  # a move's copy and migration cost
    payback_months: float | None = None


class BudgetSensitivity(Model):
    """Efficiency plans: what one more currency unit of budget buys, from the Lagrange
    multiplier of the budget row (optimizer/efficiency.py), and where that holds."""

    shadow_price: float  # perf-vCPUs a month per extra currency unit of the monthly budget
    multiplier_low: float  # the multiplier bracket the search ended with
    multiplier_high: float
    valid_from: Decimal  # budgets (the whole bill) over which the shadow price holds
    valid_to: Decimal | None = None  # None: no upper end (the capacity caps stop growth first)


class RuleCost(Model):
    """Cost plans: what one binding rule of one workload costs a month (the workload re-solved
    without it; amortised one-time costs included)."""

    workload: str
    rule: str  # spread.min_providers | spread.min_zones | survive_loss_of_provider | min_replicas
    value: float
    monthly_cost: Decimal


class Sensitivity(Model):
    budget: BudgetSensitivity | None = None
    # Cost plans: the binding rules, costliest first (empty: none binds), and the rules not
    # priced in time ("rule on workload"). Efficiency plans leave both out.
    rule_costs: list[RuleCost] | None = None
    not_computed: list[str] | None = None


class Plan(Model):
    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")
    kind: Literal["Plan"] = "Plan"
    metadata: PlanMetadata
    solver: SolverInfo
    summary: Summary
    workloads: list[WorkloadPlan] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    commitments: CommitmentPlanDoc | None = None  # `lepton optimize --commitments plan`
    held_back: list[HeldBack] = Field(default_factory=list)
    sensitivity: Sensitivity | None = None  # shadow price (efficiency) or rule costs (cost)
