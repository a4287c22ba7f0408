"""Discover providers through the ``lepton.providers.v1`` entry points (built-ins included)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points

from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.providers.base import ENTRY_POINT_GROUP, Provider


@dataclass(frozen=True)
class Registry:
    providers: dict[str, type[Provider]]
    load_errors: dict[
        str, str
    ]  # entry-point name -> why it failed to load (a warning, not a crash)


@cache
def registry() -> Registry:
    providers: dict[str, type[Provider]] = {}
    errors: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            providers[ep.name] = ep.load()
        except Exception as e:  # a broken plugin must not take lepton down
            errors[ep.name] = f"{type(e).__name__}: {e}"
    return Registry(dict(sorted(providers.items())), errors)


def sdk_installed(cls: type[Provider]) -> bool:
    return all(importlib.util.find_spec(m.split(".")[0]) is not None for m in cls.sdk_modules)


def install_hint(cls: type[Provider]) -> str | None:
    return f"pip install 'lepton-cli[{cls.install_extra}]'" if cls.install_extra else None


def get_provider_class(name: str) -> type[Provider]:
    """The provider class called ``name``, with its SDK checked."""
    reg = registry()
    if name not in reg.providers:
        if name in reg.load_errors:
            raise ProviderError(f"provider {name!r} failed to load: {reg.load_errors[name]}")
        known = ", ".join(reg.providers) or "none"
        raise UsageError(f"unknown provider {name!r}", hint=f"choose one of: {known}")
    cls = reg.providers[name]
    if not sdk_installed(cls):
        raise ProviderError(
            f"the {name} provider needs its SDK, which is not installed",
            hint=install_hint(cls),
        )
    return cls
