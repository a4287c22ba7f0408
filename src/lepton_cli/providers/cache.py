"""A small on-disk JSON cache with a time to live, for API answers that are slow or rationed.

Every provider keeps its entries under ``ProviderContext.cache_dir/<provider>/``. A stale,
unreadable or foreign entry is a miss, never an error; writes are atomic, so a reader never sees
half a file. Whether a parsed entry has the shape a caller expects is for that caller to check.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from lepton_cli.fileio import atomic_write
from lepton_cli.providers.base import ProviderContext


def cache_key(*parts: Any) -> str:
    """A stable file-safe key for any JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class DiskCache:
    """JSON values under ``root/<namespace>/<key>.json`` (``root/<key>.json`` for namespace "");
    stale or unreadable entries are misses.

    With ``read`` False every lookup misses (``--no-cache``) but fresh answers are still stored.
    """

    def __init__(self, root: Path, ttl_seconds: float, read: bool = True) -> None:
        self.root = root
        self.ttl_seconds = ttl_seconds
        self.read = read

    @classmethod
    def of(cls, context: ProviderContext, namespace_root: str) -> DiskCache:
        """The cache of one provider: ``cache_dir/<namespace_root>``, with the run's TTL and
        ``--no-cache``."""
        return cls(context.cache_dir / namespace_root, context.cache_ttl_seconds, context.use_cache)

    def path(self, namespace: str, key: str) -> Path:
        """Where the entry ``key`` of ``namespace`` lives (whether or not it exists)."""
        folder = self.root / namespace if namespace else self.root
        return folder / f"{key}.json"

    def get(self, namespace: str, key: str) -> Any | None:
        """The entry's JSON value; None when missing, stale, unreadable or bypassed."""
        path = self.path(namespace, key)
        if not self.read or not path.is_file():
            return None
        if time.time() - path.stat().st_mtime >= self.ttl_seconds:  # a TTL of 0 never hits
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a torn or foreign file is just a miss
            return None

    def put(self, namespace: str, key: str, value: Any) -> None:
        """Store ``value`` atomically; dates and Decimals are written as their ``str()``."""
        atomic_write(self.path(namespace, key), json.dumps(value, default=str))
