"""`lepton mcp`: a Model Context Protocol server (stdio) over the same commands as the API.

Each tool runs the CLI's command in a worker process and returns its document with the exit
code, and for plans the inputs digest, bound and gap, so an assistant's answer can be checked
against a plan anyone can rebuild with `lepton optimize`. While `optimize` runs it sends MCP
progress notifications (when the client asked for them with a progress token): workloads
solved of total, with the incumbent, bound and gap in the message.
"""

# No `from __future__ import annotations`: the SDK finds the tool's Context parameter by its
# annotation, which must be the class itself (it is imported only when the server is built).
import json
from pathlib import Path
from typing import Any, Literal

from lepton_cli.server.runner import PROGRESS_FILE, Followed, Job, Result, run_job


def _answer(result: Result) -> dict[str, Any]:
    answer: dict[str, Any] = {"exit_code": result.exit_code}
    if result.stdout:
        answer["document"] = json.loads(result.stdout)
    if result.message:
        answer["error"] = result.message
    if result.hint:
        answer["hint"] = result.hint
    return answer


async def _run(kind: str, args: list[str], on_progress: Followed | None = None) -> Any:
    job = Job(kind, ("--quiet", *args), seconds=600, progress=on_progress is not None)
    return _answer(await run_job(job, on_progress))


def describe(snapshot: dict[str, Any]) -> str:
    """A progress line's figures as the notification's message."""
    known = [k for k in ("incumbent", "bound", "gap") if snapshot.get(k) is not None]
    return ", ".join(f"{k} {snapshot[k]}" for k in known) or "solving"


def _path(path: str) -> str:
    return str(Path(path).expanduser().resolve())


def build_server() -> Any:
    from mcp.server.mcpserver import Context, MCPServer

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
        ctx: Context,
        path: str,
        budget: float | None = None,
        objective: Literal["cost", "efficiency"] = "cost",
        time_limit: float = 60.0,
    ) -> dict[str, Any]:
        """The cheapest (or most efficient) plan for an inventory, with its digest, bound, gap.
        Progress notifications while it runs: workloads solved of total, incumbent, bound."""
        args = ["optimize", "--source", _path(path), "-f", "json", "--no-history"]
        args += ["--objective", objective, "--time-limit", repr(time_limit)]
        args += ["--budget", repr(budget)] if budget is not None else []
        args += ["--progress-file", PROGRESS_FILE]

        async def tell(snapshot: dict[str, Any]) -> None:
            solved, total = snapshot.get("workloads_solved"), snapshot.get("workloads_total")
            if isinstance(solved, int) and isinstance(total, int):
                await ctx.report_progress(solved, total, describe(snapshot))

        answer: dict[str, Any] = await _run("optimize", args, tell)
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
