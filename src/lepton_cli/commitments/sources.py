"""Where owned commitments come from: a provider's APIs or FOCUS exports.

The provider readers live in each provider package (``providers/<name>/commitments.py``) and
are imported here on first use, so nothing loads a cloud SDK before it is needed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lepton_cli.commitments.model import Commitment, Usage
from lepton_cli.errors import UsageError
from lepton_cli.providers.base import ScopeFailure

READERS = ("aws", "azure", "gcp")


@dataclass
class Owned:
    commitments: list[Commitment] = field(default_factory=list)
    usage: dict[str, Usage] = field(default_factory=dict)
    failures: list[ScopeFailure] = field(default_factory=list)

    def add(self, other: Owned) -> None:
        self.commitments += other.commitments
        self.usage.update(other.usage)
        self.failures += other.failures


def from_focus(paths: Sequence[Path]) -> Owned:
    from lepton_cli.billing.commitments import read_commitments

    found = read_commitments(paths)
    return Owned(found.commitments, found.usage)


def window(days: int, today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=days), today


def from_provider(provider: Any, days: int, today: dt.date) -> Owned:
    """Commitments ``provider`` holds, with what they did over the last ``days`` days."""
    name = getattr(provider, "name", "")
    if name not in READERS:
        raise UsageError(
            f"provider {name} cannot read commitments", hint="use aws, azure, gcp or --source"
        )
    if name == "aws":
        return _aws(provider, window(days, today))
    if name == "azure":
        return _azure(provider, window(days, today))
    return _gcp(provider)


def _aws(provider: Any, span: tuple[dt.date, dt.date]) -> Owned:
    from lepton_cli.providers.aws.commitments import read

    out = Owned()
    scanner = provider.scanner
    for account in scanner.accounts():
        got = read(account, scanner.regions(account, ()), span)
        out.add(Owned(got.commitments, got.usage, got.failures))
    out.failures += provider.failures
    return out


def _azure(provider: Any, span: tuple[dt.date, dt.date]) -> Owned:
    from lepton_cli.providers.azure.commitments import read

    got = read(provider.config, span)
    return Owned(got.commitments, got.usage, got.failures)


def _gcp(provider: Any) -> Owned:
    from lepton_cli.providers.gcp.commitments import read

    got = read(provider.config)
    return Owned(got.commitments, got.usage, got.failures)


def usage_profile(provider: Any, days: int, end: dt.datetime) -> Any:
    """The hourly on-demand profile from a provider's own usage API (AWS Cost Explorer)."""
    from lepton_cli.commitments.profile import from_hourly_rows

    if getattr(provider, "name", "") != "aws":
        raise UsageError(
            f"{getattr(provider, 'name', '?')} has no hourly usage API lepton reads",
            hint="export FOCUS hourly and pass it with --source",
        )
    from lepton_cli.providers.aws.commitments import HOURLY_DAYS, hourly_on_demand

    if days > HOURLY_DAYS:
        raise UsageError(
            f"Cost Explorer keeps hourly usage for {HOURLY_DAYS} days, not {days}",
            hint="use --lookback 7 with --provider aws, or a FOCUS export for 30 or 60 days",
        )
    from lepton_cli.errors import ProviderError
    from lepton_cli.providers.aws.errors import describe
    from lepton_cli.providers.aws.inventory import SDK_ERRORS

    rows = []
    for account in provider.scanner.accounts():
        try:
            rows += hourly_on_demand(account, days, end)
        except SDK_ERRORS as e:
            message, hint = describe(e)
            raise ProviderError(
                f"aws: account {account.id}: cannot read hourly usage: {message}", hint
            ) from e
    return from_hourly_rows("aws", rows, days, end, "Cost Explorer hourly usage")
