"""One bounded thread pool for the calls a provider makes per account, region or project, and the
per-scope deadline (the ``timeout`` setting) that no scope outlives."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lepton_cli.providers.boundary import DeadlineExceeded

T = TypeVar("T")
R = TypeVar("R")


def within(call: Callable[[], R], seconds: float | None) -> R:
    """``call()``'s result, or DeadlineExceeded once ``seconds`` have passed.

    The call runs in a daemon thread. One that is still running at the deadline is left to end
    on its own (every HTTP call has connect and read timeouts, so it does) and its result, when
    it comes, is dropped: a stalled endpoint never holds up the scan or the exit.
    """
    if seconds is None:
        return call()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as e:  # handed to the waiting thread, which re-raises it
            box["error"] = e

    worker = threading.Thread(target=run, name="lepton-scope", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DeadlineExceeded(seconds)
    if "error" in box:
        raise box["error"]
    value: R = box["value"]
    return value


def pool_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    deadline: float | None = None,
    expired: Callable[[T, DeadlineExceeded], R] | None = None,
) -> list[R]:
    """``fn`` over ``items`` in at most ``workers`` threads (``ProviderContext.max_workers``);
    results in input order, so output is deterministic.

    With ``deadline``, an item still running after that many seconds gives ``expired(item,
    error)`` instead (a ScopeFailure), and the others go on.

    ``fn`` is expected to turn the failures it can survive into values (a ScopeFailure). An
    exception it raises anyway is re-raised here (the first in input order) after the calls
    already running have finished; those not yet started are cancelled.
    """
    task = fn if deadline is None else _bounded(fn, deadline, expired)
    if len(items) <= 1:  # no pool for a single scope
        return [task(i) for i in items]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        return list(pool.map(task, items))


def _bounded(
    fn: Callable[[T], R], deadline: float, expired: Callable[[T, DeadlineExceeded], R] | None
) -> Callable[[T], R]:
    def task(item: T) -> R:
        try:
            return within(lambda: fn(item), deadline)
        except DeadlineExceeded as e:
            if expired is None:
                raise
            return expired(item, e)

    return task
