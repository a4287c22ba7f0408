"""Charts for ``--format html``, built from the documents the commands already produce.

Each function returns :class:`Chart` data only (Plotly traces and layout); the page is made by
:mod:`lepton_cli.report.html`. Money is kept exact until it becomes a chart coordinate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lepton_cli.report.html import Chart

if TYPE_CHECKING:
    from lepton_cli.analysis.forecast import ForecastPath
    from lepton_cli.plan.diff import PlanDiff
    from lepton_cli.plan.model import Action, Plan

# Which lever of the savings waterfall each action kind pulls.
LEVERS = {
    "terminate": "idle and unattached",
    "stop": "idle and unattached",
    "delete-volume": "idle and unattached",
    "release-address": "idle and unattached",
    "delete-snapshot": "idle and unattached",
    "rightsize": "rightsizing",
    "scale-down": "rightsizing",
    "scale-up": "rightsizing",
    "convert-pricing": "pricing",
    "move": "moves",
}
BAND = "rgba(99,110,250,0.2)"
LEVER_ORDER = ("idle and unattached", "rightsizing", "pricing", "moves", "other changes")


def lever_savings(plan: Plan) -> dict[str, Decimal]:
    """Monthly saving per lever; what the actions do not account for is "other changes", so the
    levers always sum to the plan's saving exactly."""
    levers = dict.fromkeys(LEVER_ORDER, Decimal(0))
    for action in plan.actions:
        levers[LEVERS.get(action.kind.value, "other changes")] += action.monthly_saving
    levers["other changes"] += plan.summary.monthly_savings - sum(levers.values(), Decimal(0))
    return {k: v for k, v in levers.items() if v != 0}


def waterfall(plan: Plan) -> Chart:
    """Current cost, one bar down (or up) per lever, planned cost."""
    s, cur = plan.summary, plan.metadata.currency
    levers = lever_savings(plan)
    trace = {
        "type": "waterfall",
        "orientation": "v",
        "x": ["current", *levers, "planned"],
        "y": [s.current_monthly_cost, *(-v for v in levers.values()), s.planned_monthly_cost],
        "measure": ["absolute", *(["relative"] * len(levers)), "total"],
        "text": [
            _money(s.current_monthly_cost),
            *(_money(-v) for v in levers.values()),
            _money(s.planned_monthly_cost),
        ],
        "textposition": "outside",
    }
    layout = {"yaxis": {"title": {"text": f"{cur} a month"}}, "showlegend": False}
    return Chart(f"Monthly cost, current to planned ({cur})", "waterfall", [trace], layout)


def one_time_costs(actions: Iterable[Action]) -> Chart | None:
    """One-time costs of moves, shown apart from the monthly waterfall."""
    paid = [(a.workload or a.id, a.one_time_cost) for a in actions if a.one_time_cost]
    if not paid:
        return None
    trace = {"type": "bar", "x": [p[0] for p in paid], "y": [p[1] for p in paid]}
    return Chart("One-time costs (not monthly)", "one-time", [trace], {"showlegend": False})


def workload_costs(plan: Plan) -> Chart:
    """Per workload, what it costs today against what the plan has it cost."""
    names = [w.name for w in plan.workloads]
    before = {"type": "bar", "name": "current", "x": names,
              "y": [w.current_monthly_cost for w in plan.workloads]}  # fmt: skip
    after = {"type": "bar", "name": "planned", "x": names,
             "y": [w.planned_monthly_cost for w in plan.workloads]}  # fmt: skip
    layout = {"barmode": "group", "yaxis": {"title": {"text": f"{plan.metadata.currency} a month"}}}
    return Chart("Per workload, before and after", "workloads", [before, after], layout)


def plan_charts(plan: Plan) -> list[Chart]:
    charts = [waterfall(plan)]
    extra = one_time_costs(plan.actions)
    charts += [extra] if extra else []
    charts += [workload_costs(plan)] if plan.workloads else []
    rules = rule_costs(plan)
    return [*charts, rules] if rules else charts


def rule_costs(plan: Plan) -> Chart | None:
    """What each binding rule costs a month, costliest first (from the plan's sensitivity)."""
    costs = plan.sensitivity.rule_costs if plan.sensitivity else None
    if not costs:
        return None
    labels = [f"{c.rule} {c.value:g} on {c.workload}" for c in costs]
    trace = {"type": "bar", "orientation": "h", "x": [c.monthly_cost for c in costs],
             "y": labels, "text": [_money(c.monthly_cost) for c in costs]}  # fmt: skip
    layout = {"showlegend": False, "yaxis": {"autorange": "reversed", "automargin": True},
              "xaxis": {"title": {"text": f"{plan.metadata.currency} a month"}}}  # fmt: skip
    return Chart("What each binding rule costs", "rule-costs", [trace], layout)


