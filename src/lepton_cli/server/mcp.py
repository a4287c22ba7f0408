"""`lepton mcp`: a Model Context Protocol server (stdio) over the same commands as the API.

Each tool runs the CLI's command in a worker process and returns its document with the exit
code, and for plans the inputs digest, bound and gap, so an assistant's answer can be checked
against a plan anyone can rebuild with `lepton optimize`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Literal

from lepton_cli.server.runner import Job, Result, run_job


def _answer(result: Result) -> dict[str, Any]:
    answer: dict[str, Any] = {"exit_code": result.exit_code}
    if result.stdout:
        answer["document"] = json.loads(result.stdout)
    if result.message:
        answer["error"] = result.message
    if result.hint:
        answer["hint"] = result.hint
    return answer


async def _run(kind: str, args: list[str], files: tuple[tuple[str, bytes], ...] = ()) -> Any:
    job = Job(kind, ("--quiet", *args), files, seconds=600)
    return _answer(await asyncio.to_thread(run_job, job))


def _path(path: str) -> str:
    return str(Path(path).expanduser().resolve())


def build_server() -> Any:
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("lepton", instructions="Cloud cost: scan, report, optimise, diff plans.")

    @server.tool()
    async def scan_file(path: str) -> dict[str, Any]:
        """Scan a lepton/v1 inventory or a FOCUS export: cost summary and waste findings."""
        return dict(await _run("scan", ["scan", "--source", _path(path), "-f", "json"]))

    @server.tool()
    async def report(path: str, by: str = "provider,service", period: str | None = None) -> Any:
        """Cost per group and currency from FOCUS exports or an inventory (`by`: comma list)."""
        extra = ["--period", period] if period else []
        return await _run(
            "report", ["report", "--source", _path(path), "--by", by, *extra, "-f", "json"]
        )

    @server.tool()
    async def optimize(
        path: str,
        budget: float | None = None,
        objective: Literal["cost", "efficiency"] = "cost",
        time_limit: float = 60.0,
    ) -> dict[str, Any]:
        """The cheapest (or most efficient) plan for an inventory, with its digest, bound, gap."""
        args = ["optimize", "--source", _path(path), "-f", "json", "--no-history"]
        args += ["--objective", objective, "--time-limit", repr(time_limit)]
        args += ["--budget", repr(budget)] if budget is not None else []
        answer: dict[str, Any] = await _run("optimize", args)
        plan = answer.get("document") or {}
        solver = plan.get("solver", {})
        answer["inputs_digest"] = plan.get("metadata", {}).get("inputs_digest")
        answer.update({k: solver.get(k) for k in ("status", "objective", "bound", "gap")})
        return answer

    @server.tool()
    async def plan_diff(old_path: str, new_path: str) -> dict[str, Any]:
        """What changed between two plan files: actions, cost and savings."""
        args = ["plan", "diff", _path(old_path), _path(new_path), "-f", "json"]
        return dict(await _run("plan-diff", args))

    return server
