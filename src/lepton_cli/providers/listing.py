"""The provider list document (kind ProviderList): what can read your clouds, and what each
provider needs installed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lepton_cli.models.base import Model
from lepton_cli.models.document import Document
from lepton_cli.providers.base import Provider
from lepton_cli.providers.registry import Registry, install_hint, missing_modules


class ProviderInfo(Model):
    name: str
    capabilities: list[str]
    sdk_installed: bool
    missing_modules: list[str]
    install: str | None  # the pip command that installs what is missing (None: nothing is)


class ProviderList(Document):
    kind: Literal["ProviderList"] = "ProviderList"
    providers: list[ProviderInfo] = Field(default_factory=list)


def provider_list(reg: Registry) -> ProviderList:
    """Every registered provider, with its capabilities and the SDK modules it cannot import."""
    return ProviderList(providers=[_info(name, cls) for name, cls in reg.providers.items()])


def _info(name: str, cls: type[Provider]) -> ProviderInfo:
    missing = missing_modules(cls)
    return ProviderInfo(
        name=name,
        capabilities=sorted(c.value for c in cls.capabilities),
        sdk_installed=not missing,
        missing_modules=missing,
        install=install_hint(cls) if missing else None,
    )
