"""lepton.yaml and LEPTON_* environment variables: flags > env > file > defaults.

The file is found in the working directory, then the user config dir; ``--config`` overrides
both. ``LEPTON_<SETTING>`` sets a setting (names are not case-sensitive): as JSON for a
setting that is a mapping or a list (``LEPTON_AWS='{"regions": ["us-east-1"]}'``), else as its
text. ``LEPTON_<SETTING>__<KEY>[__<KEY>...]`` sets one key inside it, lower-cased; its value is
JSON when it is a JSON list or object, else its text (``LEPTON_AWS__PROFILE=prod``,
``LEPTON_AWS__REGIONS='["eu-west-1"]'``). Mappings from the file, the environment and the
flags are merged key by key.

Provider sections (``aws:``, ``azure:``, ``gcp:``, ``focus:``, ``file:`` and a plugin's own,
under its entry-point name) stay plain mappings here and are validated by each provider's own
``config_model`` when the provider is built."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, get_args, get_origin

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from lepton_cli.errors import InputError, LeptonError, UsageError
from lepton_cli.fileio import load_document, yaml_path
from lepton_cli.models.base import Days, Headroom, Share
from lepton_cli.models.optimization import EGRESS_PER_GIB as EGRESS_PER_GIB
from lepton_cli.models.optimization import Migration as Migration
from lepton_cli.models.optimization import ProblemOptions, Solver

CONFIG_NAME = "lepton.yaml"

ENV_PREFIX = "LEPTON_"
SCRIPT_VARIABLES = frozenset(
    {"CORPUS", "SOURCE", "BUDGET", "COSTS", "FAIL_ON_SAVINGS", "GITLAB_TOKEN"}
)
"""LEPTON_* names left to CI scripts (the recipes in examples/ci use them): not settings."""
NESTED = "__"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    idle_threshold: Share = 0.05  # cpu_p95 below this is idle
    idle_min_days: Days = 7  # ... over at least this many days
    headroom: Headroom = 0.2  # added to derived demand
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir("lepton")))
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("lepton")))
    cache_ttl_hours: float = Field(default=24, ge=0, le=24 * 366, allow_inf_nan=False)
    max_workers: int = Field(default=8, ge=1, le=64)
    # Seconds one provider scope (region, subscription, project) may take; connect and read
    # timeouts of each call, and the cap on a server's Retry-After, are derived from it.
    timeout: float = Field(default=300, gt=0, le=86400)
    solver: Solver = Solver.HIGHS
    time_limit: float = Field(default=60, gt=0, le=7 * 86400, allow_inf_nan=False)
    gap: float = Field(default=1e-4, ge=0, lt=1, allow_inf_nan=False)
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

    _file: Path | None = PrivateAttr(default=None)  # the config file these came from

    def origin_of(self, field: str) -> str:
        """Where ``field`` was set: its LEPTON_* variable, else the config file."""
        env = _env_name(field, os.environ)
        if env:
            return env
        return str(self._file) if self._file else CONFIG_NAME

    engine: str = "duckdb"  # billing queries: duckdb | spark | bigquery | athena | trino
    spark: dict[str, Any] = Field(default_factory=dict)  # {master: local[2]} | {remote: sc://…}
    bigquery: dict[str, Any] = Field(default_factory=dict)  # {table: p.d.t, max_bytes_billed: …}
    athena: dict[str, Any] = Field(default_factory=dict)  # {table: db.t, workgroup: …}
    trino: dict[str, Any] = Field(default_factory=dict)  # {table: catalog.schema.t, host: …}


def problem_options(settings: Settings, use_perf: bool = True) -> ProblemOptions:
    """What the optimizer reads of ``settings`` (``use_perf``: False for ``--no-perf``): the
    one place the settings become the problem's options, for `optimize`, `plan verify`, the
    benchmarks and the server alike."""
    return ProblemOptions(
        headroom=settings.headroom,
        idle_threshold=settings.idle_threshold,
        idle_min_days=settings.idle_min_days,
        migration=settings.migration,
        max_changes=settings.max_changes,
        use_perf=use_perf,
    )


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


Providers = Collection[str] | Callable[[], Collection[str]]
"""The registered provider names, or how to find them (called only when the file has a
section that is not a setting: discovering providers imports every provider package)."""


def _plugin_sections(data: dict[str, Any], providers: Providers) -> dict[str, Any]:
    """Move the top-level sections named after a plugin provider under ``plugins``: a plugin
    is configured like a built-in (``myprovider: {...}``), and any other unknown key still
    fails as a typo."""
    unknown = [k for k in data if k not in Settings.model_fields]
    if not unknown:
        return data
    names = providers() if callable(providers) else providers
    found = {k: data[k] for k in unknown if k in names}
    if not found:
        return data
    rest = {k: v for k, v in data.items() if k not in found}
    return {**rest, "plugins": {**rest.get("plugins", {}), **found}}


def load_settings(config: Path | None = None, providers: Providers = (), **flags: Any) -> Settings:
    """Settings from flags (non-None keyword arguments), env, the config file and defaults.
    ``providers`` are the registered provider names (or a function giving them), whose
    sections the file may carry.

    A bad value is blamed on where it came from: the flag (a UsageError, exit 2), the LEPTON_*
    variable or the config file (an InputError, exit 3)."""
    path = find_config(config)
    data = load_document(path) if path else None
    if data is not None and not isinstance(data, dict):
        raise InputError(
            f"{path}: expected a mapping of settings", hint="see README, Configuration"
        )
    odd = [k for k in (data or {}) if not isinstance(k, str)]
    if odd:
        raise InputError(
            f"{path}: {odd[0]!r} is not a setting name (keys must be text)",
            hint="see README, Configuration",
        )
    given = {k: v for k, v in flags.items() if v is not None}
    merged = _merged(_plugin_sections(data or {}, providers), env_settings(os.environ), given)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as e:
        raise _settings_error(e, given, data or {}, path) from None  # inputs may be secrets
    settings._file = path
    return settings


def env_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the LEPTON_* variables of ``environ`` give (see the module's docstring);
    InputError for a mapping or list setting whose value is not JSON."""
    found: dict[str, Any] = {}
    nested: list[tuple[str, list[str], str]] = []
    for name, value in sorted(environ.items()):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        field, *keys = name[len(ENV_PREFIX) :].lower().split(NESTED)
        if field not in Settings.model_fields:
            continue  # a script's variable, or a typo (unknown_env_vars warns)
        if not keys:
            found[field] = _json_value(name, field, value) if _is_structured(field) else value
        elif "" in keys:
            raise InputError(f"{name}: an empty key", hint=f"name the key: {name}KEY")
        else:
            nested.append((field, keys, value))
    for field, keys, value in nested:  # nested keys over the whole value they refine
        *path, last = keys
        node = found.setdefault(field, {})
        for key in path:
            node = node.setdefault(key, {}) if isinstance(node, dict) else node
        if isinstance(node, dict):
            node[last] = _nested_value(value)
    return found


