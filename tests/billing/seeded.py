"""The grouped rows a table engine's service is seeded to answer `report --by service,region`
with (decimals as the service sends them: text with every digit of DECIMAL(38, 24)), and what
lepton's report of them must say."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

SEEDED = [
    # k0, k1, currency, billed, effective, list, corrections
    ["AmazonEC2", "us-east-1", "USD", "1234.567890123456789012345678", "1000.5", "1500", "-2.25"],
    ["AmazonS3", None, "USD", "0.000000000000000000000001", "0", None, "0"],
    ["AmazonEC2", "eu-west-1", "EUR", "99.990000000000000000000000", "90", "120", "0"],
]


def assert_reports_seeded(stdout: str) -> dict[str, Any]:
    """The JSON report (returned) holds each seeded row, its amounts exact to the 24th decimal."""
    document: dict[str, Any] = json.loads(stdout, parse_float=Decimal)
    rows = {(r["service"], r["region"], r["currency"]): r for r in document["rows"]}
    assert set(rows) == {(r[0], r[1], r[2]) for r in SEEDED}
    for service, region, currency, billed, effective, list_cost, _ in SEEDED:
        row = rows[(service, region, currency)]
        assert Decimal(str(row["billed_cost"])) == Decimal(billed)
        assert Decimal(str(row["effective_cost"])) == Decimal(effective)
        expected = None if list_cost is None else Decimal(list_cost)
        assert (row["list_cost"] and Decimal(str(row["list_cost"]))) == expected
    return document
