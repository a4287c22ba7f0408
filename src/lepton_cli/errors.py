"""Exit codes and the error hierarchy.

Library code raises a :class:`LeptonError` subclass carrying a message and a hint; only ``cli``
turns it into an exit code (DESIGN.md, "Exit codes").
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    INVALID_INPUT = 3
    PROVIDER = 4
    INFEASIBLE = 5
    OVER_BUDGET = 6
    DRIFT = 7
    GATE = 8
    PARTLY_APPLIED = 9
    NOT_PROVEN_OVER_BUDGET = 10  # the best plan found is over budget, its bound is not
    INTERRUPTED = 130


class LeptonError(Exception):
    """Base error: ``message`` says what went wrong and where, ``hint`` how to fix it."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nTo fix: {self.hint}"


class UsageError(LeptonError):
    exit_code = ExitCode.USAGE


class InputError(LeptonError):
    """Invalid config, inventory, FOCUS or plan file."""

    exit_code = ExitCode.INVALID_INPUT


class ProviderError(LeptonError):
    """Credentials, permissions, throttling, or a region/account that failed."""

    exit_code = ExitCode.PROVIDER


class InfeasibleError(LeptonError):
    exit_code = ExitCode.INFEASIBLE


class OverBudgetError(LeptonError):
    """A feasible plan exists but costs more than --budget (the plan is still written)."""

    exit_code = ExitCode.OVER_BUDGET


class NotProvenOverBudgetError(LeptonError):
    """The best plan found costs more than --budget, but its proven bound does not: a longer
    solve may still find a plan within budget (the plan is still written)."""

    exit_code = ExitCode.NOT_PROVEN_OVER_BUDGET


class DriftError(LeptonError):
    exit_code = ExitCode.DRIFT


class GateError(LeptonError):
    exit_code = ExitCode.GATE
