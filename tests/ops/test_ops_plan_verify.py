"""plan verify: each action's resources must still exist with the expected type, pricing, state."""

from __future__ import annotations

from decimal import Decimal

from ops_builders import action, plan

from lepton_cli.models import Resource
from lepton_cli.plan.verify import verify
from lepton_cli.report.plan import verification_view


def _live(**changes: object) -> list[Resource]:
    base = {"provider": "aws", "account": "111122223333", "region": "us-east-1",
            "type": "m5.xlarge", "pricing": "on-demand", "state": "running",
            "hourly_cost": Decimal("0.192")}  # fmt: skip
    return [
        Resource.model_validate({**base, "id": "i-a1"}),
        Resource.model_validate({**base, "id": "i-a2", **changes}),
    ]


def test_plan_holds_when_everything_matches():
    v = verify(plan([action("a1"), action("a2")]), _live())
    assert v.holds and v.checked == 2 and v.drifts == []


def test_each_kind_of_drift_is_reported():
    p = plan([action("a1"), action("a2")])
    for change, what in [
        ({"type": "m5.2xlarge"}, "type"),
        ({"pricing": "spot"}, "pricing"),
        ({"state": "stopped"}, "state"),
    ]:
        v = verify(p, _live(**change))
        assert [(d.action_id, d.resource_id, d.what) for d in v.drifts] == [("a2", "i-a2", what)]
        assert not v.holds


def test_a_missing_resource_is_drift():
    v = verify(plan([action("a1"), action("a2")]), _live()[:1])
    assert [(d.resource_id, d.what) for d in v.drifts] == [("i-a2", "missing")]
    assert "no longer exists" in v.drifts[0].describe()


def test_same_id_on_another_provider_does_not_count():
    live = [r.model_copy(update={"provider": "gcp"}) for r in _live()]
    assert len(verify(plan([action("a1")]), live).drifts) == 1


def test_digest_change_is_a_note_unless_strict():
    p = plan([action("a1")])
    loose = verify(p, _live(), current_digest="sha256:other")
    assert loose.holds and loose.digest_changed
    assert "inputs changed" in " ".join(verification_view(loose).lines)
    strict = verify(p, _live(), current_digest="sha256:other", strict=True)
    assert not strict.holds and strict.drifts[-1].what == "inputs-digest"
    same = verify(p, _live(), current_digest=p.metadata.inputs_digest, strict=True)
    assert same.holds and not same.digest_changed


def test_the_json_output_is_the_documents_own_serialisation():
    import json

    from lepton_cli.plan.verify import VerificationDocument, verification_document
    from lepton_cli.report import Format, render

    v = verify(plan([action("a1"), action("a2")]), _live(type="m5.2xlarge"))
    text = str(render(verification_view(v), Format.JSON))
    doc = VerificationDocument.model_validate_json(text)
    assert doc == verification_document(v) and not doc.holds
    data = json.loads(text)
    assert data["inputs_digest"] == {"plan": v.plan_digest, "current": None}
    assert data["drifts"] == [
        {"action_id": "a2", "resource_id": "i-a2", "what": "type",
         "expected": "m5.xlarge", "actual": "m5.2xlarge"}
    ]  # fmt: skip
