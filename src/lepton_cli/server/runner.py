"""Operations: one lepton command per worker process, queued, bounded, cancellable.

A worker runs the CLI command in-process (``lepton optimize ... -f json``) with its output
captured, so the HTTP API and the CLI share every handler, message and exit code. Each operation
gets its own process: cancelling one, or a time limit, ends exactly that solve. A job that
asks for it (``Job.progress``) passes ``--progress-file`` to `lepton optimize`, which appends
its live progress there as JSON lines; the runner reads the newest complete line as it polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import json
import multiprocessing as mp
import secrets
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.05
PROGRESS_FILE = "progress.jsonl"  # in the job's folder: `lepton optimize --progress-file`
PRELOAD = [
    "lepton_cli.cli.app",
    *(f"lepton_cli.cli.{m}" for m in ("optimize", "report", "plan", "scan")),  # loaded on use
    "lepton_cli.optimizer",
    "lepton_cli.plan.build",
]


class Status(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({Status.DONE, Status.FAILED, Status.CANCELLED})


@dataclass(frozen=True)
class Job:
    """A lepton command line and the files it reads, written to a private folder first."""

    kind: str
    args: tuple[str, ...]  # after `lepton`; file names are relative to the job's folder
    files: tuple[tuple[str, bytes], ...] = ()
    seconds: float = 300.0  # hard limit: the process is ended past it
    progress: bool = False  # the command appends its progress to PROGRESS_FILE


class ProgressReader:
    """The newest complete JSON line of a file another process appends to. Only what ends in
    a newline is read as a line (the rest waits for the next read); a line that does not
    parse is skipped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.rest = b""
        self.last: dict[str, Any] | None = None

    def read(self) -> dict[str, Any] | None:
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:  # not written yet, or its folder already removed
            return self.last
        self.offset += len(data)
        *lines, self.rest = (self.rest + data).split(b"\n")
        for line in reversed(lines):
            with contextlib.suppress(ValueError):
                found = json.loads(line)
                if isinstance(found, dict):
                    self.last = found
                    break
        return self.last


@dataclass
class Result:
    exit_code: int
    stdout: str
    message: str | None = None  # the CLI's error message, when it failed
    hint: str | None = None


@dataclass
class Operation:
    id: str
    job: Job
    created: float = field(default_factory=time.time)
    status: Status = Status.QUEUED
    started: float | None = None
    finished: float | None = None
    result: Result | None = None
    key: str | None = None  # the Idempotency-Key it was created with
    fingerprint: str | None = None  # what the request asked, to refuse a reused key
    process: Any = None
    conn: Connection | None = None
    folder: Path | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    reader: ProgressReader | None = None
    progress: dict[str, Any] | None = None  # the newest snapshot `lepton optimize` wrote


def run_command(args: list[str]) -> Result:
    """Run ``lepton ARGS`` in this process, capturing stdout and the error it ended with."""
    from lepton_cli.cli import common
    from lepton_cli.cli.app import app

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = app(args, prog_name="lepton", standalone_mode=False)
        except Exception as e:
            # A usage error from the parser (typer may bring its own copy of click, so by shape).
            exit_code, describe = getattr(e, "exit_code", None), getattr(e, "format_message", None)
            if not isinstance(exit_code, int) or describe is None:
                raise
            return Result(exit_code, out.getvalue(), str(describe()))
    error = common.state.error
    exit_code = code if isinstance(code, int) else 0
    if error is None and exit_code != 0:
        return Result(exit_code, out.getvalue(), _last_line(err.getvalue()))
    if error is None:
        return Result(exit_code, out.getvalue())
    return Result(exit_code, out.getvalue(), error.message, error.hint)