def diff_charts(d: PlanDiff) -> list[Chart]:
    """Cost and savings of the old plan beside the new, and what happened to the actions."""
    labels = ["current", "planned", "savings"]

    def bars(plan: Plan, name: str) -> dict[str, Any]:
        s = plan.summary
        values = [s.current_monthly_cost, s.planned_monthly_cost, s.monthly_savings]
        return {"type": "bar", "name": name, "x": labels, "y": values}

    money = Chart("Old plan and new plan, a month", "diff-money",
                  [bars(d.old, "old"), bars(d.new, "new")], {"barmode": "group"})  # fmt: skip
    counts = [len(d.added), len(d.removed), len(d.changed), d.unchanged]
    actions = {"type": "bar", "x": ["added", "removed", "changed", "unchanged"], "y": counts}
    return [money, Chart("Actions", "diff-actions", [actions], {"showlegend": False})]


def treemap(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], value: str, currency: str = ""
) -> Chart | None:
    """The grouping as a treemap of ``value``, for one currency only (never mixed): the rows'
    first when they carry one, else ``currency``."""
    if not rows:
        return None
    currency = rows[0].get("currency", currency)
    mine = [r for r in rows if r.get("currency", currency) == currency and r.get(value)]
    labels = [" / ".join(str(r.get(k) or "(none)") for k in keys) for r in mine]
    values = [r[value] for r in mine]
    trace = {"type": "treemap", "labels": labels, "parents": [""] * len(labels),
             "values": values, "textinfo": "label+value+percent root"}  # fmt: skip
    return Chart(f"{value} by {', '.join(keys)} ({currency})", "treemap", [trace])


def _money(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value).quantize(Decimal('0.01')):,}"


def scan_charts(document: Mapping[str, Any]) -> list[Chart]:
    """Where the money runs (treemap of the summary) and what the findings would save."""
    keys = ["provider", "account", "region", "kind"]
    summary = document.get("summary", [])
    charts = [c for c in [treemap(summary, keys, "monthly_cost", document["currency"])] if c]
    saving: dict[str, Decimal] = {}
    for row in document.get("findings", []):
        kind, amount = row["finding"], Decimal(row["monthly_saving"])
        saving[kind] = saving.get(kind, Decimal(0)) + amount
    if saving:
        trace = {"type": "bar", "x": list(saving), "y": list(saving.values())}
        layout = {"showlegend": False, "yaxis": {"title": {"text": "saving a month"}}}
        charts.append(Chart("What the findings would save", "findings", [trace], layout))
    return charts


def stacked_daily(rows: Sequence[Any], key: str) -> Chart | None:
    """Daily billed cost stacked by ``key``, from cost rows grouped by ("day", key): one trace
    per value, the first currency only (never mixed)."""
    if not rows:
        return None
    currency = rows[0].currency
    mine = [r for r in rows if r.currency == currency and r.keys.get("day")]
    days = sorted({r.keys["day"] for r in mine})
    by_value: dict[str, dict[str, Decimal]] = {}
    for r in mine:
        series = by_value.setdefault(str(r.keys.get(key) or "(none)"), {})
        series[r.keys["day"]] = series.get(r.keys["day"], Decimal(0)) + r.billed_cost
    traces = [
        {"type": "bar", "name": name, "x": days, "y": [series.get(d, Decimal(0)) for d in days]}
        for name, series in sorted(by_value.items())
    ]
    layout = {"barmode": "stack", "yaxis": {"title": {"text": f"billed {currency} a day"}}}
    return Chart(f"Daily cost by {key} ({currency})", "stacked-daily", traces, layout)


def burn_down(name: str, amount: Decimal, currency: str, path: ForecastPath) -> Chart:
    """Month-to-date cumulative actual, the forecast to month end inside its 90% band, and
    the budget line (analysis/forecast.py says how the band is made)."""
    days = [d.isoformat() for d in path.forecast_days]
    actual = {"type": "scatter", "mode": "lines+markers", "name": "actual",
              "x": [d.isoformat() for d in path.actual_days], "y": path.actual}  # fmt: skip
    low = {"type": "scatter", "mode": "lines", "name": "band (90%)", "x": days, "y": path.low,
           "line": {"width": 0}, "showlegend": False}  # fmt: skip
    high = {"type": "scatter", "mode": "lines", "name": "band (90%)", "x": days, "y": path.high,
            "line": {"width": 0}, "fill": "tonexty", "fillcolor": BAND}  # fmt: skip
    forecast = {"type": "scatter", "mode": "lines", "name": "forecast", "x": days,
                "y": path.forecast, "line": {"dash": "dash"}}  # fmt: skip
    start, end = path.actual_days[0].isoformat(), days[-1]
    line = {"type": "scatter", "mode": "lines", "name": f"budget {_money(amount)}",
            "x": [start, end], "y": [amount, amount], "line": {"color": "crimson"}}  # fmt: skip
    layout = {"yaxis": {"title": {"text": f"{currency}, month to date"}}}
    return Chart(f"Burn-down: {name} ({currency})", "burn-down",
                 [actual, low, high, forecast, line], layout)  # fmt: skip
