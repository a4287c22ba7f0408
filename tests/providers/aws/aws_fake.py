"""Offline AWS: moto in server mode behind a small front server on 127.0.0.1.

boto3 reaches everything through ``AWS_ENDPOINT_URL`` (the product code has no endpoint code).
The front server counts every call by service, region and operation, injects faults
(access denied, throttling, an unassumable role, expired tokens), answers what moto lacks
(Pricing GetProducts, Savings Plans, EC2 DescribeReservedInstances, CE with resources) with
responses shaped like the real APIs, and forwards the rest to moto.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from lepton_cli.providers.base import ProviderContext

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
Fault = Callable[["Call"], tuple[int, str] | None]


@dataclass
class Call:
    service: str
    region: str
    operation: str
    body: bytes = field(repr=False)
    seconds: float = 0.0


@dataclass
class Stubs:
    """What the front server answers itself, and the faults it injects."""

    prices: list[dict[str, Any]] = field(default_factory=list)  # PriceList items (decoded)
    price_page: int = 2  # items per GetProducts page: small, so paging is exercised
    savings_plans: list[dict[str, Any]] = field(default_factory=list)
    reserved: list[dict[str, str]] = field(default_factory=list)  # flat RI fields (+ region)
    ce_resources: dict[str, Any] = field(default_factory=lambda: {"ResultsByTime": []})
    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def count(self, service: str | None = None, operation: str | None = None) -> int:
        return sum(
            1
            for c in self.calls
            if (service is None or c.service == service)
            and (operation is None or c.operation == operation)
        )

    def by_operation(self) -> Counter[tuple[str, str]]:
        return Counter((c.service, c.operation) for c in self.calls)


def _operation(handler: BaseHTTPRequestHandler, body: bytes) -> str:
    target = handler.headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    if "/operation/" in handler.path:  # smithy rpc-v2-cbor (CloudWatch)
        return handler.path.rsplit("/", 1)[-1]
    form = parse_qs(body.decode("latin-1")) if body else {}
    if "Action" in form:
        return form["Action"][0]
    return handler.path.strip("/").split("?")[0] or "GET"


def _match(item: dict[str, Any], flt: dict[str, str]) -> bool:
    attrs = item["product"]["attributes"]
    value = attrs.get(flt["Field"])
    if flt["Field"] == "productFamily":
        value = item["product"].get("productFamily")
    wanted = flt["Value"].split(",") if flt["Type"] == "ANY_OF" else [flt["Value"]]
    return value in wanted


def _ri_xml(ris: list[dict[str, str]]) -> str:
    items = "".join(
        "<item>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in ri.items() if k not in ("hourly", "region"))
        + "<recurringCharges><item><frequency>Hourly</frequency>"
        f"<amount>{ri.get('hourly', '0')}</amount></item></recurringCharges></item>"
        for ri in ris
    )
    return (
        '<DescribeReservedInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        f"<requestId>r1</requestId><reservedInstancesSet>{items}</reservedInstancesSet>"
        "</DescribeReservedInstancesResponse>"
    )


def _error(call: Call, status: int, code: str) -> tuple[int, str, bytes]:
    if call.service in ("ec2",):
        xml = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{code}</Message></Error>"
            "</Errors><RequestID>r1</RequestID></Response>"
        )
        return status, "text/xml", xml.encode()
    if call.service in ("sts",):
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{code}"
            "</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
        )
        return status, "text/xml", xml.encode()
    return (
        status,
        "application/x-amz-json-1.1",
        json.dumps({"__type": code, "message": code}).encode(),
    )


def make_handler(stubs: Stubs, moto: tuple[str, int]) -> type[BaseHTTPRequestHandler]:
    class Front(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            scope = _SCOPE.search(self.headers.get("Authorization", ""))
            service, region = (scope[2], scope[1]) if scope else ("moto-api", "")
            call = Call(service, region, _operation(self, body), body)
            started = time.perf_counter()
            if scope:
                stubs.calls.append(call)  # before answering, so a test never races it
            self._answer(call, body)
            call.seconds = time.perf_counter() - started

        def _answer(self, call: Call, body: bytes) -> None:
            for fault in stubs.faults:
                hit = fault(call)
                if hit:
                    return self._send(*_error(call, *hit))
            answer = self._stub(call)
            if answer:
                return self._send(*answer)
            return self._forward(body)

        def _stub(self, call: Call) -> tuple[int, str, bytes] | None:
            if call.service == "pricing" and call.operation == "GetProducts":
                return self._products(json.loads(call.body))
            if call.service == "savingsplans":
                out = {"savingsPlans": stubs.savings_plans}
                return 200, "application/json", json.dumps(out).encode()
            if call.service == "ec2" and call.operation == "DescribeReservedInstances":
                # an RI with a "region" is listed there only; without, in every region
                ris = [r for r in stubs.reserved if r.get("region", call.region) == call.region]
                return 200, "text/xml", _ri_xml(ris).encode()
            if call.operation == "GetCostAndUsageWithResources":
                return 200, "application/x-amz-json-1.1", json.dumps(stubs.ce_resources).encode()
            return None

        def _products(self, req: dict[str, Any]) -> tuple[int, str, bytes]:
            items = [i for i in stubs.prices if all(_match(i, f) for f in req.get("Filters", []))]
            start = int(req.get("NextToken") or 0)
            page = items[start : start + stubs.price_page]
            out: dict[str, Any] = {
                "FormatVersion": "aws_v1",
                "PriceList": [json.dumps(i) for i in page],
            }
            if start + stubs.price_page < len(items):
                out["NextToken"] = str(start + stubs.price_page)
            return 200, "application/x-amz-json-1.1", json.dumps(out).encode()

        def _forward(self, body: bytes) -> None:
            conn = http.client.HTTPConnection(*moto, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            self._send(
                resp.status,
                resp.getheader("Content-Type", "text/xml"),
                data,
                [
                    (k, v)
                    for k, v in resp.getheaders()
                    if k.lower() in ("smithy-protocol", "x-amzn-query-mode")
                ],
            )

        def _send(
            self, status: int, ctype: str, data: bytes, extra: list[tuple[str, str]] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra or []:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Front


@dataclass
class Aws:
    """The offline AWS a test talks to."""

    url: str
    moto_url: str
    stubs: Stubs

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.client(service, region_name=region, endpoint_url=self.url)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@contextmanager
def offline_aws(moto_url: str, tmp: Path) -> Iterator[Aws]:
    """A clean moto, a fresh front server, and an environment that only knows about them."""
    requests.post(f"{moto_url}/moto-api/reset", timeout=60)  # slow on a busy machine
    stubs = Stubs()
    host, port = moto_url.removeprefix("http://").split(":")
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(stubs, (host, int(port))))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_port}"
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
        "AWS_MAX_ATTEMPTS": "2",
        "AWS_CONFIG_FILE": str(tmp / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "aws-credentials"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            mp.delenv(k, raising=False)
        try:
            yield Aws(url, moto_url, stubs)
        finally:
            srv.shutdown()
            srv.server_close()


@pytest.fixture
def aws(moto_server: str, tmp_path: Path) -> Iterator[Aws]:
    with offline_aws(moto_server, tmp_path) as offline:
        yield offline


@pytest.fixture(scope="module")
def aws_module(moto_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    """The same, shared by a module whose tests only read one estate."""
    with offline_aws(moto_server, tmp_path_factory.mktemp("aws")) as offline:
        yield offline


@pytest.fixture
def context(tmp_path: Path) -> ProviderContext:
    return ProviderContext(cache_dir=tmp_path / "lepton-cache", max_workers=4)


# --- shapes of real price-list items (the numbers are this suite's own) ----------------------


def compute_item(
    type_: str,
    region: str,
    on_demand: str,
    reserved: str | None = None,
    operating_system: str = "Linux",
    license_model: str = "No License required",
) -> dict[str, Any]:
    """A GetProducts PriceList item for a shared-tenancy instance type (Linux by default)."""
    sku = f"SKU{abs(hash((type_, region, operating_system, license_model))) % 10**8}"
    terms: dict[str, Any] = {
        "OnDemand": {
            f"{sku}.JRTCKXETXF": {
                "offerTermCode": "JRTCKXETXF",
                "sku": sku,
                "termAttributes": {},
                "priceDimensions": {
                    f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                        "unit": "Hrs",
                        "pricePerUnit": {"USD": on_demand},
                        "description": "on demand",
                    }
                },
            }
        }
    }
    if reserved:
        attrs = {
            "LeaseContractLength": "1yr",
            "OfferingClass": "standard",
            "PurchaseOption": "No Upfront",
        }
        other = dict(attrs, PurchaseOption="All Upfront")
        terms["Reserved"] = {
            f"{sku}.4NA7Y494T4": {
                "termAttributes": attrs,
                "priceDimensions": {"d1": {"unit": "Hrs", "pricePerUnit": {"USD": reserved}}},
            },
            f"{sku}.6QCMYABX3D": {
                "termAttributes": other,
                "priceDimensions": {
                    "d2": {"unit": "Quantity", "pricePerUnit": {"USD": "500"}},
                    "d3": {"unit": "Hrs", "pricePerUnit": {"USD": "0.0000000000"}},
                },
            },
        }
    attributes = {
        "instanceType": type_,
        "regionCode": region,
        "operatingSystem": operating_system,
        "licenseModel": license_model,
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
    }
    return {
        "serviceCode": "AmazonEC2",
        "terms": terms,
        "product": {"sku": sku, "productFamily": "Compute Instance", "attributes": attributes},
    }


def storage_item(region: str, volume: str | None, per_gb_month: str) -> dict[str, Any]:
    """An EBS volume (``volume`` = API name) or snapshot (``volume`` None) price item."""
    attributes = {"regionCode": region}
    if volume:
        attributes["volumeApiName"] = volume
        family = "Storage"
    else:
        attributes["usagetype"] = "EBS:SnapshotUsage"
        family = "Storage Snapshot"
    dim = {"unit": "GB-Mo", "pricePerUnit": {"USD": per_gb_month}}
    return {
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {"t": {"priceDimensions": {"d": dim}}}},
        "product": {"sku": f"S{volume}{region}", "productFamily": family, "attributes": attributes},
    }
