"""Where data comes from: ``--source`` paths (inventories and FOCUS exports) and live providers.

``--source`` accepts a lepton/v1 inventory (.yaml, .yml, .json), a FOCUS export (.csv, .csv.gz,
.parquet) or a folder of either. Inventories are read by the file provider, exports by the
focus provider; everything is merged into one Inventory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lepton_cli.config import Settings
from lepton_cli.errors import InputError, UsageError
from lepton_cli.fileio import check_readable_file

if TYPE_CHECKING:  # the providers and fleet models load when a source needs them
    from lepton_cli.billing.engine import Notes
    from lepton_cli.models import Inventory
    from lepton_cli.providers.base import Provider, ProviderContext

INVENTORY_SUFFIXES = (".yaml", ".yml", ".json")
FOCUS_SUFFIXES = (".csv", ".csv.gz", ".parquet")


@dataclass
class SourceFiles:
    inventories: list[Path] = field(default_factory=list)
    focus: list[Path] = field(default_factory=list)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(INVENTORY_SUFFIXES):
        return "inventory"
    if name.endswith(FOCUS_SUFFIXES):
        return "focus"
    return None


def classify(paths: Sequence[Path]) -> SourceFiles:
    """Sort source paths into inventories and FOCUS exports (folders are expanded one level)."""
    out = SourceFiles()
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder", hint="check the --source path")
        if not path.is_dir():
            check_readable_file(path)  # a FIFO or /dev/zero would block or never end
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        kinds = [(f, _kind(f)) for f in files]
        readable = [(f, k) for f, k in kinds if k]
        if not readable:
            raise InputError(
                f"{path}: nothing lepton can read here",
                hint="give a lepton/v1 inventory (.yaml/.json) or a FOCUS export "
                "(.csv, .csv.gz, .parquet)",
            )
        for f, k in readable:
            (out.inventories if k == "inventory" else out.focus).append(f)
    return out


def provider_context(settings: Settings, use_cache: bool = True) -> ProviderContext:
    from lepton_cli.providers.base import ProviderContext

    return ProviderContext(
        cache_dir=settings.cache_dir,
        use_cache=use_cache,
        cache_ttl_seconds=int(settings.cache_ttl_hours * 3600),
        max_workers=settings.max_workers,
        timeout_seconds=settings.timeout,
    )


def build_provider(name: str, settings: Settings, use_cache: bool = True) -> Provider:
    """A configured provider from the registry, its section of lepton.yaml validated."""
    from lepton_cli.fileio import validate
    from lepton_cli.providers.registry import get_provider_class

    cls = get_provider_class(name)
    section = settings.provider_section(name)
    where = f"{settings.origin_of(name)} `{name}:` section"
    config = validate(cls.config_model, section, where, secret=True)
    return cls(config, provider_context(settings, use_cache))


def load_inventory(
    paths: Sequence[Path],
    progress: Callable[[str], None] | None = None,
    notes: Notes | None = None,
) -> Inventory:
    """One Inventory from every ``--source`` path; ``notes`` hears what the FOCUS read did
    (superseded deliveries, duplicate tag keys)."""
    if not paths:
        raise UsageError("no --source given", hint="pass --source FILE (repeatable)")
    files = classify(paths)
    _no_repeats([*files.inventories, *files.focus])
    loaded: list[Inventory] = []
    if files.inventories:
        from lepton_cli.providers.file import load_inventory_file
    for path in files.inventories:
        if progress:
            progress(f"reading {path}")
        loaded.append(load_inventory_file(path))
    if files.focus:
        if progress:
            progress(f"reading {len(files.focus)} FOCUS file(s)")
        from lepton_cli.providers.focus import focus_inventory

        loaded.append(focus_inventory(files.focus, progress=progress, notes=notes))
    names = [str(p) for p in files.inventories]
    names += (
        ["the FOCUS export(s) " + ", ".join(str(p) for p in files.focus)] if files.focus else []
    )
    same_currency(loaded, names)
    no_duplicates(loaded, names)
    merged = loaded[0]
    for inv in loaded[1:]:
        merged = merged.merged(inv)
    return merged


def _no_repeats(files: Sequence[Path]) -> None:
    """The same file given twice (directly, through a folder or a symlink) would count its
    resources and costs twice."""
    seen: dict[Path, Path] = {}
    for f in files:
        real = f.resolve()
        if real in seen:
            raise InputError(
                f"{f}: given twice (also as {seen[real]}); its costs would be counted twice",
                hint="pass each file once (a folder already includes the files in it)",
            )
        seen[real] = f


def _keys(inv: Inventory) -> dict[str, list[str]]:
    """What must be unique, per section: resources by provider and id, workloads by name,
    offerings by provider, region, type and platform."""
    return {
        "resources": [f"{r.provider}/{r.id}" for r in inv.resources],
        "workloads": [w.name for w in inv.workloads],
        "offerings": [f"{o.provider}/{o.region}/{o.type}/{o.platform}" for o in inv.offerings],
    }


def no_duplicates(inventories: Sequence[Inventory], names: Sequence[str]) -> None:
    """A resource, workload or offering that appears twice would be summed or chosen
    silently: refuse it, naming both places."""
    seen: dict[tuple[str, str], str] = {}
    for inv, name in zip(inventories, names, strict=True):
        for section, keys in _keys(inv).items():
            for i, key in enumerate(keys):
                here = f"{name}: {section}[{i}]"
                if (section, key) in seen:
                    raise InputError(
                        f"{here} repeats {seen[section, key]} ({section[:-1]} {key}); "
                        "it would be counted twice",
                        hint="keep one of them: each resource, workload and offering once",
                    )
                seen[section, key] = here


def same_currency(inventories: Sequence[Inventory], names: Sequence[object]) -> None:
    """Money in different currencies is never added up."""
    currencies = {inv.currency for inv in inventories if inv.resources or inv.offerings}
    if len(currencies) > 1:
        where = ", ".join(str(n) for n in names)
        raise InputError(
            f"sources are in different currencies ({', '.join(sorted(currencies))}): {where}",
            hint="scan and optimise one currency at a time",
        )
