"""The provider contract: a plugin author reads this one file.

A provider is a class registered under the ``lepton.providers.v1`` entry-point group. It declares
its name, its config model and its capabilities as class data; cloud SDKs are imported lazily
inside its methods so that importing the class costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

from lepton_cli.errors import ProviderError
from lepton_cli.models import CostRecord, Offering, Period, Resource

ENTRY_POINT_GROUP = "lepton.providers.v1"

__all__ = [
    "ENTRY_POINT_GROUP",
    "Capability",
    "Provider",
    "ProviderContext",
    "ProviderError",
    "Scope",
    "ScopeFailure",
]


class Capability(StrEnum):
    INVENTORY = "inventory"
    COSTS = "costs"
    OFFERINGS = "offerings"


@dataclass(frozen=True)
class Scope:
    """What to read: empty tuples mean "everything the credentials can see"."""

    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    days: int = 14  # utilisation look-back window
    period: Period | None = None


@dataclass(frozen=True)
class ProviderContext:
    """Run-wide settings every provider receives."""

    cache_dir: Path
    use_cache: bool = True
    cache_ttl_seconds: int = 24 * 3600
    max_workers: int = 8
    timeout_seconds: float = 300.0  # per scope (region, subscription, project); see boundary.py


@dataclass(frozen=True)
class ScopeFailure:
    """A region, account, subscription or project that could not be read."""

    provider: str
    scope: str  # e.g. "account 123456789012 / eu-west-1"
    message: str  # never carries a secret
    hint: str | None = None


@runtime_checkable
class Provider(Protocol):
    """A source of resources, costs and offerings.

    Register the class under the ``lepton.providers.v1`` entry-point group in your package's
    metadata (``[project.entry-points."lepton.providers.v1"] myprovider = "pkg.mod:MyProvider"``).
    Its section of lepton.yaml is the top-level key of that name, validated by ``config_model``.
    A class lacking any of the class data below is reported by `lepton providers` as a warning
    and left out; the other providers still work.

    Errors: raise :class:`ProviderError` (with ``raise ... from e``) for what stops the whole
    call — bad credentials, an SDK that is not installed. A region, account or project that
    fails on its own is appended to ``failures`` and the call goes on with the others: a failed
    scope never hides the rest. Never put a secret in a message or hint.
    """

    name: ClassVar[str]
    """The entry-point name: what `--provider NAME` and the lepton.yaml section use."""
    config_model: ClassVar[type[BaseModel]]
    """The model of the provider's lepton.yaml section; make it strict (``extra="forbid"``)."""
    capabilities: ClassVar[frozenset[Capability]]
    """What it can do; lepton calls only the methods named here."""
    sdk_modules: ClassVar[tuple[str, ...]]
    """Every module the provider imports from outside lepton (full dotted names, e.g.
    ``azure.mgmt.costmanagement``): `lepton providers` checks each one."""
    install_extra: ClassVar[str | None]
    """The pip extra that installs the SDK (``pip install 'lepton-cli[<extra>]'``), or None."""

    failures: list[ScopeFailure]
    """Scopes that failed during the last call; the others are still delivered."""

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        """``config`` is the validated lepton.yaml section; ``context`` the run-wide settings
        (cache folder and whether to use it, worker threads). Do no I/O here."""

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        """Yield every resource in ``scope`` (empty tuples: all the credentials can see), with
        utilisation over ``scope.days`` days when the provider has metrics. Ids are the
        provider's own (ARN, resource id, self link); money in the account's currency."""
        ...

    def costs(self, period: Period) -> Iterator[CostRecord]:
        """Yield the billed cost records of ``period`` (daily or coarser). Cache what costs
        money to ask (e.g. Cost Explorer) under ``context.cache_dir``; never cache a response
        that failed to parse."""
        ...

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        """Yield what can be bought in ``regions`` (empty: every region the provider knows),
        one :class:`Offering` per (type, platform), with hourly prices per pricing model."""
        ...
