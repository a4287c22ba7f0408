"""A small on-disk JSON cache with a time to live, for API answers that are slow or rationed
and for compiled billing SQL.

Every provider keeps its entries under ``ProviderContext.cache_dir/<provider>/``; the billing
queries keep theirs under ``cache_dir/sql/``. A stale,
unreadable or foreign entry is a miss, never an error (``get(..., valid=...)`` checks the shape
a caller expects); writes are atomic, so a reader never sees half a file. A cache folder that
cannot be written (read-only, not owned, a file in the way) is not a failure either: the run goes
on without storing answers, with one warning on the ``lepton_cli`` logger.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lepton_cli.fileio import atomic_write

LOG = logging.getLogger("lepton_cli.cache")
_warned: set[Path] = set()
_warned_lock = threading.Lock()


def _warn_unwritable(root: Path, error: OSError) -> None:
    """One warning per cache folder per process (a scan stores many entries)."""
    with _warned_lock:
        if root in _warned:
            return
        _warned.add(root)
    reason = error.strerror or type(error).__name__
    LOG.warning(
        "warning: cannot write the cache in %s (%s): continuing without the cache. To fix: "
        "make it writable, or point `cache_dir` (LEPTON_CACHE_DIR) at a writable folder",
        root,
        reason,
    )


def cache_key(*parts: Any) -> str:
    """A stable file-safe key for any JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class CacheOptions(Protocol):
    """What a run says about its cache (a provider's ``ProviderContext``)."""

    @property
    def cache_dir(self) -> Path: ...
    @property
    def cache_ttl_seconds(self) -> float: ...
    @property
    def use_cache(self) -> bool: ...


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
    def of(cls, context: CacheOptions, namespace_root: str) -> DiskCache:
        """The cache of one provider: ``cache_dir/<namespace_root>``, with the run's TTL and
        ``--no-cache``."""
        return cls(context.cache_dir / namespace_root, context.cache_ttl_seconds, context.use_cache)

    def path(self, namespace: str, key: str) -> Path:
        """Where the entry ``key`` of ``namespace`` lives (whether or not it exists)."""
        folder = self.root / namespace if namespace else self.root
        return folder / f"{key}.json"

    def get(
        self, namespace: str, key: str, valid: Callable[[Any], bool] | None = None
    ) -> Any | None:
        """The entry's JSON value; None when missing, stale, unreadable, bypassed, or (with
        ``valid``) not of the shape the caller stores."""
        if not self.read:
            return None
        path = self.path(namespace, key)
        try:
            if time.time() - path.stat().st_mtime >= self.ttl_seconds:  # a TTL of 0 never hits
                return None
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # missing, unreadable, torn or foreign: just a miss
            return None
        if valid is not None and not valid(value):
            return None
        return value

    def put(self, namespace: str, key: str, value: Any) -> None:
        """Store ``value`` atomically; dates and Decimals are written as their ``str()``.
        A folder that cannot be written is warned about once and the value is not stored."""
        text = json.dumps(value, default=str)
        try:
            atomic_write(self.path(namespace, key), text)
        except OSError as e:
            _warn_unwritable(self.root, e)
