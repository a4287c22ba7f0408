"""A local HTTPS stand-in for Azure's reservation and savings plan APIs: a managed-identity
token endpoint, Microsoft.Capacity reservations (two pages) and orders with their plan
information, and Microsoft.BillingBenefits savings plans, shaped like the REST answers."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "stub-access-token"
IDENTITY_HEADER = "stub-identity-header"
ORDER = "11111111-aaaa-bbbb-cccc-000000000001"


def reservation(
    name: str, size: str, quantity: int, util30: float, flex: str = "On"
) -> dict[str, Any]:
    return {
        "id": f"/providers/microsoft.capacity/reservationOrders/{ORDER}/reservations/{name}",
        "name": f"{ORDER}/{name}",
        "type": "microsoft.capacity/reservationOrders/reservations",
        "location": "eastus",
        "sku": {"name": size},
        "etag": 3,
        "properties": {
            "reservedResourceType": "VirtualMachines",
            "instanceFlexibility": flex,
            "displayName": f"vm-{name}",
            "appliedScopeType": "Shared",
            "quantity": quantity,
            "provisioningState": "Succeeded",
            "effectiveDateTime": "2026-02-01T00:00:00Z",
            "expiryDateTime": "2027-02-01T00:00:00Z",
            "term": "P1Y",
            "billingPlan": "Monthly",
            "utilization": {
                "trend": "SAME",
                "aggregates": [
                    {"grain": 1.0, "grainUnit": "days", "value": 100.0, "valueUnit": "percentage"},
                    {"grain": 7.0, "grainUnit": "days", "value": 90.0, "valueUnit": "percentage"},
                    {
                        "grain": 30.0,
                        "grainUnit": "days",
                        "value": util30,
                        "valueUnit": "percentage",
                    },
                ],
            },
        },
    }


SAVINGS_PLAN = {
    "id": "/providers/Microsoft.BillingBenefits/savingsPlanOrders/o2/savingsPlans/sp-az",
    "name": "sp-az",
    "type": "Microsoft.BillingBenefits/savingsPlanOrders/savingsPlans",
    "sku": {"name": "Compute_Savings_Plan"},
    "properties": {
        "displayName": "compute-sp",
        "provisioningState": "Succeeded",
        "billingPlan": "P1M",
        "term": "P3Y",
        "appliedScopeType": "Shared",
        "commitment": {"grain": "Hourly", "currencyCode": "USD", "amount": 4.0},
        "effectiveDateTime": "2025-12-20T00:00:00Z",
        "expiryDateTime": "2028-12-20T00:00:00Z",
        "utilization": {
            "trend": "SAME",
            "aggregates": [
                {"grain": 1.0, "grainUnit": "days", "value": 70.0, "valueUnit": "percentage"},
                {"grain": 30.0, "grainUnit": "days", "value": 60.0, "valueUnit": "percentage"},
            ],
        },
    },
}


@dataclass
class AzureState:
    base: str = ""
    pages: list[list[dict[str, Any]]] = field(default_factory=list)
    order_total: float = 3153.6  # the order's price for the term
    plans: list[dict[str, Any]] = field(default_factory=lambda: [SAVINGS_PLAN])
    deny_plans: bool = False
    garble_plans: bool = False  # a 200 whose JSON body is cut short
    calls: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)


def handler(state: AzureState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, code: int, body: Any) -> None:
            self._raw(code, json.dumps(body).encode())

        def _raw(self, code: int, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            path = url.path
            state.calls.append((path, query))
            if path == "/msi/token":
                return self._send(
                    200,
                    {
                        "access_token": TOKEN,
                        "token_type": "Bearer",
                        "expires_on": str(int(time.time()) + 3600),
                        "resource": query["resource"][0],
                    },
                )
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(
                    401, {"error": {"code": "InvalidAuthenticationToken", "message": "no token"}}
                )
            if "api-version" not in query:
                return self._send(
                    400, {"error": {"code": "MissingApiVersionParameter", "message": "api-version"}}
                )
            return self._route(path.lower(), query)

        def _route(self, path: str, query: dict[str, list[str]]) -> None:
            if path == "/providers/microsoft.capacity/reservations":
                page = int(query.get("$skiptoken", ["0"])[0])
                body: dict[str, Any] = {"value": state.pages[page] if state.pages else []}
                if page + 1 < len(state.pages):
                    body["nextLink"] = (
                        f"{state.base}/providers/Microsoft.Capacity/reservations"
                        f"?api-version=2022-11-01&$skiptoken={page + 1}"
                    )
                return self._send(200, body)
            if path == f"/providers/microsoft.capacity/reservationorders/{ORDER}":
                props: dict[str, Any] = {
                    "displayName": "order",
                    "term": "P1Y",
                    "billingPlan": "Monthly",
                }
                if query.get("$expand") == ["planInformation"]:
                    props["planInformation"] = {
                        "pricingCurrencyTotal": {"currencyCode": "USD", "amount": state.order_total}
                    }
                return self._send(
                    200,
                    {
                        "id": f"/providers/microsoft.capacity/reservationOrders/{ORDER}",
                        "name": ORDER,
                        "properties": props,
                    },
                )
            if path == "/providers/microsoft.billingbenefits/savingsplans":
                if state.deny_plans:
                    return self._send(
                        403, {"error": {"code": "AuthorizationFailed", "message": "denied"}}
                    )
                if state.garble_plans:
                    return self._raw(200, json.dumps({"value": state.plans}).encode()[:40])
                return self._send(200, {"value": state.plans})
            return self._send(404, {"error": {"code": "NotFound", "message": path}})

    return Handler


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "az-cert.pem", folder / "az-key.pem"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


def serve(state: AzureState, crt: Path, pem: Path) -> ThreadingHTTPServer:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, pem)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(state))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    state.base = f"https://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
