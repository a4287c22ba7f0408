"""moto behind a strict front server: it refuses what EC2 refuses and moto allows.

- ModifyInstanceAttribute of the instance type while the instance is not stopped
  (EC2: IncorrectInstanceState), or to a type EC2 does not have (InvalidParameterValue);
- ReleaseAddress of an address still associated (InvalidIPAddress.InUse);
- any DryRun=true call is answered as EC2 does (DryRunOperation, 412) without reaching moto.

It logs every call (operation, whether a dry run) and injects faults: fail the first N calls of
an operation with a well-formed EC2 error, or stall one until released (to kill a client
mid-call).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from moto.server import ThreadedMotoServer

FAKE = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"
XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"


@dataclass
class Fault:
    operation: str
    code: str
    status: int = 400
    times: int = 1
    dry: bool = False  # fail the DryRun=true call (a permission the caller lacks) instead


@dataclass
class Front:
    moto: tuple[str, int]
    url: str = ""
    calls: list[tuple[str, bool]] = field(default_factory=list)  # (operation, dry run)
    faults: list[Fault] = field(default_factory=list)
    stall: str | None = None  # an operation to hold (never answered until released)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def count(self, operation: str, dry: bool = False) -> int:
        return sum(1 for op, d in self.calls if op == operation and d == dry)

    def mutations(self) -> list[str]:
        reads = ("Describe", "Get")
        return [op for op, dry in self.calls if not dry and not op.startswith(reads)]

    def ec2(self) -> Any:
        """A client straight to moto (no strict layer): for building and inspecting."""
        host, port = self.moto
        return boto3.client("ec2", endpoint_url=f"http://{host}:{port}", region_name=REGION, **FAKE)


def _error(code: str, message: str, status: int = 400) -> tuple[int, bytes]:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error></Errors><RequestID>strict</RequestID></Response>"
    )
    return status, body.encode()


def _refusal(front: Front, op: str, form: dict[str, list[str]]) -> tuple[int, bytes] | None:
    """What EC2 refuses that moto would let through."""
    ec2 = front.ec2()
    if op == "ModifyInstanceAttribute" and "InstanceType.Value" in form:
        rid, target = form["InstanceId"][0], form["InstanceType.Value"][0]
        try:
            ec2.describe_instance_types(InstanceTypes=[target])
        except ec2.exceptions.ClientError:
            return _error("InvalidParameterValue", f"Invalid value '{target}' for InstanceType.")
        raw = ec2.describe_instances(InstanceIds=[rid])["Reservations"][0]["Instances"][0]
        if raw["State"]["Name"] != "stopped":
            return _error(
                "IncorrectInstanceState",
                f"The instance '{rid}' is not in the 'stopped' state.",
            )
    if op == "ReleaseAddress" and "AllocationId" in form:
        found = ec2.describe_addresses(AllocationIds=[form["AllocationId"][0]])["Addresses"]
        if found and found[0].get("AssociationId"):
            return _error("InvalidIPAddress.InUse", "Address is in use.")
    return None


def make_handler(front: Front) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._forward(b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            form = parse_qs(body.decode("latin-1"))
            op = form.get("Action", ["?"])[0]
            dry = form.get("DryRun", ["false"])[0].lower() == "true"
            front.calls.append((op, dry))
            answer = self._decide(op, dry, form)
            if answer is not None:
                return self._send(*answer)
            if front.stall == op:
                front.stalled.set()
                front.release.wait(60)
                return self._send(*_error("RequestLimitExceeded", "stalled", 503))
            return self._forward(body)

        def _decide(
            self, op: str, dry: bool, form: dict[str, list[str]]
        ) -> tuple[int, bytes] | None:
            for fault in front.faults:
                if fault.operation == op and fault.dry == dry and fault.times > 0:
                    fault.times -= 1
                    return _error(fault.code, "injected by the test", fault.status)
            if dry:
                return _error(
                    "DryRunOperation",
                    "Request would have succeeded, but DryRun flag is set.",
                    412,
                )
            return _refusal(front, op, form)

        def _forward(self, body: bytes) -> None:
            conn = http.client.HTTPConnection(*front.moto, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        def _send(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def moto_url() -> Iterator[tuple[str, int]]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield host, port
    server.stop()


@pytest.fixture
def front(moto_url: tuple[str, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[Front]:
    # No reset between tests: moto rebuilds its EC2 backend after one (~10 s); each test
    # makes its own resources and workload names instead.
    state = Front(moto_url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    env = {
        "AWS_ENDPOINT_URL": state.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_MAX_ATTEMPTS": "1",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
