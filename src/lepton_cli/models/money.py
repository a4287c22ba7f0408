"""Money helpers. Billed money is ``Decimal``; hourly-to-monthly goes through one constant."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

HOURS_PER_MONTH = 730
"""Hours in a billing month, as AWS, Azure and GCP all price a "month" (8760 / 12)."""

CENT = Decimal("0.01")


def monthly(hourly: Decimal) -> Decimal:
    """Monthly cost of an hourly price."""
    return hourly * HOURS_PER_MONTH


def to_cents(amount: Decimal) -> Decimal:
    """Round to the cent (banker's rounding, as invoices do) for display."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def fmt_money(amount: Decimal | float, currency: str = "USD", whole: bool = False) -> str:
    """``$4,210.00`` for USD (``-$703.87`` when negative), ``1,234.50 EUR`` otherwise;
    ``whole`` rounds to units (verdicts)."""
    value = to_cents(Decimal(str(amount)))
    if whole:
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    if currency != "USD":
        return f"{value:,} {currency}"
    return f"-${-value:,}" if value < 0 else f"${value:,}"
