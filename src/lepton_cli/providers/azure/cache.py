"""A small on-disk JSON cache with a time to live, for API answers that are slow or rationed."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from lepton_cli.fileio import atomic_write


def cache_key(*parts: Any) -> str:
    """A stable file-safe key for any JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class DiskCache:
    """JSON values under ``root/<namespace>/<key>.json``; stale or unreadable entries are misses.

    With ``read`` False every lookup misses (``--no-cache``) but fresh answers are still stored.
    """

    def __init__(self, root: Path, ttl_seconds: float, read: bool = True) -> None:
        self.root = root
        self.ttl_seconds = ttl_seconds
        self.read = read

    def _path(self, namespace: str, key: str) -> Path:
        return self.root / namespace / f"{key}.json"

    def get(self, namespace: str, key: str) -> Any | None:
        path = self._path(namespace, key)
        if not self.read or not path.is_file():
            return None
        if time.time() - path.stat().st_mtime > self.ttl_seconds:
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a torn or foreign file is just a miss
            return None

    def put(self, namespace: str, key: str, value: Any) -> None:
        atomic_write(self._path(namespace, key), json.dumps(value))
