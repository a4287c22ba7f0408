"""A small Compute Engine (REST) for apply, as strict as Google where apply depends on it:
the machine type changes only while the instance is TERMINATED (stopped), only to a machine
type the zone has; a disk in use is not deleted. Operations finish at once (status DONE).
Credentials are real Application Default Credentials: a service-account key whose token_uri
is this server.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT = "shop-prod-123"
ZONE = "us-central1-a"
LINK = "https://www.googleapis.com/compute/v1"
MACHINE_TYPES = {"e2-standard-2", "e2-standard-4", "e2-standard-8", "n2-standard-4"}
_ops = itertools.count(1)


def instance_link(name: str) -> str:
    return f"{LINK}/projects/{PROJECT}/zones/{ZONE}/instances/{name}"


def disk_link(name: str) -> str:
    return f"{LINK}/projects/{PROJECT}/zones/{ZONE}/disks/{name}"


@dataclass
class Gce:
    url: str = ""
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> body
    disks: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    machine_types: set[str] = field(default_factory=lambda: set(MACHINE_TYPES))
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # instance name -> changes to refuse
    lose: set[str] = field(default_factory=set)  # verbs done, but answered with a 503

    def add_instance(self, name: str, type_: str, status: str = "RUNNING", **labels: str) -> str:
        self.instances[name] = {
            "id": str(abs(hash(name)) % 10**12),
            "name": name,
            "zone": f"{LINK}/projects/{PROJECT}/zones/{ZONE}",
            "machineType": f"{LINK}/projects/{PROJECT}/zones/{ZONE}/machineTypes/{type_}",
            "status": status,
            "labels": labels,
            "selfLink": instance_link(name),
            "scheduling": {"provisioningModel": "STANDARD"},
        }
        return instance_link(name)

    def add_disk(self, name: str, size: int, users: list[str] | None = None) -> str:
        self.disks[name] = {
            "name": name,
            "zone": f"{LINK}/projects/{PROJECT}/zones/{ZONE}",
            "sizeGb": str(size),
            "type": f"{LINK}/projects/{PROJECT}/zones/{ZONE}/diskTypes/pd-balanced",
            "status": "READY",
            "labels": {"team": "shop"},
            "users": users or [],
            "selfLink": disk_link(name),
        }
        return disk_link(name)

    def type_of(self, name: str) -> str:
        return str(self.instances[name]["machineType"].rsplit("/", 1)[1])

    def status(self, name: str) -> str:
        return str(self.instances[name]["status"])

    def mutations(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0] != "GET"]


def _error(code: int, reason: str, message: str) -> tuple[int, Any]:
    return code, {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"reason": reason, "message": message}],
        }
    }


def _op(kind: str, where: str = f"zones/{ZONE}") -> tuple[int, Any]:
    name = f"operation-{next(_ops)}"
    return 200, {
        "kind": "compute#operation",
        "name": name,
        "status": "DONE",
        "progress": 100,
        "operationType": kind,
        "selfLink": f"{LINK}/projects/{PROJECT}/{where}/operations/{name}",
        **({"zone": f"{LINK}/projects/{PROJECT}/{where}"} if where.startswith("zones") else {}),
    }


def route(gce: Gce, method: str, path: str, body: Any) -> tuple[int, Any]:
    if path == "/token":
        return 200, {"access_token": "ya29.apply", "expires_in": 3600, "token_type": "Bearer"}
    p = path.removeprefix("/compute/v1")
    if re.fullmatch(r"/projects/[^/]+/(zones/[^/]+|global)/operations/[^/]+", p):
        return 200, {"name": p.rsplit("/", 1)[1], "status": "DONE", "progress": 100}
    if re.fullmatch(r"/projects/[^/]+/aggregated/instances", p):
        return 200, {"items": {f"zones/{ZONE}": {"instances": list(gce.instances.values())}}}
    if m := re.fullmatch(r"/projects/[^/]+/zones/[^/]+/machineTypes/([^/]+)", p):
        if m[1] in gce.machine_types:
            return 200, {"name": m[1], "guestCpus": 2, "memoryMb": 8192}
        return _error(404, "notFound", f"machine type {m[1]} was not found")
    if m := re.fullmatch(r"/projects/[^/]+/zones/[^/]+/instances/([^/]+)(/\w+)?", p):
        return _instance(gce, method, m[1], (m[2] or "").strip("/"), body)
    if m := re.fullmatch(r"/projects/[^/]+/zones/[^/]+/disks(/[^/]+)?(/\w+)?", p):
        return _disk(gce, method, (m[1] or "").strip("/"), (m[2] or "").strip("/"), body)
    if m := re.fullmatch(r"/projects/[^/]+/global/snapshots/([^/]+)", p):
        if m[1] not in gce.snapshots:
            return _error(404, "notFound", m[1])
        if method == "DELETE":
            del gce.snapshots[m[1]]
            return _op("delete", "global")
        return 200, gce.snapshots[m[1]]
    return _error(404, "notFound", f"no route for {path}")


def _instance(gce: Gce, method: str, name: str, verb: str, body: Any) -> tuple[int, Any]:
    vm = gce.instances.get(name)
    if vm is None:
        return _error(404, "notFound", f"instance {name} was not found")
    if method == "GET":
        return 200, vm
    if gce.fail.get(name, 0) > 0:
        gce.fail[name] -= 1
        return _error(503, "backendError", "injected by the test")
    if method == "DELETE":
        del gce.instances[name]
        return _op("delete")
    if verb in ("stop", "start"):
        vm["status"] = "TERMINATED" if verb == "stop" else "RUNNING"
        return _op(verb)
    if verb == "setMachineType":
        target = body["machineType"].rsplit("/", 1)[1]
        if vm["status"] != "TERMINATED":
            return _error(400, "resourceNotReady", f"instance {name} must be stopped first")
        if target not in gce.machine_types:
            return _error(400, "invalid", f"machine type {target} does not exist in {ZONE}")
        vm["machineType"] = f"{LINK}/projects/{PROJECT}/zones/{ZONE}/machineTypes/{target}"
        return _op("setMachineType")
    return _error(400, "invalid", verb)


def _disk(gce: Gce, method: str, name: str, verb: str, body: Any) -> tuple[int, Any]:
    if method == "POST" and not name:  # insert, e.g. from a snapshot
        source = body.get("sourceSnapshot", "").rsplit("/", 1)[-1]
        if source and source not in gce.snapshots:
            return _error(404, "notFound", f"snapshot {source}")
        gce.add_disk(body["name"], int(body.get("sizeGb") or gce.snapshots[source]["diskSizeGb"]))
        gce.disks[body["name"]].update(labels=body.get("labels", {}), sourceSnapshot=source)
        return _op("insert")
    disk = gce.disks.get(name)
    if disk is None:
        return _error(404, "notFound", f"disk {name} was not found")
    if method == "GET":
        return 200, disk
    if method == "DELETE":
        if disk["users"]:
            return _error(400, "resourceInUseByAnotherResource", f"disk {name} is in use")
        del gce.disks[name]
        return _op("delete")
    if verb == "createSnapshot":
        if body["name"] in gce.snapshots:
            return _error(409, "alreadyExists", f"snapshot {body['name']} already exists")
        snap = copy.deepcopy(body)
        snap.update(sourceDisk=disk["selfLink"], diskSizeGb=disk["sizeGb"], status="READY")
        gce.snapshots[body["name"]] = snap
        if verb in gce.lose:  # done, but the answer is lost on the way back
            gce.lose.discard(verb)
            return _error(503, "backendError", "the connection dropped")
        return _op("createSnapshot")
    return _error(400, "invalid", verb)


def _handler(gce: Gce) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlparse(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None  # the token exchange is form-encoded
            if url.path != "/token":
                gce.calls.append((self.command, url.path))
            code, answer = route(gce, self.command, url.path, body)
            data = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def gce(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gce]:
    """The fake, real ADC pointed at it, and a lepton.yaml in the working directory."""
    state = Gce()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key_file = tmp_path / "service-account.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "k",
                "private_key": pem,
                "client_email": f"lepton@{PROJECT}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{state.url}/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text(f"gcp:\n  endpoints:\n    compute: {state.url}\n")
    yield state
    server.shutdown()
    server.server_close()
