"""`lepton providers`: what can read your clouds, and what each needs installed."""

from __future__ import annotations

import typer

from lepton_cli.cli import common
from lepton_cli.providers.listing import provider_list
from lepton_cli.providers.registry import registry
from lepton_cli.report import Format, Table, View


def providers(fmt: common.FormatOption = Format.TABLE) -> None:
    """List providers, their capabilities, and whether their SDK is installed.

    Example: lepton providers --format json
    """
    common.check_format(fmt, (Format.TABLE, Format.JSON, Format.YAML, Format.MARKDOWN, Format.CSV))
    reg = registry()
    doc = provider_list(reg)
    table = Table(
        "Providers",
        ["provider", "capabilities", "SDK", "install"],
        [
            [p.name, ", ".join(p.capabilities), "yes" if p.sdk_installed else "no", p.install or ""]
            for p in doc.providers
        ],
    )
    view = View(doc.data(), [table])
    for name, why in reg.load_errors.items():
        common.warn(f"provider plugin {name!r} failed to load: {why}")
    common.emit(view, fmt)


def register(app: typer.Typer) -> None:
    app.command("providers")(providers)
