"""Text computed in a forked child while this process goes on: the second CPU of a large run.

A fleet of 100,000 workloads spends seconds on pure-Python work that needs only what is
already in memory (the inputs' digest, half of the plan's YAML). A forked child inherits that
memory, computes the text and writes it to a spool file (of any size: a pipe would block the
child until this process reads), and ends with ``os._exit`` (no atexit handler, no flush of
buffers it inherited). Where fork is missing, on one CPU, or when the child fails, the text is
computed here instead: the result is the same either way.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import IO


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class Forked:
    """``make()`` started in a forked child now (unless not ``background``: then
    :meth:`result` makes it); :meth:`result` waits for its text."""

    def __init__(self, make: Callable[[], str], background: bool = True) -> None:
        self.make = make
        self.pid: int | None = None
        self.spool: IO[bytes] | None = None
        if not background or not can_fork():
            return
        self.spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by result() or close()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (its text is asserted on)
            code = 1
            try:
                self.spool.write(make().encode())
                self.spool.flush()
                code = 0
            finally:
                os._exit(code)
        self.pid = pid

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the child if nobody asked for its text (an error on the way there)."""
        if self.pid is not None and self.spool is not None:
            os.waitpid(self.pid, 0)
            self.spool.close()
            self.pid = None

    def result(self) -> str:
        """The child's text (waiting for it), or ``make()`` computed here if it failed."""
        if self.pid is None or self.spool is None:
            return self.make()
        pid, self.pid = self.pid, None
        with self.spool as spool:
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                return self.make()
            spool.seek(0)
            return spool.read().decode()
