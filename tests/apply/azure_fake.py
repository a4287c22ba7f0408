"""A small HTTPS Azure Resource Manager for apply: VMs, disks, snapshots, public IPs.

It is as strict as Azure where apply depends on it: a VM's size changes only while it is
deallocated (else 409 OperationNotAllowed), only to a size available for that VM (else 409
SkuNotAvailable); a disk attached to a VM is not deleted (409). Long-running operations
complete at once (200 with provisioningState Succeeded, which azure-core's pollers accept).
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

SUB = "11111111-1111-1111-1111-111111111111"
RG = f"/subscriptions/{SUB}/resourceGroups/shop/providers"
TOKEN = "apply-stub-token"
IDENTITY_HEADER = "apply-stub-identity"
SIZES = ["Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5"]


def vm_id(name: str) -> str:
    return f"{RG}/Microsoft.Compute/virtualMachines/{name}"


def disk_id(name: str) -> str:
    return f"{RG}/Microsoft.Compute/disks/{name}"


@dataclass
class Arm:
    base: str = ""
    vms: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower-case id -> body
    disks: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    available: list[str] = field(default_factory=lambda: list(SIZES))

    def add_vm(self, name: str, size: str, power: str = "running", **tags: str) -> str:
        rid = vm_id(name)
        self.vms[rid.lower()] = {
            "id": rid,
            "name": name,
            "location": "eastus",
            "tags": tags,
            "type": "Microsoft.Compute/virtualMachines",
            "properties": {
                "hardwareProfile": {"vmSize": size},
                "provisioningState": "Succeeded",
                "instanceView": {"statuses": [{"code": f"PowerState/{power}"}]},
            },
        }
        return rid

    def add_disk(
        self, name: str, size: int, sku: str = "Premium_LRS", owner: str | None = None
    ) -> str:
        rid = disk_id(name)
        body: dict[str, Any] = {
            "id": rid,
            "name": name,
            "location": "eastus",
            "tags": {"team": "shop"},
            "sku": {"name": sku},
            "properties": {
                "diskSizeGB": size,
                "provisioningState": "Succeeded",
                "diskState": "Attached" if owner else "Unattached",
            },
        }
        if owner:
            body["managedBy"] = owner
        self.disks[rid.lower()] = body
        return rid

    def power(self, rid: str) -> str:
        status = self.vms[rid.lower()]["properties"]["instanceView"]["statuses"][0]["code"]
        return str(status.split("/", 1)[1])

    def size(self, rid: str) -> str:
        return str(self.vms[rid.lower()]["properties"]["hardwareProfile"]["vmSize"])

    def mutations(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET"]


def _error(code: int, name: str, message: str) -> tuple[int, Any]:
    return code, {"error": {"code": name, "message": message}}


def route(arm: Arm, method: str, path: str, body: Any) -> tuple[int, Any]:
    low = path.lower().rstrip("/")
    if re.fullmatch(rf"/subscriptions/{SUB}/providers/microsoft.compute/virtualmachines", low):
        return 200, {"value": list(arm.vms.values())}
    m = re.fullmatch(r"(.+/virtualmachines/[^/]+)(/\w+)?", low)
    if m:
        return _vm(arm, method, m[1], (m[2] or "").strip("/"), body)
    for table, kind in ((arm.disks, "disks"), (arm.snapshots, "snapshots")):
        m = re.fullmatch(rf".+/microsoft.compute/{kind}/[^/]+", low)
        if m:
            return _simple(arm, table, method, path, low, body, kind)
    return _error(404, "ResourceNotFound", path)


def _vm(arm: Arm, method: str, rid: str, verb: str, body: Any) -> tuple[int, Any]:
    vm = arm.vms.get(rid)
    if vm is None:
        return _error(404, "ResourceNotFound", rid)
    statuses = vm["properties"]["instanceView"]["statuses"]
    if method == "GET" and verb == "vmsizes":
        return 200, {"value": [{"name": s, "numberOfCores": 2} for s in arm.available]}
    if method == "GET":
        return 200, vm
    if method == "POST" and verb in ("deallocate", "start"):
        statuses[0]["code"] = "PowerState/" + ("deallocated" if verb == "deallocate" else "running")
        return 200, None
    if method == "PATCH":
        size = body["properties"]["hardwareProfile"]["vmSize"]
        if arm.power(rid) not in ("deallocated", "stopped"):
            return _error(409, "OperationNotAllowed", "resize needs the VM deallocated here")
        if size not in arm.available:
            return _error(409, "SkuNotAvailable", f"{size} is not available for this VM")
        vm["properties"]["hardwareProfile"]["vmSize"] = size
        return 200, vm
    if method == "DELETE":
        del arm.vms[rid]
        return 200, None
    return _error(405, "MethodNotAllowed", method)


def _simple(
    arm: Arm, table: dict[str, Any], method: str, path: str, low: str, body: Any, kind: str
) -> tuple[int, Any]:
    if method == "GET":
        return (200, table[low]) if low in table else _error(404, "ResourceNotFound", path)
    if method == "DELETE":
        if table.get(low, {}).get("managedBy"):
            return _error(409, "OperationNotAllowed", "the disk is attached to a VM")
        table.pop(low, None)
        return 200, None
    if method == "PUT":
        source = body["properties"]["creationData"]["sourceResourceId"].lower()
        origin = arm.disks.get(source) or arm.snapshots.get(source)
        if origin is None:
            return _error(404, "ResourceNotFound", f"source {source}")
        made = copy.deepcopy(body)
        made.update(id=path, name=path.rsplit("/", 1)[1])
        made["properties"].update(
            provisioningState="Succeeded", diskSizeGB=origin["properties"]["diskSizeGB"]
        )
        if kind == "disks":
            made["properties"]["diskState"] = "Unattached"
            made.setdefault("sku", origin.get("sku"))
        table[low] = made
        return 200, made
    return _error(405, "MethodNotAllowed", method)


def _handler(arm: Arm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlparse(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            body = json.loads(raw) if raw else None
            if url.path == "/msi/token":
                return self._send(
                    200,
                    {
                        "access_token": TOKEN,
                        "token_type": "Bearer",
                        "expires_on": str(int(time.time()) + 3600),
                        "resource": "https://management.azure.com",
                    },
                )
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(*_error(401, "InvalidAuthenticationToken", "no token"))
            arm.calls.append((self.command, url.path))
            return self._send(*route(arm, self.command, url.path, body))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def _send(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    loopback = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(loopback, False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "arm-cert.pem", folder / "arm-key.pem"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


@pytest.fixture
def arm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Arm]:
    """The stub, trusted through REQUESTS_CA_BUNDLE and reached with a managed identity, and a
    lepton.yaml in the working directory pointing Azure at it."""
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_TENANT_ID",
        "MSI_ENDPOINT",
        "MSI_SECRET",
        "IMDS_ENDPOINT",
        "AZURE_TOKEN_CREDENTIALS",
    ):
        monkeypatch.delenv(name, raising=False)
    crt, pem = _certificate(tmp_path)
    state = Arm()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, pem)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    state.base = f"https://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(crt))
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{state.base}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text(f"azure:\n  base_url: {state.base}\n  max_retries: 0\n")
    yield state
    server.shutdown()
    server.server_close()
