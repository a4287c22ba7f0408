"""Offline AWS for commitments: moto (STS, EC2 regions) behind a front server on 127.0.0.1 that
answers what moto does not implement — EC2 DescribeReservedInstances (query/XML), Savings Plans
DescribeSavingsPlans / DescribeSavingsPlanRates (rest-json) and Cost Explorer's utilisation and
coverage calls (json 1.1) — in each API's wire format, and rejects requests the real service
would reject (a missing TimePeriod, an unknown GroupBy key, rates without a plan id)."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from moto.server import ThreadedMotoServer

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
RI_FIELDS = (
    "reservedInstancesId",
    "instanceType",
    "availabilityZone",
    "start",
    "end",
    "duration",
    "usagePrice",
    "fixedPrice",
    "instanceCount",
    "productDescription",
    "state",
    "instanceTenancy",
    "currencyCode",
    "offeringType",
    "offeringClass",
    "scope",
)


@dataclass
class State:
    reserved: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # region -> RIs
    plans: list[dict[str, Any]] = field(default_factory=list)
    rates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # plan id -> rates
    ri_utilisation: dict[str, Any] = field(default_factory=dict)
    sp_utilisation: dict[str, Any] = field(default_factory=dict)
    ri_coverage: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # service, region, op
    rate_page: int = 1
    deny: set[str] = field(default_factory=set)  # operations answered with AccessDenied
    hourly_pages: list[dict[str, Any]] = field(default_factory=list)  # GetCostAndUsage pages
    hourly_requests: list[dict[str, Any]] = field(default_factory=list)


def ri_xml(ris: list[dict[str, str]]) -> bytes:
    items = ""
    for ri in ris:
        fields = "".join(f"<{k}>{ri[k]}</{k}>" for k in RI_FIELDS if k in ri)
        charges = (
            "<recurringCharges><item><frequency>Hourly</frequency>"
            f"<amount>{ri.get('hourly', '0')}</amount></item></recurringCharges>"
        )
        items += f"<item>{fields}{charges}</item>"
    return (
        '<DescribeReservedInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        f"<requestId>r1</requestId><reservedInstancesSet>{items}</reservedInstancesSet>"
        "</DescribeReservedInstancesResponse>"
    ).encode()


def _json_error(code: str, message: str) -> tuple[int, str, bytes]:
    body = json.dumps({"__type": code, "message": message}).encode()
    return 400, "application/x-amz-json-1.1", body


class _Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State
    moto: tuple[str, int]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        service, region = (scope[2], scope[1]) if scope else ("", "")
        answer = self._stub(service, region, body)
        if answer is None:
            return self._forward(body)
        return self._send(*answer)

    do_GET = do_POST

    def _stub(self, service: str, region: str, body: bytes) -> tuple[int, str, bytes] | None:
        target = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        if target in self.state.deny:
            return _json_error("AccessDeniedException", f"not authorized to perform ce:{target}")
        if service == "ec2":
            form = parse_qs(body.decode())
            if form.get("Action") == ["DescribeReservedInstances"]:
                self.state.calls.append((service, region, "DescribeReservedInstances"))
                if form.get("Filter.1.Name") != ["state"]:  # lepton reads active ones only
                    return 400, "text/xml", b"<Response><Errors><Error><Code>Unfiltered</Code>"
                return 200, "text/xml", ri_xml(self.state.reserved.get(region, []))
            return None
        if service == "savingsplans":
            op = self.path.strip("/")
            self.state.calls.append((service, region, op))
            return self._plans(op, json.loads(body or b"{}"))
        if service == "ce":
            self.state.calls.append((service, region, target))
            return self._ce(target, json.loads(body or b"{}"))
        return None

    def _plans(self, op: str, req: dict[str, Any]) -> tuple[int, str, bytes]:
        if op == "DescribeSavingsPlans":
            states = req.get("states") or []
            found = [p for p in self.state.plans if not states or p["state"] in states]
            return 200, "application/json", json.dumps({"savingsPlans": found}).encode()
        if op == "DescribeSavingsPlanRates":
            if "savingsPlanId" not in req:
                return 400, "application/json", b'{"message": "savingsPlanId is required"}'
            rates = self.state.rates.get(req["savingsPlanId"], [])
            start = int(req.get("nextToken") or 0)
            page = rates[start : start + self.state.rate_page]
            out: dict[str, Any] = {"savingsPlanId": req["savingsPlanId"], "searchResults": page}
            if start + self.state.rate_page < len(rates):
                out["nextToken"] = str(start + self.state.rate_page)
            return 200, "application/json", json.dumps(out).encode()
        return 404, "application/json", b'{"message": "unknown operation"}'

    def _ce(self, op: str, req: dict[str, Any]) -> tuple[int, str, bytes]:
        period = req.get("TimePeriod") or {}
        if not period.get("Start") or not period.get("End") or period["Start"] >= period["End"]:
            return _json_error("ValidationException", "TimePeriod Start must be before End")
        keys = [g["Key"] for g in req.get("GroupBy") or []]
        if op == "GetCostAndUsage":
            return self._hourly(req, keys)
        canned = {
            "GetReservationUtilization": (self.state.ri_utilisation, {"SUBSCRIPTION_ID"}),
            "GetSavingsPlansUtilizationDetails": (self.state.sp_utilisation, set()),
            "GetReservationCoverage": (self.state.ri_coverage, {"REGION", "INSTANCE_TYPE"}),
        }
        if op not in canned:
            return _json_error("UnknownOperationException", op)
        out, allowed = canned[op]
        if set(keys) - allowed:
            return _json_error("ValidationException", f"GroupBy {keys} is not valid for {op}")
        return 200, "application/x-amz-json-1.1", json.dumps(out).encode()

    def _hourly(self, req: dict[str, Any], keys: list[str]) -> tuple[int, str, bytes]:
        """Hourly granularity needs timestamps, not dates, and at most 14 days back."""
        self.state.hourly_requests.append(req)
        if req.get("Granularity") == "HOURLY" and "T" not in req["TimePeriod"]["Start"]:
            return _json_error("ValidationException", "HOURLY needs yyyy-MM-ddThh:mm:ssZ")
        if keys != ["REGION", "INSTANCE_TYPE"]:
            return _json_error("ValidationException", f"unexpected GroupBy {keys}")
        page = int(req.get("NextPageToken") or 0)
        out = dict(self.state.hourly_pages[page]) if self.state.hourly_pages else {}
        if page + 1 < len(self.state.hourly_pages):
            out["NextPageToken"] = str(page + 1)
        return 200, "application/x-amz-json-1.1", json.dumps(out).encode()

    def _forward(self, body: bytes) -> None:
        conn = http.client.HTTPConnection(*self.moto, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self._send(resp.status, resp.getheader("Content-Type", "text/xml"), data)

    def _send(self, status: int, ctype: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class OfflineAws:
    url: str
    state: State


@pytest.fixture
def offline_aws(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Iterator[OfflineAws]:
    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    state = State()
    host, port = moto_url.removeprefix("http://").split(":")
    handler = type("Front", (_Front,), {"state": state, "moto": (host, int(port))})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_port}"
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    try:
        yield OfflineAws(url, state)
    finally:
        srv.shutdown()
        srv.server_close()
