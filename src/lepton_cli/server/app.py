"""The FastAPI application: routes, auth, limits and problem details.

Every route that computes runs the CLI's command through :mod:`lepton_cli.server.runner`, so the
HTTP answer is the CLI's document and exit code. Deny by default: a server without a token file
listens on loopback only (checked by ``lepton serve``); with one, every route but ``/healthz``
needs a bearer token holding the route's scope.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lepton_cli import __version__
from lepton_cli.server.auth import Scope as TokenScope
from lepton_cli.server.auth import TokenFile, find
from lepton_cli.server.metrics import Metrics
from lepton_cli.server.problems import PROBLEM, STATUS_FOR_EXIT, Problem, exit_title
from lepton_cli.server.runner import (
    FINISHED,
    PROGRESS_FILE,
    Job,
    Operation,
    Operations,
    QueueFull,
    Status,
)

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServeOptions:
    tokens: TokenFile | None = None  # None: loopback only, no token asked
    workers: int = 1
    max_queue: int = 16
    max_body: int = 50 * MIB
    keep_seconds: float = 3600.0
    time_limit: float = 60.0  # default per optimisation; a request may lower or raise it
    max_time_limit: float = 3600.0
    sources: dict[str, Path] = field(default_factory=dict)  # name -> configured path
    config: Path | None = None
    cors_origins: tuple[str, ...] = ()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class OptimizeOptions(Strict):
    objective: Literal["cost", "efficiency"] = "cost"
    budget: float | None = Field(default=None, gt=0, le=1e15)
    max_changes: int | None = Field(default=None, ge=0)
    time_limit: float | None = Field(default=None, gt=0)
    gap: float | None = Field(default=None, ge=0, lt=1)


class Inputs(Strict):
    inventory: dict[str, Any] | None = Field(
        default=None, description="A lepton/v1 Inventory document (as in an inventory file)."
    )
    source: str | None = Field(default=None, description="The name of a configured source.")

    @model_validator(mode="after")
    def _one_input(self) -> Inputs:
        if (self.inventory is None) == (self.source is None):
            raise ValueError("give exactly one of inventory or source")
        return self


class OptimizeRequest(Inputs):
    options: OptimizeOptions = Field(default_factory=OptimizeOptions)


class ReportRequest(Strict):
    source: str = Field(description="The name of a configured source (FOCUS files).")
    by: str = "provider,service"
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")


class DiffRequest(Strict):
    old: dict[str, Any]
    new: dict[str, Any]


class VerifyRequest(Inputs):
    plan: dict[str, Any]
    strict: bool = False


class Progress(BaseModel):
    """Where an optimisation stands. While it runs: how many workloads are solved, the
    incumbent (the objective of the best feasible plan known so far: monthly cost plus
    amortised moves under ``cost``, perf-vCPUs under ``efficiency``), a proven bound on the
    optimum (lower under ``cost``, upper under ``efficiency``) and the relative gap between
    them; each is null until known. When done: the plan's solver status, objective, bound and
    gap (the incumbent is then the objective)."""

    workloads_solved: int | None = None
    workloads_total: int | None = None
    incumbent: float | None = None
    bound: float | None = None
    gap: float | None = None
    status: str | None = None
    objective: float | None = None


class OperationView(BaseModel):
    id: str
    kind: str
    status: Status
    created: float
    started: float | None = None
    finished: float | None = None
    exit_code: int | None = None
    progress: Progress | None = None
    plan: dict[str, Any] | None = None
    plan_url: str | None = None
    problem: dict[str, Any] | None = None


class Limits:
    """Pure ASGI middleware: JSON bodies only (415) and at most ``max_body`` bytes (413)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json" and not kind.endswith("+json"):
            await _send_problem(send, Problem(415, "unsupported media type", "send JSON"))
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            await _send_problem(send, _too_large(self.max_body))
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise _too_large(self.max_body)
            return message

        return counted


def _too_large(limit: int) -> Problem:
    return Problem(413, "content too large", f"request bodies are limited to {limit} bytes")


async def _send_problem(send: Send, problem: Problem) -> None:
    body = json.dumps(problem.body()).encode()
    headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(options: ServeOptions) -> FastAPI:
    operations = Operations(options.workers, options.max_queue, options.keep_seconds)
    metrics = Metrics()
    operations.on_finish = lambda op: _count_finished(metrics, op)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pump = asyncio.create_task(operations.pump())
        try:
            yield
        finally:
            pump.cancel()
            operations.shutdown()

    app = FastAPI(
        title="lepton",
        version=__version__,
        summary="lepton's plans, reports and checks over HTTP.",
        lifespan=lifespan,
    )
    app.state.operations = operations
    app.add_middleware(Limits, max_body=options.max_body)
    if options.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(options.cors_origins))
    _errors(app)
    _count_requests(app, metrics)
    _routes(app, options, operations, metrics)
    return app


