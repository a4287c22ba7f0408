"""The budget sweep's document (apiVersion lepton/v1, kind Frontier), its tables and its curve."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from lepton_cli.fileio import plain
from lepton_cli.models.base import Model
from lepton_cli.models.money import fmt_money, to_cents
from lepton_cli.report.html import Chart
from lepton_cli.report.render import Table, View

if TYPE_CHECKING:
    from lepton_cli.optimizer.sweep import Frontier

KNEE_RULE = (
    "the point farthest from the chord between the first and the last solved points, "
    "budget and performance each scaled to [0, 1]"
)


class FrontierPoint(Model):
    budget: Decimal  # the whole planned monthly bill allowed, as --budget
    planned_cost: Decimal  # the plan's whole monthly bill
    performance: float  # priority-weighted perf-vCPUs
    status: str  # optimal | feasible | over-budget (below the cheapest plan: that plan shown)
    gap: float | None = None
    shadow_price: float | None = None  # perf-vCPUs one more currency unit a month buys
    knee: bool = False


class FrontierDoc(Model):
    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")
    kind: Literal["Frontier"] = "Frontier"
    objective: Literal["efficiency"] = "efficiency"
    currency: str
    knee_rule: str = KNEE_RULE
    knee: Decimal | None = None  # the knee's budget
    points: list[FrontierPoint] = Field(default_factory=list)


def frontier_doc(frontier: Frontier) -> FrontierDoc:
    points = [
        FrontierPoint(
            budget=p.budget,
            planned_cost=to_cents(p.planned_cost),
            performance=round(p.performance, 6),
            status=p.status,
            gap=None if p.gap is None else round(p.gap, 9),
            shadow_price=None if p.shadow_price is None else round(p.shadow_price, 9),
            knee=i == frontier.knee,
        )
        for i, p in enumerate(frontier.points)
    ]
    knee = frontier.points[frontier.knee].budget if frontier.knee is not None else None
    return FrontierDoc(currency=frontier.currency, knee=knee, points=points)


def _gap(value: float | None) -> str:
    return "" if value is None else f"{value:.2%}"


def frontier_view(doc: FrontierDoc) -> View:
    """The frontier for people (one row a budget, the knee marked) and machines (the doc)."""
    cur = doc.currency
    cols = ["budget", "planned cost", "performance", "perf per extra unit", "status", "gap", ""]
    rows = [
        [
            fmt_money(p.budget, cur),
            fmt_money(p.planned_cost, cur),
            f"{p.performance:,.1f}",
            "" if p.shadow_price is None else f"{p.shadow_price:.4g}",
            p.status,
            _gap(p.gap),
            "knee" if p.knee else "",
        ]
        for p in doc.points
    ]
    table = Table(f"Budget sweep, efficiency ({cur} a month)", cols, rows, frozenset(cols[:4]))
    knee = f"knee at {fmt_money(doc.knee, cur)}" if doc.knee is not None else "no knee"
    lines = [f"{len(doc.points)} budgets; {knee} ({doc.knee_rule})"]
    view = View(plain(doc), [table], lines, title="lepton budget sweep")
    view.charts = [frontier_chart(doc)]
    return view


def frontier_chart(doc: FrontierDoc) -> Chart:
    """Performance against budget, the knee marked."""
    solved = [p for p in doc.points if p.status != "over-budget"]
    curve = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "performance",
        "x": [p.budget for p in solved],
        "y": [p.performance for p in solved],
    }
    traces: list[dict[str, Any]] = [curve]
    knee = [p for p in solved if p.knee]
    if knee:
        traces.append({"type": "scatter", "mode": "markers+text", "name": "knee",
                       "x": [knee[0].budget], "y": [knee[0].performance], "text": ["knee"],
                       "textposition": "top left", "marker": {"size": 14}})  # fmt: skip
    layout = {
        "xaxis": {"title": {"text": f"budget, {doc.currency} a month"}},
        "yaxis": {"title": {"text": "performance (perf-vCPUs)"}},
    }
    return Chart("Performance the budget buys", "frontier", traces, layout)
