"""The progress channel: `lepton optimize --progress-file` and `lepton mcp`'s notifications."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from serve_fixture import ACME, LEPTON, cli, env
from test_serve_progress import fleet

SMALL = 160  # distinct workloads: the parallel solve, about a second


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_progress_lines_beside_a_clean_json_plan(tmp_path: Path) -> None:
    source = tmp_path / "fleet.json"
    source.write_text(json.dumps(fleet(SMALL)))
    channel = tmp_path / "progress.jsonl"
    out = cli("optimize", "-s", str(source), "-f", "json", "--no-history",
              "--progress-file", str(channel))  # fmt: skip
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)  # stdout is the plan and nothing else
    assert "workloads_solved" not in out.stderr
    lines = _lines(channel)
    solved = [line["workloads_solved"] for line in lines]
    assert solved[0] == 0 and solved[-1] == SMALL and solved == sorted(solved)
    assert {line["workloads_total"] for line in lines} == {SMALL}
    objective = plan["solver"]["objective"]
    for line in lines:
        assert line["bound"] <= objective <= line["incumbent"]
    assert lines[-1]["incumbent"] == objective


def test_with_max_changes_only_the_counts_and_the_bound_are_told(tmp_path: Path) -> None:
    channel = tmp_path / "progress.jsonl"
    out = cli("optimize", "-s", str(ACME / "inventory.yaml"), "--max-changes", "1", "-f", "json",
              "--no-history", "--progress-file", str(channel))  # fmt: skip
    assert out.returncode == 0, out.stderr
    objective = json.loads(out.stdout)["solver"]["objective"]
    lines = _lines(channel)
    assert lines and all(line["incumbent"] is None and line["gap"] is None for line in lines)
    assert all(line["bound"] <= objective for line in lines)


def test_an_unwritable_progress_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "progress.jsonl"
    out = cli("optimize", "-s", str(ACME / "inventory.yaml"), "--progress-file", str(target))
    assert out.returncode == 2
    assert "--progress-file" in out.stderr and str(target) in out.stderr
    assert "Traceback" not in out.stderr


async def _optimize_with_progress(path: Path) -> tuple[list[tuple[float, Any, Any]], Any]:
    heard: list[tuple[float, Any, Any]] = []

    async def hear(progress: float, total: float | None, message: str | None) -> None:
        heard.append((progress, total, message))

    params = StdioServerParameters(command=LEPTON, args=["mcp"], env=env())
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        arguments = {"path": str(path), "time_limit": 600}
        result = await session.call_tool("optimize", arguments, progress_callback=hear)
        assert not result.is_error, result
        return heard, json.loads(result.content[0].text)


def test_the_mcp_optimize_tool_sends_progress_notifications(tmp_path: Path) -> None:
    n = 400
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet(n)))
    heard, answer = asyncio.run(_optimize_with_progress(path))
    assert answer["exit_code"] == 0
    assert heard and all(total == n for _, total, _ in heard)
    progress = [p for p, _, _ in heard]
    assert progress == sorted(progress) and any(0 < p < n for p in progress)
    bounds = [float(m.split("bound ")[1].split(",")[0]) for _, _, m in heard if "bound " in m]
    assert bounds and all(b <= answer["objective"] for b in bounds)
