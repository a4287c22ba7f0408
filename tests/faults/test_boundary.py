"""The shared boundary pieces on their own: derived timeouts, the retry loop, the deadline."""

from __future__ import annotations

import threading

import pytest

from lepton_cli.errors import ProviderError
from lepton_cli.providers.base import ScopeFailure
from lepton_cli.providers.boundary import (
    Boundary,
    DeadlineExceeded,
    MalformedAnswer,
    Timeouts,
    Verdict,
    parse_retry_after,
    retrying,
)
from lepton_cli.providers.pool import pool_map, within


class Throttled(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        self.retry_after = retry_after


class Denied(Exception):
    pass


def classify(e: BaseException) -> Verdict:
    if isinstance(e, Throttled):
        return Verdict(True, e.retry_after)
    return Verdict(False)


def test_timeouts_derive_from_the_deadline() -> None:
    assert (Timeouts(300).connect, Timeouts(300).read, Timeouts(300).retry_after_cap) == (
        10.0,
        30.0,
        30.0,
    )
    assert (Timeouts(8).connect, Timeouts(8).read, Timeouts(8).retry_after_cap) == (0.8, 2.0, 2.0)


@pytest.mark.parametrize(
    ("header", "seconds"), [("3", 3.0), ("0", 0.0), ("-1", None), ("nan", None), ("soon", None)]
)
def test_retry_after_header(header: str, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    waits: list[float] = []
    answers = iter([Throttled(3600), Throttled(1), "done"])

    def call() -> str:
        got = next(answers)
        if isinstance(got, Exception):
            raise got
        return got

    assert retrying(call, classify, Timeouts(300), sleep=waits.append) == "done"
    assert waits == [30.0, 1.0]


def test_what_is_not_retryable_is_raised_at_once() -> None:
    calls: list[int] = []

    def call() -> None:
        calls.append(1)
        raise Denied()

    with pytest.raises(Denied):
        retrying(call, classify, Timeouts(300), sleep=lambda _: None)
    assert calls == [1]


def test_retries_stop_at_the_attempt_budget() -> None:
    calls: list[int] = []

    def call() -> None:
        calls.append(1)
        raise Throttled(0)

    with pytest.raises(Throttled):
        retrying(call, classify, Timeouts(300), attempts=3, sleep=lambda _: None)
    assert len(calls) == 3


def test_within_gives_up_at_the_deadline_and_leaves_the_call_behind() -> None:
    release = threading.Event()
    with pytest.raises(DeadlineExceeded, match=r"0\.2s"):
        within(lambda: release.wait(10), 0.2)
    release.set()
    assert within(lambda: 7, 1) == 7


def test_pool_deadline_fails_only_the_stalled_item() -> None:
    release = threading.Event()

    def read(item: str) -> str:
        if item == "stalled":
            release.wait(10)
        return item.upper()

    got = pool_map(read, ["a", "stalled", "b"], 3, 0.3, lambda item, e: f"{item}: {e.seconds}")
    release.set()
    assert got == ["A", "stalled: 0.3", "B"]


BOUNDARY = Boundary(
    "demo",
    (Denied, Throttled),
    lambda e: (f"{type(e).__name__}!", "fix it"),
    lambda e: ProviderError("demo: locked out", hint="log in") if str(e) == "expired" else None,
)


def test_read_records_the_failed_scope_and_returns_the_default() -> None:
    failures: list[ScopeFailure] = []

    def denied() -> list[str]:
        raise Denied()

    def garbled() -> list[str]:
        raise MalformedAnswer("half a page")

    assert BOUNDARY.read(failures, "region x", denied, []) == []
    assert BOUNDARY.read(failures, "region y", garbled, []) == []
    assert BOUNDARY.read(failures, "region z", lambda: ["ok"], []) == ["ok"]
    first = failures[0]
    assert (first.scope, first.message, first.hint) == ("region x", "Denied!", "fix it")
    assert "could not be read (half a page)" in failures[1].message


def test_unusable_credentials_stop_the_run() -> None:
    def expired() -> None:
        raise Denied("expired")

    with pytest.raises(ProviderError, match="locked out"):
        BOUNDARY.read([], "region x", expired, None)


def test_a_bug_is_not_swallowed() -> None:
    def bug() -> None:
        raise KeyError("not an SDK fault")

    with pytest.raises(KeyError):
        BOUNDARY.read([], "region x", bug, None)
