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
