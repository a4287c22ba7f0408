"""`lepton serve` driven over HTTP: plans equal the CLI's, auth, limits, queue, cancellation."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from serve_fixture import ACME, cli, server, wait_done

INVENTORY = yaml.safe_load((ACME / "inventory.yaml").read_text())
FOCUS = ACME / "focus-2026-10.csv"


def _optimize(client: httpx.Client, body: dict, **headers: str) -> httpx.Response:
    return client.post("/v1/optimize", json=body, headers=headers)


@pytest.fixture(scope="module")
def open_server():
    with server("--source", f"acme={FOCUS}", "--source", f"inv={ACME / 'inventory.yaml'}") as c:
        yield c


def test_the_plan_is_the_clis_byte_for_byte(open_server: httpx.Client) -> None:
    accepted = _optimize(open_server, {"inventory": INVENTORY, "options": {"budget": 8000}})
    assert accepted.status_code == 202
    location = accepted.headers["location"]
    assert location.startswith("/v1/operations/") and accepted.headers["retry-after"]
    done = wait_done(open_server, location)
    assert (done["status"], done["exit_code"]) == ("done", 0)
    assert done["progress"]["status"] == "optimal"
    api = open_server.get(location + "/plan")
    local = cli("optimize", "--source", str(ACME / "inventory.yaml"), "--budget", "8000", "-f",
                "json", "--no-history")  # fmt: skip
    assert local.returncode == 0, local.stderr
    assert api.content.decode() == local.stdout
    assert done["plan"] == json.loads(local.stdout)


def test_a_configured_source_gives_the_same_plan(open_server: httpx.Client) -> None:
    by_name = wait_done(open_server, _optimize(open_server, {"source": "inv"}).headers["location"])
    inline = _optimize(open_server, {"inventory": INVENTORY}).headers["location"]
    assert by_name["plan"] == wait_done(open_server, inline)["plan"]


def test_bad_inventory_fails_with_the_clis_message_and_exit_code(open_server: httpx.Client) -> None:
    bad = json.loads(json.dumps(INVENTORY))
    bad["resources"][0]["vcpus"] = -4
    done = wait_done(open_server, _optimize(open_server, {"inventory": bad}).headers["location"])
    assert (done["status"], done["exit_code"]) == ("failed", 3)
    problem = done["problem"]
    assert problem["status"] == 422 and "resources[0].vcpus" in problem["detail"]


def test_over_budget_is_an_answer_with_exit_6(open_server: httpx.Client) -> None:
    response = _optimize(open_server, {"inventory": INVENTORY, "options": {"budget": 10}})
    done = wait_done(open_server, response.headers["location"])
    assert (done["status"], done["exit_code"]) == ("done", 6)
    assert done["plan"]["summary"]["within_budget"] is False


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "exactly one of inventory or source"),
        ({"inventory": INVENTORY, "source": "inv"}, "exactly one of inventory or source"),
        ({"source": "inv", "options": {"gap": 2}}, "options.gap"),
        ({"source": "inv", "options": {"budget": -1}}, "options.budget"),
        ({"source": "inv", "options": {"solver": "x"}}, "options.solver"),
    ],
)
def test_invalid_requests_are_422_problems(
    open_server: httpx.Client, body: dict, words: str
) -> None:
    response = _optimize(open_server, body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]


def test_an_unknown_source_is_named(open_server: httpx.Client) -> None:
    response = _optimize(open_server, {"source": "../../etc/passwd"})
    assert response.status_code == 422 and "known: acme, inv" in response.json()["detail"]


def test_json_only(open_server: httpx.Client) -> None:
    response = open_server.post(
        "/v1/optimize", content="source: inv", headers={"content-type": "text/yaml"}
    )
    assert response.status_code == 415
    assert response.json()["title"] == "unsupported media type"


def test_idempotency_key(open_server: httpx.Client) -> None:
    first = _optimize(open_server, {"source": "inv"}, **{"Idempotency-Key": "k-1"})
    again = _optimize(open_server, {"source": "inv"}, **{"Idempotency-Key": "k-1"})
    assert first.json()["id"] == again.json()["id"]
    other = _optimize(
        open_server, {"source": "inv", "options": {"budget": 9}}, **{"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422 and other.json()["title"] == "idempotency key reused"


def test_cancel(open_server: httpx.Client) -> None:
    location = _optimize(open_server, {"source": "inv"}).headers["location"]
    cancelled = open_server.delete(location)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert open_server.get(location).json()["status"] == "cancelled"
    assert open_server.delete(location).status_code == 409
    assert open_server.get(location + "/plan").status_code == 409


def test_unknown_operation_is_404(open_server: httpx.Client) -> None:
    response = open_server.get("/v1/operations/nope")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_report_is_the_clis_document(open_server: httpx.Client) -> None:
    response = open_server.post("/v1/report", json={"source": "acme", "by": "provider"})
    local = cli("report", "--source", str(FOCUS), "--by", "provider", "-f", "json")
    assert response.status_code == 200, response.text
    assert response.text == local.stdout and response.headers["lepton-exit-code"] == "0"


def test_plan_diff_and_verify(open_server: httpx.Client, tmp_path: Path) -> None:
    done = wait_done(open_server, _optimize(open_server, {"source": "inv"}).headers["location"])
    plan = done["plan"]
    diff = open_server.post("/v1/plans/diff", json={"old": plan, "new": plan})
    assert diff.status_code == 200 and diff.json()["kind"] == "PlanDiff", diff.text
    verify = open_server.post("/v1/plans/verify", json={"plan": plan, "inventory": INVENTORY})
    assert verify.status_code == 200 and verify.headers["lepton-exit-code"] == "0", verify.text
    gone = json.loads(json.dumps(INVENTORY))
    touched = {r["id"] for a in plan["actions"] for r in a.get("resources", [])}
    gone["resources"] = [r for r in gone["resources"] if r["id"] not in touched]
    drift = open_server.post("/v1/plans/verify", json={"plan": plan, "inventory": gone})
    assert drift.status_code == 200 and drift.headers["lepton-exit-code"] == "7"


def test_metrics(open_server: httpx.Client) -> None:
    open_server.get("/healthz")
    text = open_server.get("/metrics").text
    assert 'lepton_requests_total{route="/healthz",status="200"}' in text
    assert "lepton_queue_depth 0" in text and "lepton_solve_seconds_count" in text


def test_openapi_31(open_server: httpx.Client) -> None:
    spec = open_server.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"/v1/optimize", "/v1/operations/{op_id}", "/v1/report"} <= set(spec["paths"])
    assert open_server.get("/docs").status_code == 200


def test_body_limit(tmp_path: Path) -> None:
    with server("--max-body-mib", "1") as client:
        big = {"inventory": {"resources": [], "pad": "x" * (2 * 1024 * 1024)}}
        response = client.post("/v1/optimize", json=big)
        assert response.status_code == 413
        assert response.json()["title"] == "content too large"


def test_a_full_queue_is_429(tmp_path: Path) -> None:
    with server(
        "--workers", "1", "--max-queue", "1", "--source", f"inv={ACME / 'inventory.yaml'}"
    ) as c:
        answers = [_optimize(c, {"source": "inv"}) for _ in range(4)]
        codes = [a.status_code for a in answers]
        assert 202 in codes and 429 in codes
        refused = answers[codes.index(429)]
        assert refused.headers["retry-after"] and refused.json()["title"] == "too many requests"
