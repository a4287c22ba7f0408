"""Owned Azure commitments: reservations (azure-mgmt-reservations: ``reservation.list_all``,
priced from their order's plan information) and savings plans (azure-mgmt-billingbenefits:
``savings_plan.list_all``). Both carry Azure's own utilisation aggregates (1, 7 and 30 days);
the one closest to the window is used. Azure gives no coverage here: it is left empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from lepton_cli.commitments.model import Commitment, CommitmentScope, Payment, Product, Usage
from lepton_cli.commitments.normalise import family
from lepton_cli.providers.azure.clients import AzureClients
from lepton_cli.providers.azure.config import AzureConfig
from lepton_cli.providers.azure.failures import boundary
from lepton_cli.providers.base import ScopeFailure

_TERMS = {"P1Y": 12, "P3Y": 36, "P5Y": 60}
NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # the tenant-wide calls ignore it


@dataclass
class AzureCommitments:
    commitments: list[Commitment] = field(default_factory=list)
    usage: dict[str, Usage] = field(default_factory=dict)
    failures: list[ScopeFailure] = field(default_factory=list)


def _dict(item: Any) -> dict[str, Any]:
    """An SDK model as its wire-format dict (camelCase keys, as the REST API answers)."""
    as_dict = getattr(item, "as_dict", None)
    return dict(as_dict()) if as_dict else dict(item)


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def utilisation(props: dict[str, Any], days: int) -> float | None:
    """Azure's utilisation aggregate whose grain is closest to ``days`` days, as a share."""
    aggregates = (props.get("utilization") or {}).get("aggregates") or []
    days_of = [a for a in aggregates if a.get("grainUnit", "days") == "days" and "value" in a]
    if not days_of:
        return None
    best = min(days_of, key=lambda a: abs(float(a.get("grain") or 0) - days))
    return float(best["value"]) / 100


def _usage(c: Commitment, share: float | None, hours: Decimal) -> Usage | None:
    if share is None:
        return None
    fee = c.hourly_fee * hours
    used = fee * Decimal(str(share))
    return Usage(
        commitment_id=c.id, hours=hours, used_cost=used, unused_cost=fee - used, utilization=share
    )


def reservation(raw: dict[str, Any], term_total: Decimal | None) -> Commitment:
    """One reservation; ``term_total`` (the order's price for the term) gives its hourly fee."""
    props = raw.get("properties") or {}
    size = (raw.get("sku") or {}).get("name", "")
    months = _TERMS.get(props.get("term", ""), 12)
    quantity = Decimal(str(props.get("quantity") or 1))
    fee = term_total / (months * 730) if term_total else Decimal(0)
    upfront = props.get("billingPlan") == "Upfront"
    return Commitment(
        id=str(raw.get("name") or raw["id"]),
        provider="azure",
        product=Product.AZURE_RESERVATION,
        name=props.get("displayName"),
        scope=CommitmentScope(
            region=raw.get("location"),
            family=family("azure", size),
            type=size,
            size_flexible=props.get("instanceFlexibility") == "On",
        ),
        term_months=months,
        payment=Payment.ALL_UPFRONT if upfront else Payment.NO_UPFRONT,
        start=_when(props.get("effectiveDateTime")),
        end=_when(props.get("expiryDateTime")),
        count=quantity,
        unit="instances",
        upfront=term_total if upfront and term_total else Decimal(0),
        hourly_fee=fee,
        effective_rate=fee / quantity if quantity else None,
        state=str(props.get("provisioningState", "Succeeded")).lower(),
        source="Microsoft.Capacity/reservations",
    )


def savings_plan(raw: dict[str, Any]) -> Commitment:
    props = raw.get("properties") or {}
    commitment = props.get("commitment") or {}
    hourly = Decimal(str(commitment.get("amount") or 0))
    months = _TERMS.get(props.get("term", ""), 12)
    upfront = props.get("billingPlan") not in (None, "P1M")
    return Commitment(
        id=str(raw.get("name") or raw["id"]),
        provider="azure",
        product=Product.AZURE_SAVINGS_PLAN,
        name=props.get("displayName"),
        term_months=months,
        payment=Payment.ALL_UPFRONT if upfront else Payment.NO_UPFRONT,
        start=_when(props.get("effectiveDateTime") or props.get("benefitStartTime")),
        end=_when(props.get("expiryDateTime")),
        hourly_commitment=hourly,
        unit=f"{commitment.get('currencyCode', 'USD')}/hour",
        upfront=hourly * months * 730 if upfront else Decimal(0),
        hourly_fee=hourly,
        currency=commitment.get("currencyCode") or "USD",
        state=str(props.get("provisioningState", "Succeeded")).lower(),
        source="Microsoft.BillingBenefits/savingsPlans",
    )


def read(config: AzureConfig, span: tuple[dt.date, dt.date]) -> AzureCommitments:
    """Every reservation and savings plan the identity can read, with utilisation over the
    window's length; a denied API is a failed scope, missing credentials are fatal (exit 4)."""
    out = AzureCommitments()
    clients = AzureClients(config)
    days = max(1, (span[1] - span[0]).days)
    hours = Decimal(days * 24)
    edge = boundary()
    for scope, reader in (("reservations", _reservations), ("savings plans", _savings_plans)):
        edge.read(out.failures, scope, partial(reader, clients, days, hours, out), None)
    return out


def _options(config: AzureConfig) -> dict[str, Any]:
    return {
        "base_url": config.base_url,
        "credential_scopes": [config.credential_scope],
        "retry_total": config.max_retries,
    }


def _reservations(clients: AzureClients, days: int, hours: Decimal, out: AzureCommitments) -> None:
    from azure.mgmt.reservations import ReservationsMgmtClient

    client = ReservationsMgmtClient(clients.credential, **_options(clients.config))
    found = [_dict(r) for r in client.reservation.list_all()]
    prices = _order_prices(client, found)
    for raw in found:
        c = reservation(raw, prices.get(_order_id(raw)))
        out.commitments.append(c)
        usage = _usage(c, utilisation(raw.get("properties") or {}, days), hours)
        if usage:
            out.usage[c.id] = usage


def _order_id(raw: dict[str, Any]) -> str:
    parts = str(raw.get("id", "")).split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("reservationorders") + 1] if "reservationorders" in lowered else ""


def _order_prices(client: Any, reservations: Iterable[dict[str, Any]]) -> dict[str, Decimal]:
    """Each order's total price for its term (``planInformation.pricingCurrencyTotal``)."""
    out: dict[str, Decimal] = {}
    for order in sorted({_order_id(r) for r in reservations} - {""}):
        got = _dict(client.reservation_order.get(order, expand="planInformation"))
        total = ((got.get("properties") or {}).get("planInformation") or {}).get(
            "pricingCurrencyTotal"
        ) or {}
        if "amount" in total:
            out[order] = Decimal(str(total["amount"]))
    return out


def _savings_plans(clients: AzureClients, days: int, hours: Decimal, out: AzureCommitments) -> None:
    from azure.mgmt.billingbenefits import BillingBenefitsMgmtClient

    subscription = (clients.config.subscriptions or [NO_SUBSCRIPTION])[0]
    client = BillingBenefitsMgmtClient(clients.credential, subscription, **_options(clients.config))
    for item in client.savings_plan.list_all():
        raw = _dict(item)
        c = savings_plan(raw)
        out.commitments.append(c)
        usage = _usage(c, utilisation(raw.get("properties") or {}, days), hours)
        if usage:
            out.usage[c.id] = usage
