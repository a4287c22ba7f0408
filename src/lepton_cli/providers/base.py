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
    name: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]
    capabilities: ClassVar[frozenset[Capability]]
    sdk_modules: ClassVar[tuple[str, ...]]  # importable names that must be installed
    install_extra: ClassVar[str | None]  # `pip install 'lepton-cli[<extra>]'`

    failures: list[ScopeFailure]
    """Scopes that failed during the last call; the others are still delivered."""

    def __init__(self, config: BaseModel, context: ProviderContext) -> None: ...

    def inventory(self, scope: Scope) -> Iterator[Resource]: ...

    def costs(self, period: Period) -> Iterator[CostRecord]: ...

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]: ...
