"""Application Default Credentials: a real key file and token exchange, or a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from gcp_fake import FakeGoogle

from lepton_cli.errors import ProviderError
from lepton_cli.models import Period
from lepton_cli.providers.base import ProviderContext, Scope
from lepton_cli.providers.gcp import GcpConfig, GcpProvider


def make(google: FakeGoogle, tmp_path: Path) -> GcpProvider:
    config = GcpConfig.model_validate(
        {
            "projects": ["shop-prod"],
            "billing_export_table": "billing-admin.billing.gcp_billing_export_v1_X",
            "endpoints": {
                "compute": google.url,
                "billing": google.url,
                "bigquery": google.url,
                "monitoring": google.monitoring_url,
            },
        }
    )
    return GcpProvider(config, ProviderContext(cache_dir=tmp_path))


def test_missing_credentials_exit_4_with_the_fix(
    google: FakeGoogle, no_adc: None, tmp_path: Path
) -> None:
    prov = make(google, tmp_path)
    for call in (
        lambda: list(prov.inventory(Scope())),
        lambda: list(prov.costs(Period.month("2026-10"))),
        lambda: list(prov.offerings(["us-central1"])),
    ):
        with pytest.raises(ProviderError) as info:
            call()
        assert info.value.exit_code == 4
        assert "gcloud auth application-default login" in (info.value.hint or "")
    assert google.calls == []


def test_service_account_key_trades_a_signed_assertion_for_a_token(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    list(make(google, tmp_path).costs(Period.month("2026-10")))
    (exchange,) = google.calls_to(r"^/token$")
    assert exchange.body["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    assert exchange.body["assertion"][0].count(".") == 2  # a signed JWT
    (query,) = google.calls_to(r"/queries$")
    assert query.auth == "Bearer ya29.local"


def test_a_refused_token_is_a_provider_error_without_the_key(
    google: FakeGoogle, adc: Path, tmp_path: Path
) -> None:
    google.failing[r"^/token$"] = (400, "invalid_grant: Invalid JWT Signature.")
    with pytest.raises(ProviderError, match="Invalid JWT Signature") as info:
        list(make(google, tmp_path).costs(Period.month("2026-10")))
    text = str(info.value)
    assert "PRIVATE KEY" not in text and "gcloud auth application-default login" in text
    assert not google.calls_to(r"/queries$")
