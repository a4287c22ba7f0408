"""Generated FOCUS exports for the engine conformance test: every case the queries treat
specially, with amounts of 24 decimals."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "PricingCurrency",
    "PricingCurrencyEffectiveCost",
    "BillingAccountId",
    "SubAccountId",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "PricingCategory",
    "ProviderName",
    "RegionId",
    "ResourceId",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceDetails",
    "Tags",
)

SERVICES = ("Amazon EC2", "Amazon S3", "Virtual Machines", "Compute Engine")
REGIONS = ("us-east-1", "eu-west-1", "westeurope", "")
TEAMS = ("payments", "search", "data")


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _amount(rng: random.Random) -> str:
    whole = rng.randint(0, 500)
    digits = "".join(rng.choice("0123456789") for _ in range(24))
    value = f"{whole}.{digits}"
    return f"-{value}" if rng.random() < 0.05 else value


def rows(seed: int = 7, n: int = 400) -> list[dict[str, str]]:
    """``n`` charges over Sep-Nov 2026 in two currencies, with spanning charges, corrections,
    credits, NULL ListCost, E-notation, tags, SkuPriceDetails and a virtual currency."""
    rng = random.Random(seed)
    out = []
    base = dt.datetime(2026, 9, 1)
    for i in range(n):
        start = base + dt.timedelta(hours=rng.randint(0, 24 * 90 - 1))
        if i % 17 == 0:  # a charge spanning months (a purchase, or a day across midnight)
            end = start + dt.timedelta(hours=rng.choice([24, 24 * 31, 24 * 45, 7]))
        else:
            end = start + dt.timedelta(hours=1)
        billing_start = dt.datetime(start.year, start.month, 1)
        if i % 23 == 0:  # a correction invoiced the month after
            billing_start = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        billing_end = dt.datetime(
            billing_start.year + billing_start.month // 12, billing_start.month % 12 + 1, 1
        )
        billed = _amount(rng)
        row = {
            "BilledCost": billed,
            "EffectiveCost": _amount(rng) if i % 5 else billed,
            "ListCost": "" if i % 11 == 0 else _amount(rng),
            "ContractedCost": _amount(rng),
            "BillingCurrency": "EUR" if i % 13 == 0 else "USD",
            "PricingCurrency": "CREDITS" if i % 19 == 0 else "",
            "PricingCurrencyEffectiveCost": _amount(rng) if i % 19 == 0 else "",
            "BillingAccountId": rng.choice(["111", "222"]),
            "SubAccountId": rng.choice(["a", "b", "c", ""]),
            "BillingPeriodStart": _iso(billing_start),
            "BillingPeriodEnd": _iso(billing_end),
            "ChargePeriodStart": _iso(start),
            "ChargePeriodEnd": _iso(end),
            "ChargeCategory": rng.choice(["Usage"] * 6 + ["Purchase", "Tax", "Credit", ""]),
            "ChargeClass": "Correction" if i % 23 == 0 else "",
            "PricingCategory": rng.choice(["Standard", "Committed", "Dynamic"]),
            "ProviderName": rng.choice(["AWS", "Microsoft", "Google Cloud"]),
            "RegionId": rng.choice(REGIONS),
            "ResourceId": f"r-{rng.randint(1, 40)}" if i % 9 else "",
            "ResourceType": rng.choice(["Virtual Machine", "Bucket"]),
            "ServiceCategory": rng.choice(["Compute", "Storage"]),
            "ServiceName": rng.choice(SERVICES),
            "SkuId": f"SKU{rng.randint(1, 5)}",
            "SkuPriceDetails": rng.choice(
                ['{"InstanceType": "m5.large"}', '{"VMSize": "D2s_v5"}', "", "not json"]
            ),
            "Tags": rng.choice(
                [
                    "",
                    json.dumps({"team": rng.choice(TEAMS)}),
                    json.dumps({"team": rng.choice(TEAMS), "env": "prod"}),
                ]
            ),
        }
        if i % 29 == 0:
            row["BilledCost"] = "1.81E-8"
        out.append(row)
    return out


def write_csv(path: Path, data: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(data)
    return path


def write_parquet(path: Path, data: list[dict[str, str]]) -> Path:
    """Typed Parquet: money as DECIMAL(38, 24), times as UTC timestamps, Tags as a MAP."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    money = pa.decimal128(38, 24)

    def dec(v: str) -> Decimal | None:
        return Decimal(v).quantize(Decimal("1e-24")) if v else None

    def ts(v: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00")) if v else None

    def tags(v: str) -> list[tuple[str, str]] | None:
        return list(json.loads(v).items()) if v else None

    kinds = {
        "BilledCost": (money, dec),
        "EffectiveCost": (money, dec),
        "ListCost": (money, dec),
        "ContractedCost": (money, dec),
        "PricingCurrencyEffectiveCost": (money, dec),
        "BillingPeriodStart": (pa.timestamp("us", tz="UTC"), ts),
        "BillingPeriodEnd": (pa.timestamp("us", tz="UTC"), ts),
        "ChargePeriodStart": (pa.timestamp("us", tz="UTC"), ts),
        "ChargePeriodEnd": (pa.timestamp("us", tz="UTC"), ts),
        "Tags": (pa.map_(pa.string(), pa.string()), tags),
    }
    arrays = {}
    for c in COLUMNS:
        kind, conv = kinds.get(c, (pa.string(), lambda v: v or None))
        arrays[c] = pa.array([conv(r[c]) for r in data], type=kind)
    pq.write_table(pa.table(arrays), path)
    return path
