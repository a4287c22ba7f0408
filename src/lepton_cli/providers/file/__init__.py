"""The file provider: lepton's own inventory format (apiVersion lepton/v1), YAML or JSON.

The reference provider, the test double for everything downstream, and the way to feed lepton
from any other tool.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from lepton_cli.errors import InputError
from lepton_cli.fileio import load_document, stream_document, validate, validation_error
from lepton_cli.models import API_VERSION, CostRecord, Inventory, Offering, Period, Resource
from lepton_cli.models.workload import Workload
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
    """Parse a whole inventory file into plain data: JSON with the JSON parser, YAML with
    libyaml's, under the hardened loader's rules (the whole tree at once: see
    :func:`load_inventory_file` for the streaming read)."""
    return load_document(path, fast=True)


STREAMED: dict[str, type[BaseModel]] = {"resources": Resource, "workloads": Workload}
"""The lists of an inventory read one item at a time: where a large inventory's size is."""


class _Items:
    """Each streamed item validated into its model as it is read, the raw item then dropped;
    the first bad item's error, naming its line, kept for after the header is checked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.models: dict[str, list[BaseModel]] = {key: [] for key in STREAMED}
        self.error: InputError | None = None

    def __call__(self, key: str, index: int, line: int, data: Any) -> None:
        if self.error is not None:
            return  # the file is read to its end for its syntax and header, not validated
        try:
            self.models[key].append(STREAMED[key].model_validate(data))
        except ValidationError as e:
            self.error = validation_error(str(self.path), e, (key, index), line)


def load_inventory_file(path: Path) -> Inventory:
    """Read and validate one inventory file; errors name the file and the bad key's YAML path.

    ``resources:`` and ``workloads:`` are streamed: each item is validated into its model
    as it is parsed and its raw data dropped, so memory holds the models and one raw item, not
    the whole document tree (the old :func:`read_inventory_data` path's peak)."""
    items = _Items(path)
    data = stream_document(path, STREAMED, items)
    _check_header(data, path)
    if items.error is not None:
        raise items.error
    return validate(Inventory, {**data, **_given(items.models, data)}, str(path))


def _given(models: dict[str, list[BaseModel]], data: dict[str, Any]) -> dict[str, Any]:
    """The streamed lists, each as long as it was (a list left unstreamed stays in ``data``)."""
    return {key: items for key, items in models.items() if items or key not in data}


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
