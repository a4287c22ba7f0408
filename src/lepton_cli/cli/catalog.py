"""`lepton catalog list|refresh`: the prices the optimiser uses, and refreshing them live."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.models import Offering, Pricing
from lepton_cli.pricing.catalog import Catalog, load_catalog, save_refreshed
from lepton_cli.providers.base import Capability
from lepton_cli.report import Format, Table, View
from lepton_cli.sources import build_provider

FORMATS = (Format.TABLE, Format.YAML, Format.JSON, Format.MARKDOWN, Format.CSV)
catalog_app = typer.Typer(
    help="The price catalog: a bundled, dated snapshot plus live refreshes.\n\n"
    "Example: lepton catalog list --provider aws --region us-east-1 --min-vcpus 8",
    no_args_is_help=True,
)


def select(
    offerings: list[Offering], providers: list[str], regions: list[str], min_vcpus: float
) -> list[Offering]:
    """Offerings matching every filter given, sorted by provider, region and hourly price."""
    chosen = [
        o
        for o in offerings
        if (not providers or o.provider in providers)
        and (not regions or o.region in regions)
        and o.vcpus >= min_vcpus
    ]
    return sorted(
        chosen, key=lambda o: (o.provider, o.region, o.prices.get(Pricing.ON_DEMAND, 0), o.type)
    )


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
            o.arch or "",
            *(o.prices.get(p) for p in (Pricing.ON_DEMAND, Pricing.SPOT, Pricing.RESERVED)),
        ]
        for o in offerings
    ]
    document = {
        "apiVersion": "lepton/v1",
        "kind": "OfferingList",
        "as_of": catalog.date,
        "offerings": [o.model_dump(mode="python", exclude_none=True) for o in offerings],
    }
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
    fmt: common.FormatOption = Format.TABLE,
) -> None:
    """Show the offerings (bundled snapshot plus any refresh) with their hourly prices.

    Example: lepton catalog list --provider gcp --region europe-west1 --min-vcpus 4 -f csv
    """
    common.check_format(fmt, FORMATS)
    catalog = load_catalog(common.settings())
    common.emit(
        catalog_view(catalog, select(catalog.offerings, provider or [], region or [], min_vcpus)),
        fmt,
    )


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
