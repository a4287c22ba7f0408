"""`lepton providers`: what can read your clouds, and what each needs installed."""

from __future__ import annotations

from typing import Any

import typer

from lepton_cli.cli import common
from lepton_cli.providers.registry import install_hint, missing_modules, registry
from lepton_cli.report import Format, Table, View


def providers(fmt: common.FormatOption = Format.TABLE) -> None:
    """List providers, their capabilities, and whether their SDK is installed.

    Example: lepton providers --format json
    """
    common.check_format(fmt, (Format.TABLE, Format.JSON, Format.YAML, Format.MARKDOWN, Format.CSV))
    reg = registry()
    rows: list[dict[str, Any]] = []
    for name, cls in reg.providers.items():
        missing = missing_modules(cls)
        rows.append(
            {
                "name": name,
                "capabilities": sorted(c.value for c in cls.capabilities),
                "sdk_installed": not missing,
                "missing_modules": missing,
                "install": install_hint(cls) if missing else None,
            }
        )
    table = Table(
        "Providers",
        ["provider", "capabilities", "SDK", "install"],
        [
            [
                r["name"],
                ", ".join(r["capabilities"]),
                "yes" if r["sdk_installed"] else "no",
                r["install"] or "",
            ]
            for r in rows
        ],
    )
    view = View({"apiVersion": "lepton/v1", "kind": "ProviderList", "providers": rows}, [table])
    for name, why in reg.load_errors.items():
        common.warn(f"provider plugin {name!r} failed to load: {why}")
    common.emit(view, fmt)


def register(app: typer.Typer) -> None:
    app.command("providers")(providers)
