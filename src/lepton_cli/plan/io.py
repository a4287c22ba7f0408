"""Plans on disk: YAML out, YAML in (with clear errors), and the digest of their inputs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from lepton_cli.errors import InputError
from lepton_cli.fileio import atomic_write, dump_yaml, load_document, plain, validate
from lepton_cli.models import Inventory, Offering
from lepton_cli.models.optimization import ProblemOptions
from lepton_cli.plan.model import Plan

_VERSION = re.compile(r"^lepton/v(\d+)$")
SUPPORTED = 1


def plan_to_yaml(plan: Plan) -> str:
    """The plan as YAML, keys in model order: byte-identical for equal plans."""
    return dump_yaml(plan)


def save_plan(plan: Plan, path: Path) -> None:
    """Write the plan atomically (temp file + rename)."""
    atomic_write(path, plan_to_yaml(plan))


def _check_header(data: Any, path: Path) -> None:
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: not a lepton plan (empty or not a mapping)",
            hint="give a file written by `lepton optimize -o`",
        )
    version = str(data.get("apiVersion", ""))
    match = _VERSION.match(version)
    if match and int(match[1]) > SUPPORTED:
        raise InputError(
            f"{path}: apiVersion {version} is newer than this lepton understands (lepton/v1)",
            hint="upgrade lepton: pip install -U lepton-cli",
        )
    if data.get("kind") != "Plan":
        raise InputError(
            f"{path}: kind: expected Plan, found {data.get('kind')!r}",
            hint="give a file written by `lepton optimize -o`",
        )


def load_plan(path: Path) -> Plan:
    """Read a plan; InputError naming the file and the YAML path of a bad or missing key."""
    data = load_document(path)
    _check_header(data, path)
    return validate(Plan, data, str(path))


def _canon(value: Any) -> Any:
    """Numbers as normalised decimal strings (40000, 40000.0 and 4E+4 agree), enums as values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _canon(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    raise TypeError(f"not canonicalisable: {type(value).__name__}")


def _canonical(data: Any) -> str:
    return json.dumps(_canon(data), sort_keys=True, separators=(",", ":"))


def digest_options(
    objective: str,
    budget: Decimal | None,
    problem: ProblemOptions,
    *,
    commitments: str | None = None,
) -> dict[str, object]:
    """Every option the problem is built from, as the inputs digest records it: the one place
    both ``lepton optimize`` and ``lepton plan verify`` build it from, so a changed setting is
    seen. Options at their neutral value (no change limit, perf on, no pooled commitments) are
    left out, so plans made before they existed keep their digest."""
    options: dict[str, object] = {
        "objective": objective,
        "budget": budget,
        "headroom": problem.headroom,
        "idle_threshold": problem.idle_threshold,
        "idle_min_days": problem.idle_min_days,
        "migration": problem.migration.model_dump(mode="json"),
    }
    if problem.max_changes is not None:
        options["max_changes"] = problem.max_changes
    if not problem.use_perf:
        options["perf"] = False
    if commitments:
        options["commitments"] = commitments
    return options


def inputs_digest(
    inventory: Inventory, offerings: Sequence[Offering], options: Mapping[str, object]
) -> str:
    """``sha256:<hex>`` of the inputs in canonical form: resources, workloads and offerings
    sorted, keys sorted, money as exact decimal strings. Order in the source files is moot."""
    inv = plain(inventory)
    inv["resources"] = sorted(inv.get("resources", []), key=lambda r: (r["provider"], r["id"]))
    inv["workloads"] = sorted(inv.get("workloads", []), key=lambda w: w["name"])
    inv.pop("offerings", None)
    offers = sorted(
        (plain(o) for o in offerings), key=lambda o: (o["provider"], o["region"], o["type"])
    )
    text = _canonical({"inventory": inv, "offerings": offers, "options": dict(options)})
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