def _count_finished(metrics: Metrics, op: Operation) -> None:
    metrics.operations[(op.job.kind, op.status.value)] += 1
    if op.job.kind == "optimize" and op.started and op.finished:
        metrics.solve_seconds_sum += op.finished - op.started
        metrics.solve_seconds_count += 1


def _errors(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def problem(_request: Request, exc: Problem) -> Response:
        return _problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(_describe(e) for e in exc.errors()[:10])
        return _problem_response(Problem(422, "invalid request", details))

    @app.exception_handler(StarletteHTTPException)
    async def http(_request: Request, exc: StarletteHTTPException) -> Response:
        return _problem_response(Problem(exc.status_code, str(exc.detail).lower()))

    @app.exception_handler(Exception)
    async def internal(_request: Request, exc: Exception) -> Response:
        return _problem_response(Problem(500, "internal error", type(exc).__name__))


def _describe(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    return f"{where or '(body)'}: {error.get('msg', 'invalid')}"


def _problem_response(problem: Problem) -> Response:
    return JSONResponse(problem.body(), problem.status, problem.headers, media_type=PROBLEM)


def _count_requests(app: FastAPI, metrics: Metrics) -> None:
    @app.middleware("http")
    async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Any:
        response = await call_next(request)
        route = request.scope.get("route")
        metrics.requests[(getattr(route, "path", "unmatched"), response.status_code)] += 1
        return response


Bearer = HTTPBearer(auto_error=False, description="A token from `lepton serve --new-token`.")


def _require(options: ServeOptions, scope: TokenScope) -> Callable[..., None]:
    def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(Bearer)],
    ) -> None:
        if options.tokens is None:
            return  # loopback only, by construction in `lepton serve`
        challenge = {"WWW-Authenticate": "Bearer"}
        if credentials is None:
            raise Problem(
                401, "unauthorized", "send Authorization: Bearer TOKEN", headers=challenge
            )
        token = find(options.tokens, credentials.credentials)
        if token is None:
            raise Problem(401, "unauthorized", "the token is not known", headers=challenge)
        if scope not in token.scopes:
            raise Problem(403, "forbidden", f"this token lacks the {scope.value} scope")

    return check


def _routes(app: FastAPI, options: ServeOptions, ops: Operations, metrics: Metrics) -> None:
    read = [Depends(_require(options, TokenScope.READ))]
    optimize_scope = [Depends(_require(options, TokenScope.OPTIMIZE))]

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", tags=["meta"], dependencies=read, response_class=PlainTextResponse)
    def prometheus() -> PlainTextResponse:
        text = metrics.text(ops.queued, ops.running)
        return PlainTextResponse(text, media_type="text/plain; version=0.0.4")

    @app.post("/v1/optimize", status_code=202, tags=["plans"], dependencies=optimize_scope)
    def optimize(request: OptimizeRequest, response: Response, http: Request) -> OperationView:
        """Start an optimisation; poll the Location it answers with."""
        key = http.headers.get("idempotency-key")
        fingerprint = _fingerprint(request)
        if key and (known := ops.by_key(key)):
            if known.fingerprint != fingerprint:
                raise Problem(422, "idempotency key reused", "this key was sent with another body")
            return _accepted(known, response)
        op = _submit(ops, _optimize_job(request, options), key, fingerprint)
        return _accepted(op, response)

    @app.get("/v1/operations/{op_id}", tags=["plans"], dependencies=read)
    def operation(op_id: str) -> OperationView:
        return _view(_find(ops, op_id))

    @app.get("/v1/operations/{op_id}/plan", tags=["plans"], dependencies=read)
    def operation_plan(op_id: str) -> Response:
        """The plan document exactly as `lepton optimize -f json` prints it."""
        op = _find(ops, op_id)
        if op.result is None or not op.result.stdout:
            raise Problem(409, "no plan", f"operation {op_id} is {op.status.value} with no plan")
        return Response(op.result.stdout, media_type="application/json")

    @app.delete("/v1/operations/{op_id}", tags=["plans"], dependencies=optimize_scope)
    def cancel(op_id: str) -> OperationView:
        op = _find(ops, op_id)
        if op.status in FINISHED:
            raise Problem(409, "already finished", f"operation {op_id} is {op.status.value}")
        ops.cancel(op)
        return _view(op)

    @app.post("/v1/report", tags=["reports"], dependencies=read)
    async def report(request: ReportRequest) -> Response:
        args = ["report", "--source", str(_source(options, request.source)), "--by", request.by]
        args += ["--period", request.period] if request.period else []
        return await _run(ops, Job("report", (*_globals(options), *args, "-f", "json")))

    @app.post("/v1/plans/diff", tags=["plans"], dependencies=read)
    async def plan_diff(request: DiffRequest) -> Response:
        files = (("old.json", _json(request.old)), ("new.json", _json(request.new)))
        args = ("plan", "diff", "old.json", "new.json", "-f", "json")
        return await _run(ops, Job("plan-diff", (*_globals(options), *args), files))

    @app.post("/v1/plans/verify", tags=["plans"], dependencies=read)
    async def plan_verify(request: VerifyRequest) -> Response:
        source, files = _inputs(request, options)
        args = ["plan", "verify", "plan.json", "--source", source, "-f", "json"]
        args += ["--strict"] if request.strict else []
        job = Job(
            "plan-verify", (*_globals(options), *args), (*files, ("plan.json", _json(request.plan)))
        )
        return await _run(ops, job)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _fingerprint(request: BaseModel) -> str:
    text = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _globals(options: ServeOptions) -> tuple[str, ...]:
    return ("--quiet", *(("--config", str(options.config)) if options.config else ()))


