"""The shape of a hostile-input case, and builders for the files cases feed lepton.

A case is data: files to write into a fresh folder, the command line, the expected exit code
and the words the output must contain. ``{tmp}`` in an argument or an environment value is
that folder. Each ``cases_*.py`` module next to this one exports ``CASES``, a list of
:class:`Case`; ``test_hostile.py`` runs every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    exit: int
    words: tuple[str, ...] = ()
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None  # e.g. a FIFO, a symlink, a chmod
    absent: tuple[str, ...] = ()  # words the output must not contain (a secret, a markup loss)
    after: Callable[[Path], None] | None = None  # more checks on the folder afterwards


def vm(id_: str = "i-1", **fields: Any) -> dict[str, Any]:
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
        "tags": {"workload": "web"},
    }
    return {**base, **fields}


def offering(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "provider": "aws",
        "region": "us-east-1",
        "type": "x9.large",
        "vcpus": 2,
        "memory_gib": 8,
        "prices": {"on-demand": 0.05},
    }
    return {**base, **fields}


def inventory(resources: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    doc = {
        "apiVersion": "lepton/v1",
        "kind": "Inventory",
        "currency": "USD",
        "resources": [vm()] if resources is None else resources,
        **extra,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def inv_files(resources: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, str]:
    return {"inv.yaml": inventory(resources, **extra)}
