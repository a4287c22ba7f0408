"""The price catalog: the bundled, dated snapshot plus any refreshed prices in the cache.

The snapshot (``pricing/data/catalog.yaml``) is lepton's own format::

    apiVersion: lepton/v1
    kind: Catalog
    as_of: "2025-06-01"          # when the list prices were read
    currency: USD
    source: ...                  # where they come from
    providers:
      aws:
        us-east-1:
          - {type: m7i.large, vcpus: 2, memory_gib: 8, perf: 1.15, family: general,
             arch: x86_64, prices: {on-demand: 0.1008, spot: 0.0449, reserved: 0.0635}}
          - {type: m7i.large, platform: windows, ...}       # the same type, Windows-licensed
          - {type: g6.xlarge, vcpus: 4, memory_gib: 16, gpus: 1, gpu_model: L4,
             gpu_memory_gib: 24, prices: {on-demand: 0.8048}}

Prices are hourly. There is one entry per (type, platform): ``platform`` defaults to linux, and
a licensed platform (windows) carries its own prices. ``gpus`` counts the accelerators on one
instance, ``gpu_memory_gib`` is per accelerator. ``lepton catalog refresh`` writes one file per
provider in the same shape under ``<cache_dir>/catalog/``; those prices override the bundled
ones for the same (provider, region, type, platform).

:meth:`Catalog.spec` (and :func:`type_spec` for the bundled snapshot) looks a type up: its
vCPUs, memory, perf, arch and accelerators, the same in every region, so a resource that does
not say its own perf or arch can take the catalog's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field

from lepton_cli.config import Settings
from lepton_cli.errors import InputError
from lepton_cli.fileio import atomic_write, dump_yaml, read_text, validate
from lepton_cli.models import Inventory, Offering, OfferingsMode, Pricing, Resource
from lepton_cli.models.base import Model

CATALOG_DIR = "catalog"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster


class CatalogEntry(Model):
    type: str
    vcpus: float = Field(gt=0)
    memory_gib: float = Field(gt=0)
    perf: float = Field(default=1.0, gt=0)
    family: str | None = None
    arch: str | None = None
    platform: str = "linux"
    gpus: int = Field(default=0, ge=0)
    gpu_model: str | None = None
    gpu_memory_gib: float | None = Field(default=None, ge=0)
    prices: dict[Pricing, Decimal]


class CatalogDocument(Model):
    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")
    kind: Literal["Catalog"] = "Catalog"
    as_of: str
    currency: str = "USD"
    source: str = ""
    providers: dict[str, dict[str, list[CatalogEntry]]]


OfferingKey = tuple[str, str, str, str]  # (provider, region, type, platform)


def offering_key(o: Offering) -> OfferingKey:
    """What makes an offering unique in a catalog: a Windows entry is not its Linux twin."""
    return (o.provider, o.region, o.type, o.platform)


@dataclass(frozen=True)
class TypeSpec:
    """What a type is, wherever it is sold: the shape the optimizer measures capacity in."""

    provider: str
    type: str
    vcpus: float
    memory_gib: float
    perf: float
    arch: str  # x86_64 | arm64 (an offering without arch is x86_64)
    family: str | None = None
    gpus: int = 0
    gpu_model: str | None = None
    gpu_memory_gib: float | None = None
    platforms: tuple[str, ...] = ("linux",)  # the platforms the catalog prices it for


def type_index(offerings: Iterable[Offering]) -> dict[tuple[str, str], TypeSpec]:
    """(provider, type) -> TypeSpec; the first offering of a type sets its shape."""
    index: dict[tuple[str, str], TypeSpec] = {}
    for o in offerings:
        key = (o.provider, o.type)
        known = index.get(key)
        if known is not None:
            if o.platform not in known.platforms:
                platforms = tuple(sorted({*known.platforms, o.platform}))
                index[key] = replace(known, platforms=platforms)
            continue
        index[key] = TypeSpec(
            provider=o.provider,
            type=o.type,
            vcpus=o.vcpus,
            memory_gib=o.memory_gib,
            perf=o.perf,
            arch=o.arch or "x86_64",
            family=o.family,
            gpus=o.gpus,
            gpu_model=o.gpu_model,
            gpu_memory_gib=o.gpu_memory_gib,
            platforms=(o.platform,),
        )
    return index


@dataclass(frozen=True)
class Catalog:
    """Offerings with the date their prices were read (the newest part's date when merged)."""

    date: str
    offerings: list[Offering] = field(default_factory=list)
    source: str = ""
    currency: str = "USD"
    _types: dict[tuple[str, str], TypeSpec] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def spec(self, provider: str, type_: str) -> TypeSpec | None:
        """The catalog's spec of ``type_`` at ``provider`` (perf, arch, GPUs), or None."""
        if not self._types and self.offerings:
            self._types.update(type_index(self.offerings))
        return self._types.get((provider, type_))


def type_spec(provider: str, type_: str) -> TypeSpec | None:
    """The bundled catalog's spec of a type (see :meth:`Catalog.spec`)."""
    return bundled_catalog().spec(provider, type_)


def with_catalog_spec(resource: Resource, catalog: Catalog) -> tuple[Resource, list[str]]:
    """``resource`` with what it does not say about itself taken from the catalog's spec of its
    type: perf (when the resource gives none), arch, GPU count and model, vCPUs and memory.
    Also returns what was taken, as "perf", "arch", ... (for a plan's assumptions).

    A resource "gives" perf only when its source sets it: the 1.0 default is not a measure."""
    spec = catalog.spec(resource.provider, resource.type) if resource.type else None
    if spec is None:
        return resource, []
    wanted: dict[str, object] = {
        "perf": spec.perf if "perf" not in resource.model_fields_set else None,
        "arch": spec.arch if resource.arch is None else None,
        "gpus": spec.gpus if resource.gpus is None else None,
        "gpu_model": spec.gpu_model if resource.gpu_model is None and spec.gpus else None,
        "vcpus": spec.vcpus if resource.vcpus is None else None,
        "memory_gib": spec.memory_gib if resource.memory_gib is None else None,
    }
    update = {k: v for k, v in wanted.items() if v is not None}
    return (resource.model_copy(update=update) if update else resource), sorted(update)


def to_offerings(doc: CatalogDocument) -> list[Offering]:
    """Flatten a catalog document into offerings, in document order."""
    return [
        Offering(provider=p, region=r, **e.model_dump())
        for p, regions in doc.providers.items()
        for r, entries in regions.items()
        for e in entries
    ]


def to_document(offerings: Iterable[Offering], as_of: str, source: str) -> CatalogDocument:
    """The catalog document holding ``offerings`` (the shape the cache files use)."""
    providers: dict[str, dict[str, list[CatalogEntry]]] = {}
    for o in offerings:
        entry = CatalogEntry(**o.model_dump(exclude={"provider", "region"}))
        providers.setdefault(o.provider, {}).setdefault(o.region, []).append(entry)
    return CatalogDocument(as_of=as_of, source=source, providers=providers)


def parse_catalog(text: str, source: str) -> Catalog:
    """Parse catalog YAML; InputError naming ``source`` and the bad key when it is invalid."""
    try:
        data: Any = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise InputError(f"{source}: invalid YAML: {e}", hint="delete the file and refresh") from e
    doc = validate(CatalogDocument, data, source)
    return Catalog(
        date=doc.as_of, offerings=to_offerings(doc), source=doc.source, currency=doc.currency
    )


@cache
def bundled_catalog() -> Catalog:
    """The snapshot shipped in the package, parsed once per process."""
    text = resources.files("lepton_cli.pricing").joinpath("data/catalog.yaml").read_text("utf-8")
    return parse_catalog(text, "bundled catalog")


def merge_offerings(base: Sequence[Offering], override: Sequence[Offering]) -> list[Offering]:
    """``base`` with each (provider, region, type, platform) in ``override`` replaced or
    added."""
    newer = {offering_key(o): o for o in override}
    kept = [o for o in base if offering_key(o) not in newer]
    return [*kept, *newer.values()]


def cache_path(settings: Settings, provider: str) -> Path:
    return settings.cache_dir / CATALOG_DIR / f"{provider}.yaml"


def refreshed_catalogs(settings: Settings) -> list[tuple[Path, Catalog]]:
    """Every refreshed per-provider catalog in the cache, by file name."""
    folder = settings.cache_dir / CATALOG_DIR
    if not folder.is_dir():
        return []
    return [(p, parse_catalog(read_text(p), str(p))) for p in sorted(folder.glob("*.yaml"))]


def with_known_shape(o: Offering, known: TypeSpec | None) -> Offering:
    """A refreshed offering with what price APIs do not say taken from the catalog's spec of
    its type: perf (no provider publishes one, so a refresh would reset every type to 1.0),
    and family, arch, GPU model and GPU memory where the refresh left them empty."""
    if known is None:
        return o
    update: dict[str, object] = {"perf": known.perf}
    for name in ("family", "arch", "gpu_model", "gpu_memory_gib"):
        if getattr(o, name) is None and getattr(known, name) is not None:
            update[name] = getattr(known, name)
    if o.gpus == 0:  # a type without GPUs takes no GPU fields
        update.pop("gpu_model", None)
        update.pop("gpu_memory_gib", None)
    return o.model_copy(update=update)


def load_catalog(settings: Settings) -> Catalog:
    """The bundled snapshot with refreshed prices from ``settings.cache_dir`` laid over it
    (refreshed entries keep the bundled perf of their type, see :func:`with_known_shape`)."""
    catalog = bundled_catalog()
    for path, part in refreshed_catalogs(settings):
        if part.currency != catalog.currency:  # prices in two currencies never mix
            raise InputError(
                f"{path}: prices in {part.currency}, the catalog is in {catalog.currency}",
                hint="delete that file and run `lepton catalog refresh` again",
            )
        fresh = [with_known_shape(o, catalog.spec(o.provider, o.type)) for o in part.offerings]
        catalog = Catalog(
            date=max(catalog.date, part.date),
            offerings=merge_offerings(catalog.offerings, fresh),
            source=catalog.source,
            currency=catalog.currency,
        )
    return catalog


def save_refreshed(
    settings: Settings, provider: str, offerings: Sequence[Offering], as_of: str
) -> Path:
    """Write a provider's freshly read offerings where ``load_catalog`` finds them."""
    doc = to_document(offerings, as_of, source=f"lepton catalog refresh --provider {provider}")
    path = cache_path(settings, provider)
    atomic_write(path, dump_yaml(doc))
    return path


def effective_offerings(catalog: Catalog, inventory: Inventory) -> list[Offering]:
    """The offerings an optimisation may use: the inventory's own replace or extend the catalog.

    An inventory in another currency than the catalog can only use its own offerings: a EUR
    fleet is never priced against USD list prices."""
    if inventory.offerings_mode is OfferingsMode.REPLACE:
        return list(inventory.offerings)
    if inventory.currency != catalog.currency:
        raise InputError(
            f"the inventory is in {inventory.currency}, the price catalog in {catalog.currency}",
            hint=f"give the inventory `offerings` priced in {inventory.currency} with "
            "`offerings_mode: replace`",
        )
    return merge_offerings(catalog.offerings, inventory.offerings)
