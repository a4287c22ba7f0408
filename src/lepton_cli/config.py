"""lepton.yaml and LEPTON_* environment variables: flags > env > file > defaults.

The file is found in the working directory, then the user config dir; ``--config`` overrides
both. Provider sections (``aws:``, ``azure:``, ``gcp:``) stay plain mappings here and are
validated by each provider's own ``config_model``.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from lepton_cli.errors import InputError
from lepton_cli.fileio import load_document, validation_error

CONFIG_NAME = "lepton.yaml"
_file_data: ContextVar[dict[str, Any] | None] = ContextVar("lepton_config_file", default=None)


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
    engine: str = "duckdb"  # billing queries: duckdb | spark (see docs/engines.md)
    spark: dict[str, Any] = Field(default_factory=dict)  # {master: local[2]} | {remote: sc://…}
    bigquery: dict[str, Any] = Field(default_factory=dict)  # {table: p.d.t, max_bytes_billed: …}

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


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Settings from flags (non-None keyword arguments), env, the config file and defaults."""
    path = find_config(config)
    data = load_document(path) if path else None
    if data is not None and not isinstance(data, dict):
        raise InputError(
            f"{path}: expected a mapping of settings", hint="see README, Configuration"
        )
    token = _file_data.set(data or {})
    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as e:
        raise validation_error(str(path or "settings (LEPTON_* or flags)"), e) from e
    finally:
        _file_data.reset(token)
