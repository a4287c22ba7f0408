"""A fault-injecting HTTP front server on 127.0.0.1, between a real SDK and a local fake.

It forwards every request to ``upstream`` (moto, the Azure stub, the Google fake) unless a
:class:`Rule` matches; a matching rule answers with its fault instead, for its first ``times``
matches (``None``: always). The faults are the ones real services and the networks in front of
them produce: an HTML error page, a truncated 200, throttling with or without ``Retry-After``,
a denied scope, a connection closed without an answer, and a stall past the client's read
timeout. Every request is logged (:attr:`FaultProxy.log`) so a test can count retries.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
HTML_500 = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1><p>upstream failed</p></body></html>\n"
)


@dataclass
class Seen:
    """One request as the front server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = field(repr=False)
    service: str = ""  # AWS: from the SigV4 credential scope
    region: str = ""
    operation: str = ""  # AWS: X-Amz-Target, Action=, or the smithy operation path
    fault: str = ""  # the fault served, "" when forwarded

    @property
    def url_path(self) -> str:
        return urlparse(self.path).path


@dataclass
class Answer:
    """What a fault answers instead of the upstream."""

    status: int = 500
    body: bytes = HTML_500
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Rule:
    """``when`` selects requests; ``fault`` is one of: ``answer`` (send ``answer``),
    ``garbled`` (forward, then send the first half of the upstream's 200), ``reset`` (close the
    connection without a word), ``stall`` (wait ``seconds``, then close)."""

    when: Callable[[Seen], bool]
    fault: str = "answer"
    answer: Answer = field(default_factory=Answer)
    times: int | None = None  # fail the first N matching requests, then pass them through
    seconds: float = 30.0
    hits: int = 0

    def takes(self, seen: Seen) -> bool:
        if not self.when(seen) or (self.times is not None and self.hits >= self.times):
            return False
        self.hits += 1
        return True


def aws_call(service: str | None = None, operation: str | None = None, region: str | None = None):
    """A ``when`` for AWS requests by service, operation and region (None: any)."""

    def when(seen: Seen) -> bool:
        return (
            (service is None or seen.service == service)
            and (operation is None or seen.operation == operation)
            and (region is None or seen.region == region)
        )

    return when


def path_matches(pattern: str, method: str | None = None):
    """A ``when`` for requests whose path (without the query) matches ``pattern``."""
    return lambda seen: (
        (method is None or seen.method == method) and bool(re.search(pattern, seen.url_path))
    )


def aws_error(service: str, code: str, status: int = 400) -> Answer:
    """A well-formed AWS error answer, in the service's protocol."""
    if service in ("ec2",):
        xml = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{code}</Message></Error>"
            "</Errors><RequestID>r1</RequestID></Response>"
        )
        return Answer(status, xml.encode(), "text/xml")
    if service in ("sts", "iam"):
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{code}"
            "</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
        )
        return Answer(status, xml.encode(), "text/xml")
    body = json.dumps({"__type": code, "message": code}).encode()
    return Answer(status, body, "application/x-amz-json-1.1")


def json_error(status: int, code: str, retry_after: str | None = None) -> Answer:
    """An Azure/Google style JSON error answer."""
    body = json.dumps({"error": {"code": code, "message": code, "status": code}}).encode()
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Answer(status, body, "application/json", headers)


def _operation(headers: dict[str, str], path: str, body: bytes) -> str:
    target = headers.get("x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    if "/operation/" in path:  # smithy rpc-v2-cbor (CloudWatch)
        return path.rsplit("/", 1)[-1]
    form = parse_qs(body.decode("latin-1")) if body else {}
    if "Action" in form:
        return form["Action"][0]
    return urlparse(path).path


class _Quiet(ThreadingHTTPServer):
    """No traceback on stderr when a client or the upstream goes away mid-request."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class FaultProxy:
    """The front server. ``upstream`` is ``http://host:port`` or ``https://host:port``."""

    def __init__(
        self,
        upstream: str,
        tls: tuple[Path, Path] | None = None,
        trust: Path | None = None,
    ) -> None:
        self.upstream = urlparse(upstream)
        self.rules: list[Rule] = []
        self.log: list[Seen] = []
        self._trust = ssl.create_default_context(cafile=str(trust)) if trust else None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._server = _Quiet(("127.0.0.1", 0), self._handler())
        scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_port}"

    def add(self, rule: Rule) -> Rule:
        self.rules.append(rule)
        return rule

    def served(self, fault: str | None = None, when: Callable[[Seen], bool] | None = None) -> int:
        """How many logged requests got ``fault`` ("" = forwarded) and match ``when``."""
        return sum(
            1 for s in self.log if (fault is None or s.fault == fault) and (when is None or when(s))
        )

    def start(self) -> FaultProxy:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- serving -----------------------------------------------------------------------------

    def _rule_for(self, seen: Seen) -> Rule | None:
        with self._lock:  # the SDKs send from many threads; counts must stay exact
            return next((r for r in self.rules if r.takes(seen)), None)

    def _forward(self, seen: Seen) -> tuple[int, list[tuple[str, str]], bytes]:
        host, port = self.upstream.hostname or "127.0.0.1", self.upstream.port
        if self.upstream.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=60, context=self._trust
            )
        else:
            conn = http.client.HTTPConnection(host, port, timeout=60)
        headers = {k: v for k, v in seen.headers.items() if k not in ("host", "connection")}
        headers["Host"] = f"{host}:{port}"
        conn.request(seen.method, seen.path, body=seen.body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        skip = {"content-length", "transfer-encoding", "connection", "date", "server"}
        kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in skip]
        return resp.status, kept, data

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Front(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._handle()

            do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, self.path, headers, body)
                scope = _SCOPE.search(headers.get("authorization", ""))
                if scope:
                    seen.region, seen.service = scope[1], scope[2]
                    seen.operation = _operation(headers, self.path, body)
                rule = proxy._rule_for(seen)
                seen.fault = rule.fault if rule else ""
                proxy.log.append(seen)
                if rule is None:
                    return self._send(*proxy._forward(seen))
                return self._fault(rule, seen)

            def _fault(self, rule: Rule, seen: Seen) -> None:
                if rule.fault == "answer":
                    a = rule.answer
                    extra = [("Content-Type", a.content_type), *a.headers.items()]
                    return self._send(a.status, extra, a.body)
                if rule.fault == "garbled":
                    status, headers, data = proxy._forward(seen)
                    return self._send(status, headers, data[: max(1, len(data) // 2)])
                if rule.fault == "stall":
                    proxy._stop.wait(rule.seconds)
                self.close_connection = True  # reset and stall: close without answering
                return None

            def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers:
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up first
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        return Front


@contextmanager
def fault_proxy(
    upstream: str, tls: tuple[Path, Path] | None = None, trust: Path | None = None
) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream, tls, trust).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def elapsed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    got = call()
    return got, time.monotonic() - started
