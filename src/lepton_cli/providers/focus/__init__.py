"""The focus provider: any cloud's FOCUS export (CSV, CSV.gz or Parquet) read through DuckDB.

Its config is the export files or folders to read, ``FocusConfig(paths=[...])``; ``--source``
builds it.

``costs(period)`` yields daily CostRecords of the billing months in ``period``;
``inventory(scope)`` yields one Resource per ResourceId whose hourly cost is its usage
EffectiveCost (amortised: a resource covered by a commitment still costs its share) divided by
the hours the data stands for (730 per whole calendar month; see
:func:`normalize.billed_hours`), with its BilledCost beside it as ``billed_hourly_cost``. The
query API other parts call directly lives in :mod:`lepton_cli.billing.query`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from lepton_cli.billing import query
from lepton_cli.billing.engine import Notes, Progress
from lepton_cli.billing.files import is_focus_path
from lepton_cli.billing.query import CostRow, ResourceCost, aggregate, resource_costs
from lepton_cli.errors import InputError
from lepton_cli.models import CostRecord, Inventory, Offering, Period, Resource
from lepton_cli.providers.base import Capability, ProviderContext, Scope, ScopeFailure
from lepton_cli.providers.focus import normalize
from lepton_cli.providers.scope import in_scope

__all__ = [
    "CostRow",
    "FocusConfig",
    "FocusProvider",
    "Notes",
    "ResourceCost",
    "aggregate",
    "focus_inventory",
    "focus_resources",
    "is_focus_path",
    "resource_costs",
]


class FocusConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    paths: list[Path] = Field(default_factory=list)  # FOCUS files or folders of them


class FocusProvider:
    name: ClassVar[str] = "focus"
    config_model: ClassVar[type[BaseModel]] = FocusConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.COSTS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = ()
    install_extra: ClassVar[str | None] = None

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = FocusConfig.model_validate(config.model_dump())
        self.context = context
        self.failures: list[ScopeFailure] = []
        self.progress: Progress | None = None  # set by the caller to hear about long reads

    def _paths(self) -> list[Path]:
        if not self.config.paths:
            raise InputError(
                "the focus provider has no export to read",
                hint="pass the export with --source FILE_OR_FOLDER, or set `focus: {paths: [...]}` "
                "in lepton.yaml",
            )
        return list(self.config.paths)

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        """A Resource per ResourceId charged in ``scope`` (accounts, regions, period)."""
        resources = focus_resources(self._paths(), scope.period, progress=self.progress)
        yield from (r for r in resources if in_scope(r, scope))

    def costs(self, period: Period) -> Iterator[CostRecord]:
        """Daily cost records of the billing months in ``period`` (BillingPeriodStart)."""
        yield from query.cost_records(self._paths(), period, progress=self.progress)

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:  # noqa: ARG002
        """A bill lists what was bought, not what is for sale: no offerings."""
        return iter(())


def focus_inventory(
    paths: Sequence[Path],
    period: Period | None = None,
    *,
    progress: Progress | None = None,
    notes: Notes | None = None,
) -> Inventory:
    """A lepton/v1 Inventory of the FOCUS exports under ``paths``, in their billing currency.

    Raises InputError when the resources are billed in several currencies: an inventory holds
    one (``lepton report`` shows such exports per currency).
    """
    costs = resource_costs(paths, period, progress=progress, notes=notes)
    currencies = sorted({c.currency for c in costs})
    if len(currencies) > 1:
        raise InputError(
            f"resources in {_names(paths)} are billed in several currencies "
            f"({', '.join(currencies)}); an inventory holds one",
            hint="split the export per currency, or use `lepton report`, which totals per currency",
        )
    resources = _priced(costs, period)
    return Inventory(currency=currencies[0] if currencies else "USD", resources=resources)


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(str(p) for p in paths[:3]) + (" ..." if len(paths) > 3 else "")


def focus_resources(
    paths: Sequence[Path], period: Period | None = None, *, progress: Progress | None = None
) -> list[Resource]:
    """Resources of the FOCUS exports under ``paths``, priced from their usage charges.

    The hours divided by are those of ``period`` when given, else those the data covers (first
    ChargePeriodStart to last ChargePeriodEnd), 730 per whole calendar month. A resource billed
    in several currencies is priced in the one it was billed most in.
    """
    return _priced(resource_costs(paths, period, progress=progress), period)


def _priced(costs: list[ResourceCost], period: Period | None) -> list[Resource]:
    span = normalize.data_span(costs)
    if period is not None:
        hours = normalize.period_hours(period)
    elif span is not None:
        hours = normalize.billed_hours(*span)
    else:
        return []
    return list(normalize.to_resources(costs, hours))