def _source(options: ServeOptions, name: str) -> Path:
    path = options.sources.get(name)
    if path is None:
        known = ", ".join(sorted(options.sources)) or "none configured"
        raise Problem(422, "unknown source", f"no source named {name!r} (known: {known})")
    return path


def _inputs(request: Inputs, options: ServeOptions) -> tuple[str, tuple[tuple[str, bytes], ...]]:
    if request.source is not None:
        return str(_source(options, request.source)), ()
    return "inventory.json", (("inventory.json", _json(request.inventory)),)


def _optimize_job(request: OptimizeRequest, options: ServeOptions) -> Job:
    o = request.options
    limit = min(o.time_limit or options.time_limit, options.max_time_limit)
    source, files = _inputs(request, options)
    args = ["optimize", "--source", source, "-f", "json", "--no-history"]
    args += ["--objective", o.objective, "--time-limit", repr(limit)]
    args += ["--progress-file", PROGRESS_FILE]
    args += ["--budget", repr(o.budget)] if o.budget is not None else []
    args += ["--gap", repr(o.gap)] if o.gap is not None else []
    args += ["--max-changes", str(o.max_changes)] if o.max_changes is not None else []
    # The CLI keeps its own time limit; the worker is ended only well past it.
    return Job(
        "optimize", (*_globals(options), *args), files, seconds=limit * 2 + 30, progress=True
    )


def _submit(ops: Operations, job: Job, key: str | None, fingerprint: str | None) -> Operation:
    try:
        return ops.submit(job, key, fingerprint)
    except QueueFull:
        raise Problem(
            429, "too many requests", "the queue is full", headers={"Retry-After": "5"}
        ) from None


def _accepted(op: Operation, response: Response) -> OperationView:
    response.headers["Location"] = f"/v1/operations/{op.id}"
    response.headers["Retry-After"] = "1"
    return _view(op)


def _find(ops: Operations, op_id: str) -> Operation:
    op = ops.get(op_id)
    if op is None:
        raise Problem(404, "not found", f"no operation {op_id} (finished ones are kept a while)")
    return op


def _view(op: Operation) -> OperationView:
    view = OperationView(
        id=op.id, kind=op.job.kind, status=op.status, created=op.created,
        started=op.started, finished=op.finished,
    )  # fmt: skip
    result = op.result
    if op.progress is not None:
        view.progress = Progress.model_validate(_known(op.progress))
    if result is None:
        return view
    view.exit_code = result.exit_code
    if result.stdout:
        plan = json.loads(result.stdout)
        view.plan, view.plan_url = plan, f"/v1/operations/{op.id}/plan"
        solver = plan.get("solver", {})
        figures = {k: solver.get(k) for k in ("status", "objective", "bound", "gap")}
        view.progress = (view.progress or Progress()).model_copy(
            update={**figures, "incumbent": figures["objective"]}
        )
    if op.status is Status.FAILED:
        view.problem = _failure(result.exit_code, result.message, result.hint).body()
    return view


def _known(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The fields of a progress line this server knows (a newer CLI may write more)."""
    return {k: v for k, v in snapshot.items() if k in Progress.model_fields}


def _failure(code: int, message: str | None, hint: str | None) -> Problem:
    status = STATUS_FOR_EXIT.get(code, 500)  # type: ignore[call-overload]
    return Problem(status, exit_title(code), message, hint=hint, exit_code=code)


async def _run(ops: Operations, job: Job) -> Response:
    """Run a short job through the queue and answer with the CLI's document."""
    op = _submit(ops, job, None, None)
    started = time.monotonic()
    try:
        await asyncio.wait_for(op.done.wait(), timeout=job.seconds + 5)
    except TimeoutError:
        ops.cancel(op)
    result = op.result
    if result is None or op.status is not Status.DONE:
        code = result.exit_code if result else 1
        raise _failure(
            code, result.message if result else "cancelled", result.hint if result else None
        )
    headers = {"Lepton-Exit-Code": str(result.exit_code)}
    headers["Server-Timing"] = f"run;dur={(time.monotonic() - started) * 1000:.0f}"
    return Response(result.stdout, media_type="application/json", headers=headers)