def _last_line(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else None


def _worker(args: list[str], folder: str, conn: Connection) -> None:
    import os

    # Its own process group: ending the operation ends the solver processes it forks too.
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    os.chdir(folder)
    # Nothing native (a solver's banner) may reach the server's stdout: for `lepton mcp` that is
    # the protocol channel. The command's own output goes to the captured sys.stdout.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        result = run_command(args)
    except BaseException as e:  # a worker never dies silently: the operation fails with a reason
        result = Result(1, "", f"internal error: {type(e).__name__}")
    conn.send(result)
    conn.close()


def launch(context: Any, job: Job) -> tuple[Any, Connection, Path]:
    """Write the job's files to a private folder and start its worker process."""
    folder = Path(tempfile.mkdtemp(prefix="lepton-op-"))  # mode 0700
    for name, data in job.files:
        (folder / name).write_bytes(data)
    parent, child = context.Pipe(duplex=False)
    # Not a daemon: a daemon may not fork, and the optimizer forks its solvers for a large
    # fleet. It is ended by ``end`` (cancel, time limit, shutdown), its process group with it.
    process = context.Process(target=_worker, args=(list(job.args), str(folder), child))
    process.start()
    child.close()
    return process, parent, folder


def end(process: Any) -> None:
    """Kill a worker and every process it started (its process group), and reap it."""
    import os
    import signal

    if process.is_alive():
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:  # not yet its own group leader: the process alone
            process.kill()
    process.join()


Followed = Callable[[dict[str, Any]], Awaitable[None]]


async def run_job(job: Job, on_progress: Followed | None = None) -> Result:
    """Run one job in a worker process and wait for it (bounded by ``job.seconds``), telling
    ``on_progress`` each new snapshot the command writes."""
    process, conn, folder = launch(mp.get_context("forkserver"), job)
    reader, told = ProgressReader(folder / PROGRESS_FILE), None
    ends = time.monotonic() + job.seconds
    answered = False
    try:
        while not conn.poll():
            if time.monotonic() > ends:
                return Result(130, "", f"the command ran past {job.seconds:.0f} s and was ended")
            if not process.is_alive() and not conn.poll():
                return Result(1, "", "the worker process ended without a result")
            snapshot = reader.read() if job.progress else None
            if on_progress is not None and snapshot is not None and snapshot != told:
                told = snapshot
                await on_progress(snapshot)
            await asyncio.sleep(POLL_SECONDS)
        result: Result = conn.recv()
        answered = True
        return result
    except EOFError:
        return Result(1, "", "the worker process ended without a result")
    finally:  # past its limit, or the caller cancelled: the solve ends with it
        await asyncio.to_thread(process.join if answered else functools.partial(end, process))
        conn.close()
        shutil.rmtree(folder, ignore_errors=True)


class QueueFull(Exception):
    """More operations are waiting than the server is configured to hold."""


class Operations:
    """The store of operations and the pump that runs them, ``workers`` at a time."""

    def __init__(self, workers: int, max_queue: int, keep_seconds: float) -> None:
        self.workers = workers
        self.max_queue = max_queue
        self.keep_seconds = keep_seconds
        self._ops: dict[str, Operation] = {}
        self._keys: dict[str, str] = {}
        # forkserver: each operation forks from a clean process with lepton already imported
        # (fast to start, and no threads of the server are copied into a worker).
        self._context = mp.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self.on_finish: Callable[[Operation], None] = lambda _op: None

    def get(self, op_id: str) -> Operation | None:
        return self._ops.get(op_id)

    def by_key(self, key: str) -> Operation | None:
        op_id = self._keys.get(key)
        return self._ops.get(op_id) if op_id else None

    @property
    def queued(self) -> int:
        return sum(op.status is Status.QUEUED for op in self._ops.values())

    @property
    def running(self) -> int:
        return sum(op.status is Status.RUNNING for op in self._ops.values())

    def submit(self, job: Job, key: str | None = None, fingerprint: str | None = None) -> Operation:
        if self.queued >= self.max_queue:
            raise QueueFull
        op = Operation(secrets.token_hex(8), job, key=key, fingerprint=fingerprint)
        self._ops[op.id] = op
        if key:
            self._keys[key] = op.id
        return op

    def cancel(self, op: Operation) -> None:
        if op.status is Status.RUNNING and op.process is not None:
            end(op.process)
        if op.status not in FINISHED:
            self._finish(op, Status.CANCELLED, None)

    async def pump(self) -> None:
        """Start queued operations while there is room, collect finished ones, drop old ones."""
        while True:
            self.step()
            await asyncio.sleep(POLL_SECONDS)

    def step(self) -> None:
        for op in list(self._ops.values()):
            if op.status is Status.RUNNING:
                self._collect(op)
        for op in list(self._ops.values()):
            if op.status is Status.QUEUED and self.running < self.workers:
                self._start(op)
        self._prune()

    def _start(self, op: Operation) -> None:
        op.process, op.conn, op.folder = launch(self._context, op.job)
        op.status, op.started = Status.RUNNING, time.time()
        if op.job.progress:
            op.reader = ProgressReader(op.folder / PROGRESS_FILE)

    def _collect(self, op: Operation) -> None:
        assert op.conn is not None and op.started is not None
        if op.reader is not None:
            op.progress = op.reader.read()
        if op.conn.poll():
            try:
                result: Result = op.conn.recv()
            except EOFError:
                result = Result(1, "", "the worker process ended without a result")
            op.process.join()
            status = Status.DONE if result.exit_code in _DONE_CODES else Status.FAILED
            self._finish(op, status, result)
        elif not op.process.is_alive():
            self._finish(op, Status.FAILED, Result(1, "", "the worker process ended abnormally"))
        elif time.time() - op.started > op.job.seconds:
            end(op.process)
            message = f"the operation ran past its limit of {op.job.seconds:.0f} s and was ended"
            self._finish(op, Status.FAILED, Result(130, "", message, "raise time_limit"))

    def _finish(self, op: Operation, status: Status, result: Result | None) -> None:
        op.status, op.result, op.finished = status, result, time.time()
        if op.conn is not None:
            op.conn.close()
        if op.folder is not None:
            shutil.rmtree(op.folder, ignore_errors=True)
        op.done.set()
        self.on_finish(op)

    def _prune(self) -> None:
        now = time.time()
        for op in list(self._ops.values()):
            if op.finished is not None and now - op.finished > self.keep_seconds:
                del self._ops[op.id]
                if op.key:
                    self._keys.pop(op.key, None)

    def shutdown(self) -> None:
        for op in list(self._ops.values()):
            self.cancel(op)


# A plan over budget (6, or not proven within it: 10), a savings gate (8) or drift (7) is a
# finished answer, not a failure:
# the document is there, with the exit code the CLI would have given.
_DONE_CODES = frozenset({0, 6, 7, 8, 10})
