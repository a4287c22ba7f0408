"""What owned commitments do: utilisation, unused cost, coverage of eligible usage, expiry.

For each commitment with observed :class:`Usage` over a window of ``hours``:

- utilisation u = used / (used + unused) (the source's own figure when it gives one)
- unused cost over the window, and per month: unused / hours · 730
- coverage = covered quantity / eligible quantity (hours of eligible usage it covered)
- expiry: the first of 30 / 60 / 90 days that the end date falls within, else none

Unused cost is money paid for nothing: it is reported, never counted as a saving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lepton_cli.commitments.model import Commitment, Usage
from lepton_cli.models.money import HOURS_PER_MONTH

EXPIRY_WINDOWS = (30, 60, 90)


@dataclass(frozen=True)
class CommitmentStatus:
    commitment: Commitment
    usage: Usage | None
    days_left: int | None
    expiry: int | None  # 30 | 60 | 90 when it ends within that many days

    @property
    def utilization(self) -> float | None:
        return self.usage.utilization if self.usage else None

    @property
    def unused_cost(self) -> Decimal | None:
        return self.usage.unused_cost if self.usage else None

    @property
    def monthly_unused_cost(self) -> Decimal | None:
        if not self.usage or not self.usage.hours:
            return None
        return self.usage.unused_cost / self.usage.hours * HOURS_PER_MONTH

    @property
    def coverage(self) -> float | None:
        u = self.usage
        if u is None or not u.eligible_quantity:
            return None
        return float(u.covered_quantity / u.eligible_quantity)


def expiry_window(days_left: int | None) -> int | None:
    """The smallest of 30 / 60 / 90 days that ``days_left`` is within (an ended one: 30)."""
    if days_left is None:
        return None
    return next((w for w in EXPIRY_WINDOWS if days_left <= w), None)


def status(
    commitments: Sequence[Commitment], usage: dict[str, Usage], now: dt.datetime
) -> list[CommitmentStatus]:
    """One status per commitment, soonest expiry first, then by id."""
    out = []
    for c in commitments:
        left = c.days_left(now)
        out.append(CommitmentStatus(c, usage.get(c.id), left, expiry_window(left)))
    return sorted(out, key=lambda s: (s.days_left is None, s.days_left or 0, s.commitment.id))


@dataclass(frozen=True)
class Totals:
    hourly_fee: Decimal
    unused_cost: Decimal
    used_cost: Decimal

    @property
    def utilization(self) -> float | None:
        total = self.used_cost + self.unused_cost
        return float(self.used_cost / total) if total else None


def totals(statuses: Sequence[CommitmentStatus]) -> Totals:
    """Fees, used and unused cost over every commitment (one currency: the caller's check)."""
    used = sum((s.usage.used_cost for s in statuses if s.usage), Decimal(0))
    unused = sum((s.usage.unused_cost for s in statuses if s.usage), Decimal(0))
    fee = sum((s.commitment.hourly_fee for s in statuses), Decimal(0))
    return Totals(fee, unused, used)
