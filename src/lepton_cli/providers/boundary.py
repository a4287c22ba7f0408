"""The provider boundary: where an SDK fault becomes a failed scope or a ProviderError.

Every cloud provider reads through one :class:`Boundary`. Its :meth:`Boundary.read` runs one
read (a region, a subscription, a project, or a secondary lookup such as reserved instances or
metrics) and either returns what it read or records the scope as a :class:`ScopeFailure` and
returns a default, so one failed scope never hides the others. Credentials that cannot be used
are the exception: they would fail every scope the same way, so they stop the run at once, with
the fix in the hint ("run `aws sso login`").

Time is bounded the same way on every cloud (:class:`Timeouts`): the ``timeout`` setting is the
deadline of one scope; each HTTP call gets connect and read timeouts derived from it, and a
server's ``Retry-After`` is honoured up to a cap. :func:`retrying` is the retry loop for SDKs
that have none of their own for throttling and 5xx (Google's REST clients).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from lepton_cli.errors import ProviderError
from lepton_cli.providers.base import ProviderContext, ScopeFailure

T = TypeVar("T")

MAX_CONNECT = 10.0  # seconds; a reachable endpoint answers a TCP handshake far sooner
MAX_READ = 30.0  # seconds between bytes; list calls answer in well under that
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is waited for at most this long
ATTEMPTS = 4  # tries per call for throttling and 5xx, the first one included
THROTTLE_STATUS = frozenset({429, 503})
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class MalformedAnswer(Exception):
    """A 200 whose body does not have the shape the API documents (truncated or garbled).

    Raised by lepton's own shape checks, so that such an answer is a failed scope and is never
    cached as an empty result.
    """


class DeadlineExceeded(Exception):
    """A scope took longer than the ``timeout`` setting allows."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"gave up after {seconds:g}s (the `timeout` setting)")
        self.seconds = seconds


TIMEOUT_HINT = (
    "the endpoint is slow or unreachable: check the network, or raise `timeout` in lepton.yaml "
    "(LEPTON_TIMEOUT, --timeout)"
)


@dataclass(frozen=True)
class Timeouts:
    """Time limits derived from one per-scope deadline (seconds)."""

    deadline: float = 300.0

    @classmethod
    def of(cls, context: ProviderContext) -> Timeouts:
        return cls(float(context.timeout_seconds))

    @property
    def connect(self) -> float:
        """Connect timeout of one HTTP call."""
        return min(MAX_CONNECT, self.deadline / 10)

    @property
    def read(self) -> float:
        """Read timeout of one HTTP call (time between bytes of the answer)."""
        return min(MAX_READ, self.deadline / 4)

    @property
    def retry_after_cap(self) -> float:
        """The longest wait a server's ``Retry-After`` can impose on one retry."""
        return min(MAX_RETRY_AFTER, self.deadline / 4)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based): the server's
        ``Retry-After`` when it sent one, else exponential backoff with full jitter; capped."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.retry_after_cap)
        return random.uniform(0, min(self.retry_after_cap, 0.5 * 2**attempt))


def preload(*modules: str) -> None:
    """Import SDK modules before a deadline starts: a cold import of a cloud SDK takes seconds,
    and that is not the endpoint being slow. A missing one is reported where it is used."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds; an HTTP date is not honoured)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds == seconds else None  # NaN is not a wait


@dataclass(frozen=True)
class Verdict:
    """What a cloud's classifier says about one exception."""

    retry: bool = False  # throttled or a transient server error: worth another try
    retry_after: float | None = None  # seconds the server asked for


def retrying(
    call: Callable[[], T],
    classify: Callable[[BaseException], Verdict],
    timeouts: Timeouts,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, tried again on throttling and transient server errors (``classify``), with
    backoff; never past the scope's deadline. The last error is re-raised."""
    started = time.monotonic()
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as e:
            verdict = classify(e)
            wait = timeouts.backoff(attempt, verdict.retry_after)
            late = time.monotonic() - started + wait >= timeouts.deadline
            if not verdict.retry or attempt == attempts or late:
                raise
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


@dataclass(frozen=True)
class Boundary:
    """How one cloud's SDK faults are told apart and recorded.

    ``errors`` are the exceptions a call may raise for a remote, network or parsing problem;
    ``describe`` turns one into (message, hint) for its scope; ``fatal`` picks out the ones
    that no other scope would survive either (unusable credentials) as a ProviderError.
    """

    provider: str
    errors: tuple[type[BaseException], ...]
    describe: Callable[[BaseException], tuple[str, str | None]]
    fatal: Callable[[BaseException], ProviderError | None]

    @property
    def caught(self) -> tuple[type[BaseException], ...]:
        return (*self.errors, MalformedAnswer, DeadlineExceeded)

    def failure(self, scope: str, error: BaseException) -> ScopeFailure:
        """The record of ``scope`` failing with ``error`` (secret-free)."""
        if isinstance(error, DeadlineExceeded):
            return ScopeFailure(self.provider, scope, str(error), TIMEOUT_HINT)
        if isinstance(error, MalformedAnswer):
            return ScopeFailure(
                self.provider,
                scope,
                f"the answer could not be read ({error})",
                "the service sent a truncated or garbled answer: run again later "
                "(nothing of it was cached)",
            )
        message, hint = self.describe(error)
        return ScopeFailure(self.provider, scope, message, hint)

    def read(
        self, failures: list[ScopeFailure], scope: str, call: Callable[[], T], default: T
    ) -> T:
        """Read, or record the failed scope: ``call()``'s result, else ``default`` with the
        failure appended to ``failures``. Unusable credentials raise ProviderError instead."""
        try:
            return call()
        except self.caught as e:
            self.check_fatal(e)
            failures.append(self.failure(scope, e))
            return default

    def attempt(self, scope: str, call: Callable[[], T]) -> T | ScopeFailure:
        """:meth:`read` for a pool task: the result, or the ScopeFailure as a value."""
        failures: list[ScopeFailure] = []
        got = self.read(failures, scope, call, None)
        return failures[0] if failures else got  # type: ignore[return-value]

    def check_fatal(self, error: BaseException) -> None:
        """Raise the ProviderError for ``error`` when no scope could survive it."""
        fatal = self.fatal(error)
        if fatal is not None:
            raise fatal from error

    def error(self, what: str, error: BaseException) -> ProviderError:
        """A ProviderError for a read the whole command needs (no partial result exists)."""
        fatal = self.fatal(error)
        if fatal is not None:
            return fatal
        found = self.failure(what, error)
        return ProviderError(f"{self.provider}: {what}: {found.message}", hint=found.hint)
