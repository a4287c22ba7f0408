"""A Trino coordinator on 127.0.0.1 speaking the client protocol (``POST /v1/statement``, then
each ``nextUri`` until there is none), as strict as Trino where lepton depends on it.

It runs no SQL: each statement is answered with the next queued result (columns typed as
Trino types them, rows sent in pages, decimals as JSON text) or the next queued error.
Like Trino it refuses a statement without ``X-Trino-User`` (400), an unknown session
property or a malformed duration (a USER_ERROR), and, when it has a password, a request
without the right Basic credentials (401)."""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SESSION_PROPERTIES = {"query_max_run_time"}
DURATION = re.compile(r"^\d+(\.\d+)?(ns|us|ms|s|m|h|d)$")


def signature(kind: str) -> dict[str, Any]:
    """The typeSignature Trino gives a column of ``kind`` (e.g. ``decimal(38,24)``)."""
    if kind.startswith("decimal("):
        precision, scale = kind[len("decimal(") : -1].split(",")
        return {
            "rawType": "decimal",
            "arguments": [
                {"kind": "LONG", "value": int(precision)},
                {"kind": "LONG", "value": int(scale)},
            ],
        }
    return {"rawType": kind, "arguments": []}


@dataclass
class Result:
    columns: list[tuple[str, str]]  # (name, Trino type)
    rows: list[list[Any]]


@dataclass
class Failure:
    message: str
    error_name: str = "GENERIC_USER_ERROR"
    error_type: str = "USER_ERROR"


@dataclass
class Coordinator:
    page_size: int = 2
    password: str | None = None  # then every request needs Basic credentials
    answers: list[Result | Failure] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)  # sql and headers seen
    running: dict[str, Result | Failure] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, *answers: Result | Failure) -> None:
        self.answers.extend(answers)


def make_handler(state: Coordinator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any] | str) -> None:
            data = (json.dumps(body) if isinstance(body, dict) else body).encode()
            self.send_response(status)
            kind = "application/json" if isinstance(body, dict) else "text/plain"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if state.password is None:
                return True
            user = self.headers.get("X-Trino-User", "")
            token = base64.b64encode(f"{user}:{state.password}".encode()).decode()
            if self.headers.get("Authorization") == f"Basic {token}":
                return True
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="Trino"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False

        def do_POST(self) -> None:
            if self.path != "/v1/statement":
                return self._send(404, "Not Found")
            sql = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if not self.headers.get("X-Trino-User"):
                return self._send(400, "User must be set")
            if not self._authorised():
                return None
            with state.lock:
                state.statements.append({"sql": sql, "headers": dict(self.headers)})
                answer = state.answers.pop(0) if state.answers else Failure("nothing queued")
                query_id = f"20261203_{uuid.uuid4().hex[:12]}"
                failure = self._session_failure()
                state.running[query_id] = failure or answer
            return self._send(200, self._status(query_id, "QUEUED", f"queued/{query_id}/1"))

        def _session_failure(self) -> Failure | None:
            for item in self.headers.get_all("X-Trino-Session", []):
                for pair in item.split(","):
                    name, _, value = pair.strip().partition("=")
                    if name not in SESSION_PROPERTIES:
                        return Failure(f"Session property '{name}' does not exist")
                    if not DURATION.match(value):
                        return Failure(f"Invalid duration string: {value}")
            return None

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) != 5 or parts[:2] != ["v1", "statement"]:
                return self._send(404, "Not Found")
            if not self._authorised():
                return None
            query_id, token = parts[3], int(parts[4])
            with state.lock:
                answer = state.running.get(query_id)
            if answer is None:
                return self._send(404, "Query not found")
            if isinstance(answer, Failure):
                body = self._status(query_id, "FAILED", None)
                body["error"] = {
                    "message": answer.message,
                    "errorCode": 0,
                    "errorName": answer.error_name,
                    "errorType": answer.error_type,
                    "failureInfo": {"type": "io.trino.spi.TrinoException"},
                }
                return self._send(200, body)
            start = (token - 1) * state.page_size
            page = answer.rows[start : start + state.page_size]
            more = start + state.page_size < len(answer.rows)
            state_name = "RUNNING" if more else "FINISHED"
            next_uri = f"executing/{query_id}/{token + 1}" if more else None
            body = self._status(query_id, state_name, next_uri)
            body["columns"] = [
                {"name": n, "type": t, "typeSignature": signature(t)} for n, t in answer.columns
            ]
            if page:
                body["data"] = page
            return self._send(200, body)

        def do_DELETE(self) -> None:
            state.cancelled.append(self.path)
            self.send_response(204)
            self.end_headers()

        def _status(self, query_id: str, name: str, next_path: str | None) -> dict[str, Any]:
            body: dict[str, Any] = {
                "id": query_id,
                "infoUri": f"{state.base}/ui/query.html?{query_id}",
                "stats": {"state": name, "queued": name == "QUEUED", "scheduled": True},
            }
            if next_path:
                body["nextUri"] = f"{state.base}/v1/statement/{next_path}"
            return body

    return Handler


def serve(state: Coordinator, tls: Any = None) -> ThreadingHTTPServer:
    """The coordinator on a free port (over TLS with ``tls``, an ``ssl.SSLContext``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    state.base = f"{scheme}://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
