"""On-disk cache for answers that cost time or money: the price book and billing-export queries.

Entries are plain files under ``ProviderContext.cache_dir/gcp``, written atomically (a reader
never sees half a file). Whether an entry is usable is for the caller to decide: one it cannot
parse (torn by a crash of an older version, or written by something else) is a miss.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from lepton_cli.fileio import atomic_write
from lepton_cli.providers.base import ProviderContext

FOLDER = "gcp"
# What parsing a torn or foreign entry raises (a bad number is decimal.InvalidOperation, an
# ArithmeticError; a bad enum or model field is a ValueError).
UNREADABLE = (ValueError, KeyError, TypeError, ArithmeticError)


def key_of(*parts: Any) -> str:
    """A stable, file-safe name for an entry identified by JSON-serialisable ``parts``."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def entry(context: ProviderContext, name: str) -> Path:
    return context.cache_dir / FOLDER / name


def fresh_text(context: ProviderContext, path: Path) -> str | None:
    """The entry's text when caching is on and it is younger than the TTL, else None."""
    if not context.use_cache or not path.is_file():
        return None
    if time.time() - path.stat().st_mtime > context.cache_ttl_seconds:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def store(path: Path, text: str) -> None:
    """Write an entry atomically (stored even with ``use_cache`` False: it is fresh)."""
    atomic_write(path, text)
