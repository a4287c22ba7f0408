"""Discover providers through the ``lepton.providers.v1`` entry points (built-ins included)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import BaseModel

from lepton_cli.errors import ProviderError, UsageError
from lepton_cli.providers.base import ENTRY_POINT_GROUP, Capability, Provider


@dataclass(frozen=True)
class Registry:
    providers: dict[str, type[Provider]]
    load_errors: dict[str, str]  # entry-point name -> why it failed (a warning, not a crash)


# What the contract in base.py asks of a provider class, checked when it loads.
_CLASS_DATA = ("name", "config_model", "capabilities", "sdk_modules", "install_extra")
_METHODS = {Capability.INVENTORY: "inventory", Capability.COSTS: "costs",
            Capability.OFFERINGS: "offerings"}  # fmt: skip


def contract_gaps(cls: Any) -> list[str]:
    """What ``cls`` lacks of the provider contract (empty when it is complete)."""
    if not isinstance(cls, type):
        return ["the entry point is not a class"]
    gaps = [f"class attribute {a}" for a in _CLASS_DATA if not hasattr(cls, a)]
    model = getattr(cls, "config_model", None)
    if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
        gaps.append("config_model as a pydantic model")
    for capability in getattr(cls, "capabilities", ()):
        method = _METHODS.get(capability)
        if method and not callable(getattr(cls, method, None)):
            gaps.append(f"method {method}() for its {capability} capability")
    return gaps


@cache
def registry() -> Registry:
    providers: dict[str, type[Provider]] = {}
    errors: dict[str, str] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception as e:  # a broken plugin must not take lepton down
            errors[ep.name] = f"{type(e).__name__}: {e}"
            continue
        gaps = contract_gaps(cls)
        if gaps:
            errors[ep.name] = f"{ep.value} lacks " + ", ".join(gaps) + " (see providers/base.py)"
        else:
            providers[ep.name] = cls
    return Registry(dict(sorted(providers.items())), errors)


def missing_modules(cls: type[Provider]) -> list[str]:
    """The modules of ``cls.sdk_modules`` that cannot be imported (each checked in full, so a
    missing ``azure.mgmt.costmanagement`` is seen even when ``azure`` is there)."""
    return [m for m in cls.sdk_modules if not _importable(m)]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a broken one
        return False


def sdk_installed(cls: type[Provider]) -> bool:
    return not missing_modules(cls)


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
    missing = missing_modules(cls)
    if missing:
        raise ProviderError(
            f"the {name} provider needs its SDK, which is not installed "
            f"(missing: {', '.join(missing)})",
            hint=install_hint(cls),
        )
    return cls
