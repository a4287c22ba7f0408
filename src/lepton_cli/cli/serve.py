"""`lepton serve`: the same plans over HTTP; `lepton mcp`: the same tools for an assistant."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.errors import UsageError

if TYPE_CHECKING:
    from lepton_cli.server.auth import Scope

INSTALL_HINT = "pip install 'lepton-cli[server]'"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _sources(pairs: list[str]) -> dict[str, Path]:
    sources: dict[str, Path] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise UsageError(f"--source {pair!r}: expected NAME=PATH", hint="e.g. acme=focus/")
        sources[name] = Path(path).resolve()
    return sources


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8080,
    token_file: Annotated[
        Path | None,
        typer.Option(help="Hashed bearer tokens with scopes; required off loopback."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Solves at once (default: one per core).", min=1)
    ] = None,
    max_queue: Annotated[
        int, typer.Option(help="Operations that may wait (429 past it).", min=1)
    ] = 16,
    max_body_mib: Annotated[int, typer.Option(help="Largest request body in MiB.", min=1)] = 50,
    keep: Annotated[
        float, typer.Option(help="Seconds a finished operation is kept.", min=1)
    ] = 3600.0,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="NAME=PATH: a source requests may name. Repeatable."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="Allow browser calls from this origin. Repeatable.")
    ] = None,
    new_token: Annotated[
        str | None,
        typer.Option(help="Add a token NAME to --token-file, print it once, and exit."),
    ] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="Scopes for --new-token: read, optimize.")
    ] = None,
) -> None:
    """Serve lepton over HTTP: POST /v1/optimize (asynchronous operations), /v1/report,
    /v1/plans/diff and /v1/plans/verify, /healthz, /metrics; OpenAPI at /openapi.json and a
    docs page at /docs. Without --token-file it listens on loopback only.

    Example: lepton serve --token-file t.yaml --host 0.0.0.0 --source acme=inventory.yaml
    """
    try:
        import uvicorn

        from lepton_cli.server.app import MIB, ServeOptions, create_app
        from lepton_cli.server.auth import load_tokens
        from lepton_cli.server.auth import new_token as add_token
    except ImportError as e:
        raise UsageError(f"lepton serve needs the server extra ({e.name} is missing)",
                         hint=INSTALL_HINT) from None  # fmt: skip
    if new_token is not None:
        if token_file is None:
            raise UsageError("--new-token needs --token-file", hint="add --token-file tokens.yaml")
        scopes = [_scope(s) for s in (scope or ["read"])]
        print(add_token(token_file, new_token, scopes))  # the secret, once, to stdout
        return
    if token_file is None and not _loopback(host):
        raise UsageError(
            f"--host {host} is not loopback and no --token-file is given",
            hint="create tokens with --new-token NAME --token-file F, then pass --token-file F",
        )
    options = ServeOptions(
        tokens=load_tokens(token_file) if token_file else None,
        workers=workers or os.cpu_count() or 1,
        max_queue=max_queue,
        max_body=max_body_mib * MIB,
        keep_seconds=keep,
        sources=_sources(source or []),
        config=common.state.config,
        cors_origins=tuple(cors_origin or ()),
    )
    common.info(f"lepton serve on http://{host}:{port} (docs at /docs)")
    uvicorn.run(create_app(options), host=host, port=port, log_level="warning")


def _scope(name: str) -> Scope:
    from lepton_cli.server.auth import Scope

    try:
        return Scope(name)
    except ValueError:
        raise UsageError(f"--scope {name}: unknown", hint="use read or optimize") from None


def mcp() -> None:
    """Serve lepton's tools over the Model Context Protocol on stdio: scan_file, report,
    optimize (the plan with its inputs digest, bound and gap) and plan_diff.

    Example: lepton mcp   (an assistant's MCP config: {"command": "lepton", "args": ["mcp"]})
    """
    try:
        from lepton_cli.server.mcp import build_server

        server = build_server()
    except ImportError as e:
        raise UsageError(f"lepton mcp needs the server extra ({e.name} is missing)",
                         hint=INSTALL_HINT) from None  # fmt: skip
    server.run("stdio")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("mcp")(mcp)