def _is_structured(field: str) -> bool:
    """Whether the setting is a mapping, a list or a model (set as JSON in the environment)."""
    annotation = Settings.model_fields[field].annotation
    kinds = [annotation, get_origin(annotation), *get_args(annotation)]
    return any(
        kind in (dict, list) or (isinstance(kind, type) and issubclass(kind, BaseModel))
        for kind in kinds
    )


def _json_value(name: str, field: str, value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise InputError(
            f"{name}: not a valid value for the `{field}` setting (it must be JSON)",
            hint=f'give {name} as a JSON object, e.g. {name}=\'{{"regions": ["us-east-1"]}}\', '
            f"or set nested keys with {name}{NESTED}KEY",
        ) from None


def _nested_value(value: str) -> Any:
    """A nested key's value: a JSON list or object as such, anything else as its text (which
    the setting's model reads as a number, a flag or a word)."""
    if value.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _merged(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """``layers`` merged key by key, mappings recursively; a later layer wins."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            before = out.get(key)
            if isinstance(before, dict) and isinstance(value, dict):
                out[key] = _merged(before, value)
            else:
                out[key] = value
    return out


def _env_name(field: str, environ: Mapping[str, str]) -> str | None:
    """The LEPTON_* variable that sets ``field`` (or one of its nested keys), if any."""
    for name in environ:
        upper = name.upper()
        if upper.startswith(ENV_PREFIX):
            rest = upper[len(ENV_PREFIX) :].lower()
            if rest == field or rest.startswith(field + "__"):
                return name
    return None


def _origin(
    field: str, flags: Mapping[str, Any], data: Mapping[str, Any], path: Path | None
) -> str:
    if field in flags:
        return "--" + field.replace("_", "-")
    env = _env_name(field, os.environ)
    if env:
        return env
    if path is not None and field in data:
        return str(path)
    return "settings"


def _settings_error(
    err: ValidationError, flags: Mapping[str, Any], data: Mapping[str, Any], path: Path | None
) -> LeptonError:
    lines, from_flag = [], False
    for e in err.errors(include_input=False)[:10]:
        field = str(e["loc"][0]) if e["loc"] else ""
        origin = _origin(field, flags, data, path)
        from_flag = from_flag or origin.startswith("--")
        where = (
            origin
            if origin.startswith("--") or origin.startswith(ENV_PREFIX)
            else (f"{origin}: {yaml_path(e['loc'])}")
        )
        lines.append(f"{where}: {e['msg']}")
    message = "\n".join(lines)
    if from_flag:
        return UsageError(message, hint="correct the flag's value (see --help)")
    kind = err.errors()[0]["type"]
    hint = "remove the key or fix its spelling" if kind == "extra_forbidden" else "correct it"
    return InputError(message, hint=hint)


def unknown_env_vars(environ: Mapping[str, str] | None = None) -> list[str]:
    """LEPTON_* variables that set nothing (a typo, or a setting that does not exist)."""
    env = os.environ if environ is None else environ
    fields = set(Settings.model_fields)
    unknown = []
    for name in sorted(env):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX):
            continue
        rest = upper[len(ENV_PREFIX) :]
        if rest in SCRIPT_VARIABLES or rest.lower().split("__")[0] in fields:
            continue
        unknown.append(name)
    return unknown
