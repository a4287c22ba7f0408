"""report.plan: one action in full, and what the plan's summary shows of an older plan."""

from __future__ import annotations

from decimal import Decimal

from ops_builders import action, plan

from lepton_cli.report import Format, render
from lepton_cli.report.plan import action_view, summary_table


def _rows(view_table: object) -> dict[str, object]:
    return {str(r[0]): r[1] for r in view_table.rows}  # type: ignore[attr-defined]


def test_one_move_in_full_shows_its_one_time_cost_and_payback() -> None:
    move = action("move-1", "250", kind="move", one_time_cost=Decimal("900"), payback_months=3.6)
    view = action_view(plan([action("a1"), move]), "move-1")
    assert view is not None
    rows = _rows(view.tables[0])
    assert rows["kind"] == "move" and rows["monthly saving USD"] == Decimal("250")
    assert rows["one-time cost USD"] == Decimal("900")
    assert rows["payback months"] == "3.6"  # 900 / 250
    assert rows["resource"] == "i-move-1"
    assert view.document["id"] == "move-1"  # JSON / YAML: the action as the plan holds it


def test_an_action_without_a_move_has_no_payback_rows() -> None:
    view = action_view(plan([action("a1")]), "a1")
    assert view is not None
    assert {"one-time cost USD", "payback months"}.isdisjoint(_rows(view.tables[0]))


def test_an_unknown_action_is_none() -> None:
    assert action_view(plan([action("a1")]), "nope") is None


def test_an_older_plans_budgeted_compute_is_shown() -> None:
    old = plan()
    summary = old.summary.model_copy(update={"budgeted_monthly_cost": Decimal("1234.5")})
    rows = _rows(summary_table(old.model_copy(update={"summary": summary})))
    assert rows["workloads' planned compute"] == "$1,234.50"
    assert "workloads' planned compute" not in _rows(summary_table(old))


def test_the_action_renders_as_csv_with_exact_money() -> None:
    move = action("move-1", "250.125", kind="move", one_time_cost=Decimal("900"))
    view = action_view(plan([move]), "move-1")
    assert view is not None
    text = str(render(view, Format.CSV))
    assert "monthly saving USD,250.125" in text and "one-time cost USD,900" in text
