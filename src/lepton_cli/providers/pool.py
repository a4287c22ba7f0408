"""One bounded thread pool for the calls a provider makes per account, region or project."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def pool_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``fn`` over ``items`` in at most ``workers`` threads (``ProviderContext.max_workers``);
    results in input order, so output is deterministic.

    ``fn`` is expected to turn the failures it can survive into values (a ScopeFailure). An
    exception it raises anyway is re-raised here (the first in input order) after the calls
    already running have finished; those not yet started are cancelled.
    """
    if len(items) <= 1:  # no thread for a single scope
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        return list(pool.map(fn, items))
