"""A running optimisation reports its progress: workloads solved, incumbent, bound and gap."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_fixture import ROOT, cli, server

sys.path.insert(0, str(ROOT / "benchmarks"))
from fleets import distinct_fleet
from lepton_cli.models import Inventory
from lepton_cli.pricing.catalog import bundled_catalog

WORKLOADS = 700  # all distinct shapes: a solve of several seconds on two cores


def fleet(n: int = WORKLOADS) -> dict[str, Any]:
    """A lepton/v1 inventory of ``n`` distinct workloads on the bundled catalog."""
    workloads = distinct_fleet(n, 16, list(bundled_catalog().offerings))
    body = json.loads(Inventory(workloads=workloads).model_dump_json(exclude_none=True))
    return {"apiVersion": "lepton/v1", "kind": "Inventory", "workloads": body["workloads"]}


def _poll(client: httpx.Client, location: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every view until the operation finishes (generous overall limit, no pacing assert)."""
    views = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        view = client.get(location).json()
        if view["status"] in ("done", "failed", "cancelled"):
            return views, view
        views.append(view)
        time.sleep(0.05)
    raise AssertionError(f"{location} did not finish")


def test_a_running_optimisation_reports_live_valid_progress(tmp_path: Path) -> None:
    inventory = fleet()
    with server() as client:
        accepted = client.post(
            "/v1/optimize", json={"inventory": inventory, "options": {"time_limit": 600}}
        )
        assert accepted.status_code == 202
        views, done = _poll(client, accepted.headers["location"])
    assert (done["status"], done["exit_code"]) == ("done", 0), done.get("problem")
    running = [v["progress"] for v in views if v["status"] == "running" and v["progress"]]
    assert running, "no running view carried progress"
    assert all(p["workloads_total"] == WORKLOADS for p in running)
    solved = [p["workloads_solved"] for p in running]
    assert solved == sorted(solved)  # never goes back
    assert any(0 < s < WORKLOADS for s in solved)
    for p in running:
        incumbent, bound, gap = p["incumbent"], p["bound"], p["gap"]
        assert bound <= incumbent
        assert gap == pytest.approx((incumbent - bound) / incumbent, rel=1e-3, abs=1e-6)
    # Every bound reported on the way is a valid lower bound on what was finally proven.
    objective = done["plan"]["solver"]["objective"]
    assert all(objective >= p["bound"] for p in running)
    assert done["progress"]["objective"] == objective == done["progress"]["incumbent"]
    # The plan is still the CLI's, byte for byte (the progress file changes nothing in it).
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(inventory))
    args = ("--source", str(path), "-f", "json", "--no-history", "--time-limit", "600")
    local = cli("optimize", *args)
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout) == done["plan"]


def _parents() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended meanwhile
        state, ppid = text[text.rindex(")") + 2 :].split()[:2]
        out[int(text.split()[0])] = (int(ppid), state)
    return out


def _below(root: int, depth: int) -> set[int]:
    """The processes at least ``depth`` generations below ``root``."""
    parents = _parents()
    level, found = {root}, set()
    for generation in range(1, 5):
        level = {p for p, (ppid, _) in parents.items() if ppid in level}
        found |= level if generation >= depth else set()
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _alive(pids: set[int]) -> set[int]:
    parents = _parents()
    return {p for p in pids if p in parents and parents[p][1] != "Z"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_cancelling_a_large_solve_ends_its_solver_processes_too() -> None:
    with server() as client:
        port = str(client.base_url.port)
        serve = next(p for p in _parents() if f"serve\0--port\0{port}\0" in _cmdline(p))
        location = client.post(
            "/v1/optimize", json={"inventory": fleet(3000), "options": {"time_limit": 600}}
        ).headers["location"]
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            view = client.get(location).json()
            if view["status"] != "queued" and (view["progress"] or {}).get("workloads_solved"):
                break
            time.sleep(0.05)
        # serve -> forkserver -> the operation's worker -> the solvers it forked
        solvers = _below(serve, 3)
        assert view["status"] == "running" and len(solvers) >= 1
        assert client.delete(location).json()["status"] == "cancelled"
        # Killed, they are gone at once; left running, they would solve 3,000 workloads first.
        gone = time.monotonic() + 10
        while _alive(solvers) and time.monotonic() < gone:
            time.sleep(0.1)
        assert not _alive(solvers)
