"""Forked: text made in a forked child is the text made here, whatever becomes of the child."""

from __future__ import annotations

import os

import pytest

from lepton_cli.forked import Forked, can_fork

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork, or one CPU: made in-process")


@needs_fork
def test_the_child_makes_the_text_and_says_so_by_its_pid() -> None:
    here = os.getpid()
    with Forked(lambda: f"{os.getpid()}:" + "x" * 300_000) as made:  # more than a pipe holds
        pid, text = made.result().split(":")
    assert int(pid) != here and text == "x" * 300_000


@needs_fork
def test_a_child_that_fails_leaves_the_text_to_this_process() -> None:
    here = os.getpid()

    def make() -> str:
        if os.getpid() != here:
            raise RuntimeError("the child fails")
        return "made here"

    with Forked(make) as made:
        assert made.result() == "made here"


def test_not_in_the_background_it_is_made_when_asked() -> None:
    calls: list[int] = []
    made = Forked(lambda: str(calls.append(os.getpid()) or len(calls)), background=False)
    assert calls == []
    assert made.result() == "1" and calls == [os.getpid()]


@needs_fork
def test_a_child_nobody_asks_is_waited_for() -> None:
    made = Forked(lambda: "unread")
    pid = made.pid
    assert pid is not None
    made.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left
