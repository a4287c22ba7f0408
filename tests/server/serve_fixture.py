"""A real `lepton serve` (uvicorn) process on 127.0.0.1, and the CLI beside it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "examples" / "acme"
EPOCH = "1790000000"
LEPTON = str(Path(sys.executable).parent / "lepton")


def env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1", "LEPTON_HISTORY": "false"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LEPTON, *args], capture_output=True, text=True, env=env(), timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(*args: str, log: Path | None = None) -> Iterator[httpx.Client]:
    """Start `lepton serve ARGS` on a free port; yield a client; stop it."""
    port = free_port()
    sink = log.open("w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [LEPTON, "serve", "--port", str(port), *args], env=env(), stdout=sink, stderr=sink
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        _wait_ready(client, proc)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=20)
        if log:
            sink.close()  # type: ignore[union-attr]


def _wait_ready(client: httpx.Client, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"lepton serve exited with {proc.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if client.get("/healthz").status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("lepton serve did not answer /healthz in 30 s")


def wait_done(client: httpx.Client, location: str, headers: dict[str, str] | None = None) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(location, headers=headers).json()
        if body["status"] in ("done", "failed", "cancelled"):
            return dict(body)
        time.sleep(0.1)
    raise AssertionError(f"{location} did not finish")
