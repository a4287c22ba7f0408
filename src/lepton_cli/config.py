"""lepton.yaml and LEPTON_* environment variables: flags > env > file > defaults.

The file is found in the working directory, then the user config dir; ``--config`` overrides
both. Provider sections (``aws:``, ``azure:``, ``gcp:``, ``focus:``, ``file:`` and a plugin's own,
under its entry-point name) stay plain mappings here and are validated by each provider's own
``config_model`` when the provider is built.
"""

from __future__ import annotations

from collections.abc import Collection
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from lepton_cli.errors import InputError
from lepton_cli.fileio import load_document, validation_error

CONFIG_NAME = "lepton.yaml"

EGRESS_PER_GIB = {
    # Internet egress list price of the first paid tier, USD per GiB, as published on
    # 2025-06-01: AWS EC2 "Data Transfer Out to Internet", first 10 TB/month (us-east-1);
    # Azure bandwidth over the Microsoft premium global network, first 10 TB (zone 1);
    # GCP Premium Tier internet egress, 0-1 TiB/month from North America.
    "aws": 0.09,
    "azure": 0.087,
    "gcp": 0.12,
}
_file_data: ContextVar[dict[str, Any] | None] = ContextVar("lepton_config_file", default=None)


class Migration(BaseModel):
    """What a move to a new (provider, region) costs once, amortised over ``horizon_months``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizon_months: float = Field(default=12, gt=0)
    per_instance: float = Field(default=0, ge=0)  # one-time cost of each instance placed anew
    egress_per_gib: dict[str, float] = Field(default_factory=lambda: dict(EGRESS_PER_GIB))

    def egress(self, provider: str) -> float:
        """A provider's price per GiB copied out; an unknown provider: the highest one known."""
        prices = {**EGRESS_PER_GIB, **self.egress_per_gib}
        return prices.get(provider, max(prices.values()))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LEPTON_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    idle_threshold: float = Field(default=0.05, ge=0, le=1)  # cpu_p95 below this is idle
    idle_min_days: int = Field(default=7, ge=0)  # ... over at least this many days
    headroom: float = Field(default=0.2, ge=0)  # added to derived demand
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir("lepton")))
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("lepton")))
    cache_ttl_hours: float = Field(default=24, ge=0)
    max_workers: int = Field(default=8, ge=1, le=64)
    # Seconds one provider scope (region, subscription, project) may take; connect and read
    # timeouts of each call, and the cap on a server's Retry-After, are derived from it.
    timeout: float = Field(default=300, gt=0, le=86400)
    solver: Literal["highs", "cbc", "greedy"] = "highs"
    time_limit: float = Field(default=60, gt=0)
    gap: float = Field(default=1e-4, ge=0)
    history: bool = True
    notify: str | None = None  # webhook URL (a secret: never printed)
    aws: dict[str, Any] = Field(default_factory=dict)
    azure: dict[str, Any] = Field(default_factory=dict)
    gcp: dict[str, Any] = Field(default_factory=dict)
    focus: dict[str, Any] = Field(default_factory=dict)  # {paths: [...]} for --provider focus
    file: dict[str, Any] = Field(default_factory=dict)  # {paths: [...]} for --provider file
    budgets: list[dict[str, Any]] = Field(default_factory=list)
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)  # plugin provider sections

    def provider_section(self, name: str) -> dict[str, Any]:
        """The lepton.yaml section of provider ``name`` (built-in or plugin), or ``{}``."""
        if name in type(self).model_fields and name != "plugins":
            section = getattr(self, name)
            return section if isinstance(section, dict) else {}
        return self.plugins.get(name, {})

    migration: Migration = Field(default_factory=Migration)
    max_changes: int | None = Field(default=None, ge=0)  # workloads a plan may change

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 - no .env files
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        file_source = InitSettingsSource(settings_cls, init_kwargs=_file_data.get() or {})
        return (init_settings, env_settings, file_source)


def find_config(explicit: Path | None = None) -> Path | None:
    """``--config``, else ./lepton.yaml, else the user config dir's lepton.yaml, else none."""
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"{explicit}: config file not found", hint="check the --config path")
        return explicit
    for candidate in (
        Path.cwd() / CONFIG_NAME,
        Path(platformdirs.user_config_dir("lepton")) / CONFIG_NAME,
    ):
        if candidate.is_file():
            return candidate
    return None


def _plugin_sections(data: dict[str, Any], providers: Collection[str]) -> dict[str, Any]:
    """Move the top-level sections named after a plugin provider under ``plugins``: a plugin
    is configured like a built-in (``myprovider: {...}``), and any other unknown key still
    fails as a typo."""
    plugin_names = set(providers) - set(Settings.model_fields)
    found = {k: data[k] for k in data if k in plugin_names}
    if not found:
        return data
    rest = {k: v for k, v in data.items() if k not in found}
    return {**rest, "plugins": {**rest.get("plugins", {}), **found}}


def load_settings(
    config: Path | None = None, providers: Collection[str] = (), **flags: Any
) -> Settings:
    """Settings from flags (non-None keyword arguments), env, the config file and defaults.
    ``providers`` are the registered provider names, whose sections the file may carry."""
    path = find_config(config)
    data = load_document(path) if path else None
    if data is not None and not isinstance(data, dict):
        raise InputError(
            f"{path}: expected a mapping of settings", hint="see README, Configuration"
        )
    token = _file_data.set(_plugin_sections(data or {}, providers))
    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as e:
        raise validation_error(str(path or "settings (LEPTON_* or flags)"), e) from e
    finally:
        _file_data.reset(token)
