"""`lepton mcp` driven by the MCP SDK's own stdio client, as an assistant would."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from serve_fixture import ACME, LEPTON, cli, env


async def _call(tool: str, arguments: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    params = StdioServerParameters(command=LEPTON, args=["mcp"], env=env())
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = sorted(t.name for t in (await session.list_tools()).tools)
        result = await session.call_tool(tool, arguments)
        assert not result.is_error, result
        return tools, json.loads(result.content[0].text)


def test_optimize_tool_returns_the_clis_plan_with_its_proof() -> None:
    inventory = str(ACME / "inventory.yaml")
    tools, answer = asyncio.run(_call("optimize", {"path": inventory, "budget": 8000}))
    assert tools == ["optimize", "plan_diff", "report", "scan_file"]
    local = cli("optimize", "--source", inventory, "--budget", "8000", "-f", "json", "--no-history")
    plan = json.loads(local.stdout)
    assert answer["exit_code"] == 0 and answer["document"] == plan
    assert answer["inputs_digest"] == plan["metadata"]["inputs_digest"]
    assert (answer["bound"], answer["gap"]) == (plan["solver"]["bound"], plan["solver"]["gap"])


def test_report_tool_and_errors() -> None:
    focus = str(ACME / "focus-2026-10.csv")
    _, answer = asyncio.run(_call("report", {"path": focus, "by": "provider"}))
    local = cli("report", "--source", focus, "--by", "provider", "-f", "json")
    assert answer["document"] == json.loads(local.stdout)
    _, missing = asyncio.run(_call("scan_file", {"path": "/nonexistent/inventory.yaml"}))
    assert missing["exit_code"] in (2, 3) and "/nonexistent/inventory.yaml" in missing["error"]
