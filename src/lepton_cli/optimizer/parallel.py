"""Many workloads over the CPUs, within a deadline, with no state shared through module globals.

Workers are forked processes handed the workload list as a ``Process`` argument (inherited by
the fork, never pickled); each solves every n-th workload and sends back small tuples
(candidate positions and counts, status, bound, source) in batches (of ``BATCH``, or what was
solved in the last ``FLUSH`` seconds). Past the deadline a worker no longer solves: it sends
greedy's allocation and a combinatorial bound for the rest of its share (every worker at
once), and the parent takes them as long as they keep coming. What no worker sent within
``GRACE`` of the last batch (a worker that died or hangs) gets the same in the parent. With
``job.progress`` the parent keeps a :class:`~lepton_cli.optimizer.progress.Tracker` of the
fleet's incumbent and bound.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import time
from collections.abc import Sequence
from typing import Any

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer.highs import Highs
from lepton_cli.optimizer.problem import WorkloadProblem
from lepton_cli.optimizer.progress import Tracker
from lepton_cli.optimizer.result import Source, WorkloadSolution
from lepton_cli.optimizer.workload import Job, late, solve_one, solved_point, start_point

PARALLEL_MIN = 64  # below this many workloads, forking costs more than it saves
BATCH = 32
FLUSH = 0.25  # seconds: a worker sends what it has at least this often (live progress)
GRACE = 0.5  # seconds past the deadline a worker may stay silent before it is given up on
Packed = tuple[int, tuple[tuple[int, int], ...], SolverStatus, float | None, Source]


def workers(options_workers: int) -> int:
    return options_workers or min(os.cpu_count() or 1, 8)


def _pack(index: int, ws: WorkloadSolution) -> Packed:
    position = {c: i for i, c in enumerate(ws.problem.candidates)}
    counts = tuple((position[c], n) for c, n in ws.counts.items())
    return index, counts, ws.status, ws.bound, ws.source


def _unpack(wp: WorkloadProblem, packed: Packed) -> WorkloadSolution:
    _, counts, status, bound, source = packed
    return WorkloadSolution(wp, {wp.candidates[i]: n for i, n in counts}, status, bound, source)


def _work(
    shapes: Sequence[WorkloadProblem], first: int, step: int, job: Job, out: Any
) -> None:  # pragma: no cover - runs in a forked worker (its results are asserted on)
    try:
        highs = Highs()
        batch: list[Packed] = []
        sent = time.monotonic()
        for i in range(first, len(shapes), step):
            batch.append(_pack(i, solve_one(shapes[i], job, highs)))
            if len(batch) >= BATCH or time.monotonic() - sent >= FLUSH:
                out.put(batch)
                batch, sent = [], time.monotonic()
        out.put(batch)
    except Exception as e:  # a bug: say so in the parent rather than wait for the deadline
        out.put(f"{type(e).__name__}: {e}")
    out.put(None)


def solve_many(shapes: Sequence[WorkloadProblem], job: Job) -> list[WorkloadSolution]:
    """Solve every workload (in parallel when there are enough), by the job's deadline."""
    n = workers(job.options.workers)
    if n <= 1 or len(shapes) < PARALLEL_MIN or "fork" not in mp.get_all_start_methods():
        return _one_by_one(shapes, job)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_work, args=(shapes, i, n, job, out), daemon=True) for i in range(n)
    ]
    for p in procs:
        p.start()
    try:
        tracker = _tracker(shapes, job)  # the greedy starts, while the workers solve
        got = _collect(out, n, job, shapes, tracker)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join(timeout=1)
    if tracker:
        tracker.flush()
    return [_unpack(wp, got[i]) if i in got else late(wp, job) for i, wp in enumerate(shapes)]


def _tracker(shapes: Sequence[WorkloadProblem], job: Job) -> Tracker | None:
    """The fleet's running incumbent and bound (cost only), when someone listens."""
    if job.progress is None:
        return None
    tracker = Tracker([start_point(wp) for wp in shapes], job.copies, job.progress)
    tracker.flush()
    return tracker


def _one_by_one(shapes: Sequence[WorkloadProblem], job: Job) -> list[WorkloadSolution]:
    highs = Highs()
    tracker = _tracker(shapes, job)
    solved = []
    for i, wp in enumerate(shapes):
        solved.append(solve_one(wp, job, highs))
        if tracker:
            tracker.record(i, solved_point(solved[-1]))
    if tracker:
        tracker.flush()
    return solved


def _collect(
    out: Any, n: int, job: Job, shapes: Sequence[WorkloadProblem], tracker: Tracker | None
) -> dict[int, Packed]:
    got: dict[int, Packed] = {}
    done = 0
    until = max(job.deadline, time.monotonic()) + GRACE  # a late start still hears them
    while done < n:
        wait = until - time.monotonic()
        if wait <= 0:
            break
        with contextlib.suppress(queue.Empty):
            batch = out.get(timeout=min(wait, 1.0))
            if batch is None:
                done += 1
            elif isinstance(batch, str):
                raise RuntimeError(f"an optimizer worker failed: {batch}")
            else:
                got.update((p[0], p) for p in batch)
                if time.monotonic() > job.deadline:  # past it, workers send greedy fallbacks
                    until = time.monotonic() + GRACE  # (fast, in parallel): keep taking them
                if tracker:
                    for p in batch:
                        tracker.record(p[0], solved_point(_unpack(shapes[p[0]], p)))
    return got
