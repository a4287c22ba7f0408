"""plan diff: actions matched by id, workloads by allocation, verdict and sticky Markdown."""

from __future__ import annotations

from decimal import Decimal

from ops_builders import action, plan, workload

from lepton_cli.plan.diff import diff_plans, money, verdict
from lepton_cli.report import Format, render
from lepton_cli.report.plan import MARKER, diff_markdown, diff_view


def _pair():
    old = plan(
        [action("a1"), action("a2"), action("a3", "50")],
        [workload("checkout-api", 3), workload("batch", 2)],
        planned="46100",
    )
    new = plan(
        [action("a1"), action("a3", "80", risk="medium"), action("a4", "230")],
        [workload("checkout-api", 2), workload("batch", 2), workload("search", 1)],
        planned="45790",
    )
    return old, new


def test_actions_are_matched_by_id():
    d = diff_plans(*_pair())
    assert [a.id for a in d.added] == ["a4"]
    assert [a.id for a in d.removed] == ["a2"]
    assert [(c.new.id, c.fields) for c in d.changed] == [("a3", ("monthly_saving", "risk"))]
    assert d.unchanged == 1


def test_workloads_whose_allocation_changed():
    d = diff_plans(*_pair())
    assert [(w.name, w.old is None, w.new is None) for w in d.workloads] == [
        ("checkout-api", False, False),
        ("search", True, False),
    ]


def test_identical_plans_have_no_difference():
    p = _pair()[1]
    d = diff_plans(p, p)
    assert (d.added, d.removed, d.changed, d.workloads, d.unchanged) == ([], [], [], [], 3)
    assert verdict(d) == "saves $4,210/month, within the $40,000 budget"


def test_verdict_words():
    d = diff_plans(*_pair())
    assert verdict(d) == (
        "saves $4,210/month, within the $40,000 budget (+$310/month vs the previous plan)"
    )
    over = plan(budget="40000", within=False, current="50000", planned="45790", needed="45790")
    assert "over the $40,000 budget (needs $45,790)" in verdict(diff_plans(over, over))
    none = plan(budget=None, status="feasible")
    assert verdict(diff_plans(none, none)) == (
        "saves $4,210/month, no budget set; solver status: feasible"
    )
    assert money(Decimal("1234.6"), "EUR") == "1,235 EUR"


def test_markdown_is_a_sticky_comment():
    md = diff_markdown(diff_plans(*_pair()))
    lines = md.splitlines()
    assert lines[0] == MARKER == "<!-- lepton-plan -->"
    assert lines[1].startswith("**lepton plan** saves $4,210/month, within the $40,000 budget")
    assert "<details>" in md and "</details>" in md
    assert md.index("<summary>") < md.index("| added | a4 |")
    assert "1 actions added, 1 removed, 1 changed, 1 unchanged; 2 workloads re-allocated" in md


def test_json_document_carries_the_changes():
    import json

    doc = json.loads(str(render(diff_view(diff_plans(*_pair())), Format.JSON)))
    assert doc["apiVersion"] == "lepton/v1" and doc["kind"] == "PlanDiff"
    assert doc["monthly_savings_delta"] == "310"
    assert doc["actions"]["changed"][0]["changed"]["risk"] == {"old": "low", "new": "medium"}
    assert [a["id"] for a in doc["actions"]["added"]] == ["a4"]
    assert doc["old"]["solver"]["status"] == "optimal"


def test_the_json_output_is_the_documents_own_serialisation():
    import json

    from lepton_cli.fileio import dump_json
    from lepton_cli.plan.diff import PlanDiffDocument

    text = str(render(diff_view(diff_plans(*_pair())), Format.JSON))
    doc = PlanDiffDocument.model_validate_json(text)  # the output reads back as the model ...
    assert dump_json(doc.data()) == text  # ... and writes back the same
    # The diff's own empty fields stay (null); the plans' unset fields are left out, as in a plan.
    search = next(w for w in json.loads(text)["workloads"] if w["name"] == "search")
    assert search["old"] is None and "min_zones" not in search["new"]
    assert doc.workloads[1].new is not None and doc.workloads[1].new.name == "search"
