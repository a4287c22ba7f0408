"""The cost report document: group keys flat in each row (a missing tag is null), the fleet
total typed and apart from the rows, and the document reads back as itself."""

from __future__ import annotations

import json
from decimal import Decimal

from lepton_cli.analysis.report import CostReport, inventory_report
from lepton_cli.fileio import dump_json
from lepton_cli.models import Inventory, Resource

HOURS = Decimal(730)


def _vm(rid: str, hourly: str, tags: dict[str, str]) -> Resource:
    return Resource.model_validate(
        {
            "id": rid,
            "provider": "gcp",
            "account": "p-1",
            "region": "europe-west1",
            "kind": "compute",
            "type": "n2-standard-4",
            "hourly_cost": hourly,
            "vcpus": 4,
            "memory_gib": 16,
            "tags": tags,
        }
    )


def test_rows_keep_their_keys_first_and_a_missing_tag_as_null() -> None:
    inv = Inventory(resources=[_vm("a", "0.2", {"team": "ml"}), _vm("b", "0.1", {})])
    doc = inventory_report(inv, ["tag:team", "region"])
    data = json.loads(dump_json(doc.data()))
    assert [list(r)[:3] for r in data["rows"]] == [["tag:team", "region", "currency"]] * 2
    assert [r["tag:team"] for r in data["rows"]] == ["ml", None]
    assert [Decimal(r["billed_cost"]) for r in data["rows"]] == [
        Decimal("0.2") * HOURS,
        Decimal("0.1") * HOURS,
    ]
    assert "total" not in data and "corrections" not in data["rows"][0]
    assert doc.total is not None and doc.total.keys == {}
    assert doc.total.billed_cost == Decimal("0.3") * HOURS
    assert doc.billed_totals() == {"USD": Decimal("0.3") * HOURS}
    again = CostReport.model_validate(data)
    assert again.rows[1].keys == {"tag:team": None, "region": "europe-west1"}
    assert again.data() == CostReport.model_validate(doc.data()).data()


def test_an_empty_inventory_has_no_rows_and_no_total() -> None:
    doc = inventory_report(Inventory(), ["provider"])
    assert doc.rows == [] and doc.total is None
