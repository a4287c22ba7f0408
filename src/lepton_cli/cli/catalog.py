"""`lepton catalog list|refresh`: the prices the optimiser uses, and refreshing them live."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.models import Offering, Pricing
from lepton_cli.pricing.catalog import Catalog, load_catalog, save_refreshed
from lepton_cli.pricing.listing import offering_list
from lepton_cli.providers.base import Capability
from lepton_cli.report import Format, Table, View
from lepton_cli.sources import build_provider

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.MARKDOWN, Format.CSV)
catalog_app = typer.Typer(
    help="The price catalog: a bundled, dated snapshot plus live refreshes.\n\n"
    "Example: lepton catalog list --provider aws --region us-east-1 --min-vcpus 8",
    no_args_is_help=True,
)


@dataclass(frozen=True)
class Filters:
    """What `catalog list` keeps; an empty list keeps everything."""

    providers: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    min_vcpus: float = 0
    platforms: list[str] = field(default_factory=list)
    gpus: list[str] = field(default_factory=list)  # GPU models, or "any"

    def keep(self, o: Offering) -> bool:
        return (
            (not self.providers or o.provider in self.providers)
            and (not self.regions or o.region in self.regions)
            and o.vcpus >= self.min_vcpus
            and (not self.platforms or o.platform in self.platforms)
            and (not self.gpus or _gpu_matches(o, self.gpus))
        )


def _gpu_matches(o: Offering, wanted: list[str]) -> bool:
    """``any`` keeps every accelerated type; a model name (case-insensitive) keeps that one."""
    if o.gpus == 0:
        return False
    models = {w.lower() for w in wanted}
    return "any" in models or (o.gpu_model or "").lower() in models


def select(offerings: list[Offering], filters: Filters) -> list[Offering]:
    """Offerings matching every filter given, sorted by provider, region and hourly price."""
    chosen = [o for o in offerings if filters.keep(o)]
    return sorted(
        chosen,
        key=lambda o: (
            o.provider,
            o.region,
            o.prices.get(Pricing.ON_DEMAND, 0),
            o.type,
            o.platform,
        ),
    )


def gpu_text(o: Offering) -> str:
    """``1 x L4 (24 GiB)``, or "" for a type without accelerators."""
    if not o.gpus:
        return ""
    memory = f" ({o.gpu_memory_gib:g} GiB)" if o.gpu_memory_gib else ""
    return f"{o.gpus} x {o.gpu_model or 'GPU'}{memory}"


def catalog_view(catalog: Catalog, offerings: list[Offering]) -> View:
    columns = [
        "provider",
        "region",
        "type",
        "vcpus",
        "memory_gib",
        "perf",
        "family",
        "arch",
        "platform",
        "gpus",
        "on-demand",
        "spot",
        "reserved",
    ]
    rows = [
        [
            o.provider,
            o.region,
            o.type,
            o.vcpus,
            o.memory_gib,
            o.perf,
            o.family or "",
            o.arch or "x86_64",
            o.platform,
            gpu_text(o),
            *(o.prices.get(p) for p in (Pricing.ON_DEMAND, Pricing.SPOT, Pricing.RESERVED)),
        ]
        for o in offerings
    ]
    document = offering_list(catalog.date, offerings).data()
    table = Table(
        f"Offerings (hourly prices, as of {catalog.date})",
        columns,
        rows,
        right=frozenset({"vcpus", "memory_gib", "perf", "on-demand", "spot", "reserved"}),
        keep=frozenset({"region", "type"}),
        optional=("family", "perf", "arch", "reserved", "provider"),
    )
    return View(document, [table], [f"{len(offerings)} offerings, prices as of {catalog.date}"])


@catalog_app.command("list")
def list_(
    provider: Annotated[
        list[str] | None, typer.Option("--provider", "-p", help="Only these providers.")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Only these regions.")
    ] = None,
    min_vcpus: Annotated[
        float,
        typer.Option(help="At least this many vCPUs.", callback=common.number_check(ge=0)),
    ] = 0,
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", help="Only these platforms (linux, windows)."),
    ] = None,
    gpu: Annotated[
        list[str] | None,
        typer.Option("--gpu", help="Only types with these GPU models (L4, A10G, H100...), or any."),
    ] = None,
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Show the offerings (bundled snapshot plus any refresh) with their hourly prices.

    Example: lepton catalog list --provider gcp --region europe-west1 --min-vcpus 4 -f csv

    Example: lepton catalog list --gpu L4 --gpu A10G   (accelerated types with those GPUs)

    Example: lepton catalog list --platform windows -p azure
    """
    common.check_format(fmt, FORMATS)
    catalog = load_catalog(common.settings())
    filters = Filters(provider or [], region or [], min_vcpus, platform or [], gpu or [])
    common.emit(catalog_view(catalog, select(catalog.offerings, filters)), fmt)


@catalog_app.command()
def refresh(
    provider: Annotated[
        str, typer.Option("--provider", "-p", help="The provider to read prices from.")
    ],
    region: Annotated[
        list[str] | None,
        typer.Option("--region", help="Only these regions (default: the catalog's)."),
    ] = None,
) -> None:
    """Read current prices from a provider's price API into the catalog cache.

    Example: lepton catalog refresh --provider aws --region us-east-1 --region eu-west-1
    """
    settings = common.settings()
    live = build_provider(provider, settings, use_cache=False)
    if Capability.OFFERINGS not in live.capabilities:
        raise UsageError(f"provider {provider!r} has no price API", hint="choose aws, azure or gcp")
    regions = region or sorted(
        {o.region for o in load_catalog(settings).offerings if o.provider == provider}
    )
    with common.status(f"reading {provider} prices"):
        offerings = list(live.offerings(regions))
    for failure in live.failures:
        common.warn(f"{failure.scope}: {failure.message}")
    if not offerings:
        raise ProviderError(
            f"{provider} returned no offerings for {', '.join(regions) or 'any region'}",
            hint="check the region names and the provider's credentials",
        )
    path = save_refreshed(settings, provider, offerings, dt.date.today().isoformat())
    common.info(f"refreshed {len(offerings)} {provider} offerings into {path}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(catalog_app, name="catalog")
