"""Costs from the BigQuery billing export through the real BigQuery and Billing clients."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import gcp_fixtures as fx
import pytest
from gcp_fake import FakeGoogle
from pydantic import ValidationError

from lepton_cli.errors import InputError
from lepton_cli.models import Period
from lepton_cli.providers.base import ProviderContext
from lepton_cli.providers.gcp import GcpConfig, GcpProvider

TABLE = "billing-admin.billing.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9"
OCTOBER = Period.month("2026-10")


def provider(google: FakeGoogle, tmp_path: Path, **config: Any) -> GcpProvider:
    endpoints = {"billing": google.url, "bigquery": google.url}
    data = {"billing_export_table": TABLE, "endpoints": endpoints, **config}
    return GcpProvider(GcpConfig.model_validate(data), ProviderContext(cache_dir=tmp_path))


def export(google: FakeGoogle) -> None:
    """Two pages of export aggregates: usage with credits, spot, a commitment and a tax line."""
    team = json.dumps([{"key": "team", "value": "web"}])
    vm = "//compute.googleapis.com/projects/shop-prod/zones/us-central1-a/instances/1001"
    google.bq_pages = [
        [
            fx.cost_row(
                "shop-prod",
                "Compute Engine",
                "N2 Instance Core running in Americas",
                "92.306",
                "-23.45",
                team,
                resource=vm,
            ),
            fx.cost_row(
                "shop-prod",
                "Compute Engine",
                "Spot Preemptible E2 Instance Core running in Americas",
                "4.8180",
                "0",
            ),
        ],
        [
            fx.cost_row(
                "shop-prod",
                "Compute Engine",
                "Commitment v1: N2 Cpu in Americas for 1 Year",
                "58.1518",
                "0",
            ),
            fx.cost_row(
                "shop-prod", "Cloud Storage", "Standard Storage US Multi-region", "12.001", "-0.5"
            ),
            fx.cost_row("shop-prod", "Invoice", "Tax", "3.10", "0", cost_type="tax"),
        ],
    ]


def test_records_use_focus_names_and_credits_lower_effective_cost(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    export(google)
    records = list(provider(google, tmp_path).costs(OCTOBER))
    assert len(records) == 5  # both pages
    core = records[0]
    assert (core.provider_name, core.billing_account_id, core.sub_account_id) == (
        "Google Cloud",
        fx.ACCOUNT,
        "shop-prod",
    )
    assert (core.billed_cost, core.effective_cost) == (Decimal("92.306"), Decimal("68.856"))
    assert core.effective_cost < core.billed_cost
    assert (core.service_name, core.service_category, core.region_id) == (
        "Compute Engine",
        "Compute",
        "us-central1",
    )
    assert core.resource_id.endswith("/instances/1001") and core.tags == {"team": "web"}
    assert (core.consumed_quantity, core.consumed_unit) == (Decimal(730), "hour")
    assert (core.billing_period_start, core.charge_period_start.date()) == (
        OCTOBER.start,
        OCTOBER.start,
    )
    assert [r.pricing_category for r in records[:3]] == ["Standard", "Dynamic", "Committed"]
    assert records[4].charge_category == "Tax"
    assert sum(r.billed_cost for r in records) == Decimal("170.3768")
    assert sum(r.effective_cost for r in records) == Decimal("146.4268")


def test_query_is_parameterised(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    export(google)
    prov = provider(
        google, tmp_path, projects=["shop-prod", "shop-dev"], billing_account=fx.ACCOUNT
    )
    google.billing.update({"shop-prod": fx.ACCOUNT, "shop-dev": fx.ACCOUNT})
    list(prov.costs(OCTOBER))
    (query,) = [c for c in google.calls_to(r"/queries$") if c.method == "POST"]
    assert query.path == "/bigquery/v2/projects/billing-admin/queries"
    body = query.body
    sql = body["query"]
    params = {p["name"]: p for p in body["queryParameters"]}
    assert body["useLegacySql"] is False and body["parameterMode"] == "NAMED"
    assert params["period_start"]["parameterValue"]["value"].startswith("2026-10-01")
    assert params["period_end"]["parameterValue"]["value"].startswith("2026-11-01")
    assert params["billing_account"]["parameterValue"]["value"] == fx.ACCOUNT
    assert [v["value"] for v in params["projects"]["parameterValue"]["arrayValues"]] == [
        "shop-prod",
        "shop-dev",
    ]
    for user_value in ("2026-10", "shop-prod", "shop-dev", fx.ACCOUNT):
        assert user_value not in sql
    assert f"FROM `{TABLE}`" in sql and "resource.global_name" in sql
    assert "UNNEST(credits)" in sql


def test_standard_export_has_no_resource_column(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    table = "billing-admin.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"
    list(provider(google, tmp_path, billing_export_table=table).costs(OCTOBER))
    (query,) = google.calls_to(r"/queries$")
    assert "resource.global_name" not in query.body["query"]
    params = {p["name"]: p for p in query.body["queryParameters"]}
    assert params["projects"]["parameterValue"].get("arrayValues", []) == []


def test_project_billed_elsewhere_is_a_failure(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    google.billing.update({"shop-prod": fx.ACCOUNT, "lab": "0AAAAA-BBBBBB-CCCCCC"})
    prov = provider(
        google, tmp_path, projects=["shop-prod", "lab-project"], billing_account=fx.ACCOUNT
    )
    google.billing["lab-project"] = "0AAAAA-BBBBBB-CCCCCC"
    list(prov.costs(OCTOBER))
    (failure,) = prov.failures
    assert failure.scope == "project lab-project / billing"
    assert "0AAAAA-BBBBBB-CCCCCC" in failure.message
    (query,) = google.calls_to(r"/queries$")
    params = {p["name"]: p for p in query.body["queryParameters"]}
    assert [v["value"] for v in params["projects"]["parameterValue"]["arrayValues"]] == [
        "shop-prod"
    ]


def test_query_error_is_a_failed_scope(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    google.failing[r"/queries$"] = (404, f"Not found: Table {TABLE}")
    prov = provider(google, tmp_path)
    assert list(prov.costs(OCTOBER)) == []
    (failure,) = prov.failures
    assert failure.scope == f"billing export {TABLE}" and "Not found: Table" in failure.message
    assert "billing_export_table" in (failure.hint or "")


def test_missing_table_is_an_input_error(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="billing_export_table") as info:
        list(provider(google, tmp_path, billing_export_table=None).costs(OCTOBER))
    assert "--no-costs" in (info.value.hint or "")


@pytest.mark.parametrize(
    "table",
    [
        "proj.billing.export`; DROP TABLE x; --",
        "billing.gcp_billing_export_v1_X",
        "my-project.billing.export table",
        "My_Project.billing.export",
    ],
)
def test_unsafe_table_names_are_rejected(table: str) -> None:
    with pytest.raises(ValidationError, match="not a BigQuery table name"):
        GcpConfig.model_validate({"billing_export_table": table})


def test_config_rejects_bad_ids_and_unknown_keys() -> None:
    with pytest.raises(ValidationError, match="not a GCP project id"):
        GcpConfig.model_validate({"projects": ["Bad Project"]})
    with pytest.raises(ValidationError, match="billing account"):
        GcpConfig.model_validate({"billing_account": "12345"})
    with pytest.raises(ValidationError, match="extra"):
        GcpConfig.model_validate({"projcts": ["x"]})
    ok = GcpConfig.model_validate({"billing_account": f"billingAccounts/{fx.ACCOUNT}"})
    assert ok.billing_account == fx.ACCOUNT


def test_the_query_caps_the_bytes_billed(google: FakeGoogle, adc: Path, tmp_path: Path) -> None:
    list(provider(google, tmp_path).costs(OCTOBER))
    list(provider(google, tmp_path / "other", max_bytes_billed=10 * 1024**3).costs(OCTOBER))
    list(provider(google, tmp_path / "none", max_bytes_billed=None).costs(OCTOBER))
    sent = [c.body for c in google.calls_to(r"/queries$")]
    assert [b.get("maximumBytesBilled") for b in sent] == [
        str(50 * 1024**3),
        str(10 * 1024**3),
        None,
    ]


def test_a_query_over_the_cap_says_how_to_raise_it(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    google.failing[r"/queries$"] = (400, "Query exceeded limit for bytes billed: 1. 10 or higher")
    prov = provider(google, tmp_path)
    list(prov.costs(OCTOBER))
    (failure,) = prov.failures
    assert "bytes billed" in failure.message and "gcp.max_bytes_billed" in (failure.hint or "")


def test_the_export_answer_is_cached_and_no_cache_bypasses(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    export(google)
    first = list(provider(google, tmp_path).costs(OCTOBER))
    sent = len(google.calls_to(r"/bigquery/"))
    assert list(provider(google, tmp_path).costs(OCTOBER)) == first
    assert len(google.calls_to(r"/bigquery/")) == sent  # no BigQuery request the second time
    november = list(provider(google, tmp_path).costs(Period.month("2026-11")))
    assert len(google.calls_to(r"/queries$")) == 2 and november[0].billing_period_start.month == 11
    fresh = ProviderContext(cache_dir=tmp_path, use_cache=False)
    prov = GcpProvider(provider(google, tmp_path).config, fresh)
    assert list(prov.costs(OCTOBER)) == first
    assert len(google.calls_to(r"/queries$")) == 3


@pytest.mark.parametrize(
    "text", ["[{", '[{"project_id": "x"}]', '{"rows": 1}', "[1]", '[{"billed_cost": "n/a"}]']
)
def test_an_unreadable_export_cache_is_a_miss(
    google: FakeGoogle, adc: Path, tmp_path: Path, text: str
) -> None:
    export(google)
    first = list(provider(google, tmp_path).costs(OCTOBER))
    (entry,) = (tmp_path / "gcp").glob("billing-export-*.json")
    entry.write_text(text)
    assert list(provider(google, tmp_path).costs(OCTOBER)) == first
    assert len(google.calls_to(r"/queries$")) == 2  # queried again
    assert json.loads(entry.read_text())[0]["billed_cost"] == "92.306"  # and the entry repaired
