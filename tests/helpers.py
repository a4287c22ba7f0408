"""Small builders shared by tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from lepton_cli.cli.app import app


def run(*args: str | Path) -> Result:
    """Invoke the CLI as a user would (errors become exit codes, not exceptions)."""
    return CliRunner().invoke(app, [str(a) for a in args])


def write_inventory(path: Path, resources: list[dict[str, Any]], **extra: Any) -> Path:
    doc = {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "currency": "USD",
        "resources": resources,
        **extra,
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def vm(id_: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id_,
        "provider": "aws",
        "account": "111122223333",
        "region": "us-east-1",
        "kind": "compute",
        "type": "m5.large",
        "hourly_cost": 0.096,
        "vcpus": 2,
        "memory_gib": 8,
        "utilization": {"cpu_p95": 0.5, "memory_p95": 0.5, "days": 14},
    }
    return {**base, **fields}
