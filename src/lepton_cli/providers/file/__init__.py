"""The file provider: lepton's own inventory format (apiVersion lepton/v1), YAML or JSON.

The reference provider, the test double for everything downstream, and the way to feed lepton
from any other tool.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from lepton_cli.errors import InputError
from lepton_cli.fileio import load_document, validate
from lepton_cli.models import API_VERSION, CostRecord, Inventory, Offering, Period, Resource
from lepton_cli.providers.base import Capability, ProviderContext, Scope, ScopeFailure
from lepton_cli.providers.scope import in_scope


class FileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    paths: list[Path] = []


def _check_header(data: Any, path: Path) -> None:
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: not a lepton/v1 inventory (expected a mapping at the top level)",
            hint="start the file with `apiVersion: lepton/v1` and `kind: Inventory`",
        )
    version, kind = data.get("apiVersion"), data.get("kind")
    if version != API_VERSION or kind != "Inventory":
        got = f"apiVersion {version!r}, kind {kind!r}"
        raise InputError(
            f"{path}: {got} is not a lepton inventory this version reads",
            hint=f"use `apiVersion: {API_VERSION}` and `kind: Inventory`"
            + (" (or upgrade lepton for a newer apiVersion)" if version and kind else ""),
        )


def read_inventory_data(path: Path) -> Any:
    """Parse an inventory file into plain data: JSON with the JSON parser, YAML with libyaml's
    (both far faster than the pure-Python YAML parser), under the hardened loader's rules."""
    return load_document(path, fast=True)


def load_inventory_file(path: Path) -> Inventory:
    """Read and validate one inventory file; errors name the file and the bad key's YAML path."""
    data = read_inventory_data(path)
    _check_header(data, path)
    return validate(Inventory, data, str(path))


class FileProvider:
    name: ClassVar[str] = "file"
    config_model: ClassVar[type[BaseModel]] = FileConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.OFFERINGS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = ()
    install_extra: ClassVar[str | None] = None

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = FileConfig.model_validate(config.model_dump())
        self.context = context
        self.failures: list[ScopeFailure] = []

    def _inventories(self) -> Iterator[Inventory]:
        if not self.config.paths:
            raise InputError(
                "the file provider has no inventory to read",
                hint="pass the file with --source FILE, "
                "or set `file: {paths: [...]}` in lepton.yaml",
            )
        for path in self.config.paths:
            yield load_inventory_file(path)

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        for inv in self._inventories():
            yield from (r for r in inv.resources if in_scope(r, scope))

    def costs(self, period: Period) -> Iterator[CostRecord]:  # noqa: ARG002
        return iter(())  # an inventory carries run-rates, not billing data

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        for inv in self._inventories():
            yield from (o for o in inv.offerings if not regions or o.region in regions)
