"""Azure reservations and savings plans read with the real azure-mgmt clients over HTTPS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from azure_commitments_stub import (
    IDENTITY_HEADER,
    ORDER,
    AzureState,
    reservation,
    self_signed,
    serve,
)

from lepton_cli.commitments.model import Payment, Product
from lepton_cli.commitments.sources import from_provider
from lepton_cli.commitments.status import status
from lepton_cli.providers.azure import AzureConfig, AzureProvider
from lepton_cli.providers.base import ProviderContext

CREDENTIAL_VARS = (
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_USERNAME",
    "AZURE_FEDERATED_TOKEN_FILE",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "IMDS_ENDPOINT",
    "AZURE_TOKEN_CREDENTIALS",
    "AZURE_AUTHORITY_HOST",
)
TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def azure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AzureState]:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    crt, pem = self_signed(tmp_path)
    state = AzureState(
        pages=[
            [reservation("r1", "Standard_D4s_v5", 3, 75.0)],
            [reservation("r2", "Standard_D2s_v5", 2, 40.0, flex="Off")],
        ]
    )
    server = serve(state, crt, pem)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(crt))
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{state.base}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    yield state
    server.shutdown()
    server.server_close()


def provider(state: AzureState, tmp_path: Path) -> AzureProvider:
    config = AzureConfig(base_url=state.base, max_retries=0)
    return AzureProvider(config, ProviderContext(cache_dir=tmp_path / "cache"))


def test_reservations_and_savings_plans(azure: AzureState, tmp_path: Path) -> None:
    owned = from_provider(provider(azure, tmp_path), 30, TODAY)
    assert owned.failures == []
    by_id = {c.id: c for c in owned.commitments}
    assert sorted(by_id) == [f"{ORDER}/r1", f"{ORDER}/r2", "sp-az"]  # both pages
    r1 = by_id[f"{ORDER}/r1"]
    assert (r1.product, r1.count, r1.term_months, r1.scope.size_flexible) == (
        Product.AZURE_RESERVATION,
        3,
        12,
        True,
    )
    assert r1.scope.family == "Dsv5" and r1.scope.region == "eastus"
    # the order costs 3153.60 for a 12-month term: 3153.60 / 8760 h = 0.36 an hour
    assert r1.hourly_fee == Decimal("3153.6") / 8760
    sp = by_id["sp-az"]
    assert (sp.product, sp.hourly_commitment, sp.term_months, sp.payment) == (
        Product.AZURE_SAVINGS_PLAN,
        Decimal("4.0"),
        36,
        Payment.NO_UPFRONT,
    )
    rows = {
        s.commitment.id: s
        for s in status(owned.commitments, owned.usage, dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    }
    # the 30-day aggregate: 60% of 4.00/h over 720 h -> unused 0.4 x 2880 = 1152
    assert rows["sp-az"].utilization == 0.6 and rows["sp-az"].unused_cost == Decimal("1152.0")
    assert rows[f"{ORDER}/r1"].utilization == 0.75
    assert rows[f"{ORDER}/r1"].expiry == 90  # ends 2027-02-01: 63 days on
    # the order was asked for its plan information
    assert any(
        q.get("$expand") == ["planInformation"]
        for p, q in azure.calls
        if ORDER in p and "reservations" not in p
    )


def test_a_denied_savings_plan_api_keeps_the_reservations(
    azure: AzureState, tmp_path: Path
) -> None:
    azure.deny_plans = True
    owned = from_provider(provider(azure, tmp_path), 30, TODAY)
    assert len(owned.commitments) == 2
    [failure] = owned.failures
    assert failure.scope == "savings plans" and "403" in failure.message


def test_a_garbled_savings_plan_answer_keeps_the_reservations(
    azure: AzureState, tmp_path: Path
) -> None:
    azure.garble_plans = True
    owned = from_provider(provider(azure, tmp_path), 30, TODAY)
    assert sorted(c.id.rsplit("/", 1)[-1] for c in owned.commitments) == ["r1", "r2"]
    [failure] = owned.failures
    assert failure.scope == "savings plans" and failure.hint
