"""Errors as RFC 9457 problem details (application/problem+json), never a traceback."""

from __future__ import annotations

from typing import Any

from lepton_cli.errors import ExitCode

PROBLEM = "application/problem+json"

# The HTTP status for each CLI exit code of a failed operation.
STATUS_FOR_EXIT = {
    ExitCode.USAGE: 422,
    ExitCode.INVALID_INPUT: 422,
    ExitCode.PROVIDER: 502,
    ExitCode.INFEASIBLE: 422,
    ExitCode.INTERRUPTED: 504,
}


class Problem(Exception):
    """An HTTP error with a problem-details body."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        hint: str | None = None,
        exit_code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.hint, self.exit_code, self.headers = hint, exit_code, headers or {}

    def body(self) -> dict[str, Any]:
        slug = self.title.lower().replace(" ", "-")
        body: dict[str, Any] = {"type": f"urn:lepton:problem:{slug}", "title": self.title}
        body["status"] = self.status
        if self.detail:
            body["detail"] = self.detail
        if self.hint:
            body["hint"] = self.hint
        if self.exit_code is not None:
            body["exit_code"] = self.exit_code
        return body


def exit_title(code: int) -> str:
    try:
        return ExitCode(code).name.replace("_", " ").lower()
    except ValueError:
        return "failed"
