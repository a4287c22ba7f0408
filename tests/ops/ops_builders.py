"""Builders for the ops tests: plans, FOCUS exports and a webhook server on 127.0.0.1."""

from __future__ import annotations

import csv
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from lepton_cli.fileio import dump_yaml
from lepton_cli.plan.model import (
    Action,
    Allocation,
    DemandSpec,
    Placement,
    Plan,
    PlanMetadata,
    ResourceRef,
    SolverInfo,
    Summary,
    WorkloadPlan,
)


def action(id_: str, saving: str = "100", **fields: Any) -> Action:
    base: dict[str, Any] = {
        "id": id_,
        "kind": "rightsize",
        "workload": "checkout-api",
        "resources": [
            ResourceRef(
                id=f"i-{id_}",
                provider="aws",
                account="111122223333",
                region="us-east-1",
                type="m5.xlarge",
                pricing="on-demand",
                state="running",
            )
        ],
        "from": Placement(provider="aws", region="us-east-1", type="m5.xlarge"),
        "to": Placement(provider="aws", region="us-east-1", type="m5.large"),
        "monthly_saving": Decimal(saving),
        "reason": "cpu_p95 12% over 14 days",
    }
    base.update(fields)
    return Action.model_validate(base)


def workload(name: str, count: int, type_: str = "m5.large", cost: str = "140.16") -> WorkloadPlan:
    return WorkloadPlan(
        name=name,
        demand=DemandSpec(vcpu=4, memory_gib=16),
        planned_monthly_cost=Decimal(cost),
        allocations=[
            Allocation(
                provider="aws",
                region="us-east-1",
                type=type_,
                pricing="on-demand",
                count=count,
                monthly_cost=Decimal(cost),
            )
        ],
    )


def plan(
    actions: list[Action] | None = None,
    workloads: list[WorkloadPlan] | None = None,
    current: str = "50000",
    planned: str = "45790",
    budget: str | None = "40000",
    within: bool = True,
    status: str = "optimal",
    needed: str | None = None,
) -> Plan:
    cur, pl = Decimal(current), Decimal(planned)
    return Plan(
        metadata=PlanMetadata(
            created=dt.datetime(2026, 10, 31, tzinfo=dt.UTC),
            lepton_version="0.1.0",
            inputs_digest="sha256:" + "0" * 64,
            catalog_date="2026-10-01",
            budget=None if budget is None else Decimal(budget),
        ),
        solver=SolverInfo(
            name="highs", status=status, objective=float(pl), bound=float(pl), gap=0.0, seconds=0.1
        ),
        summary=Summary(
            current_monthly_cost=cur,
            planned_monthly_cost=pl,
            monthly_savings=cur - pl,
            within_budget=within,
            needed_budget=None if needed is None else Decimal(needed),
        ),
        workloads=workloads or [],
        actions=actions or [],
    )


def write_plan(path: Path, p: Plan) -> Path:
    path.write_text(dump_yaml(p), encoding="utf-8")
    return path


FOCUS_COLUMNS = [
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "ResourceId",
    "ResourceType",
    "PricingCategory",
    "SubAccountId",
    "Tags",
]


def focus_row(
    day: dt.date,
    cost: str,
    service: str = "Amazon Elastic Compute Cloud",
    resource: str = "i-1",
    provider: str = "AWS",
    account: str = "111122223333",
    tags: dict[str, str] | None = None,
    currency: str = "USD",
) -> dict[str, str]:
    month = day.replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    return {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost,
        "BillingAccountId": account,
        "BillingCurrency": currency,
        "BillingPeriodStart": f"{month}T00:00:00Z",
        "BillingPeriodEnd": f"{nxt}T00:00:00Z",
        "ChargeCategory": "Usage",
        "ChargePeriodStart": f"{day}T00:00:00Z",
        "ChargePeriodEnd": f"{day + dt.timedelta(days=1)}T00:00:00Z",
        "ProviderName": provider,
        "ServiceName": service,
        "ServiceCategory": "Compute",
        "RegionId": "us-east-1",
        "ResourceId": resource,
        "ResourceType": "aws.ec2-instance",
        "PricingCategory": "Standard",
        "SubAccountId": account,
        "Tags": json.dumps(tags or {}),
    }


def write_focus(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FOCUS_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def days(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(n)]


@dataclass
class Webhook:
    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    hits: int = 0


@contextmanager
def webhook(
    statuses: list[int] | None = None, delay: float = 0.0, echo: bool = False
) -> Iterator[Webhook]:
    """A real HTTP server on 127.0.0.1 (free port): answers ``statuses`` in turn, then 200.

    ``echo`` makes it a broken server that answers with the request line (which holds the
    URL's secret path) instead of a status line.
    """
    queue = list(statuses or [])
    hook = Webhook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hook.hits += 1
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if delay:
                time.sleep(delay)
            if echo:
                self.wfile.write(f"{self.requestline}\r\n\r\n".encode())
                return
            status = queue.pop(0) if queue else 200
            if status == 200:
                hook.bodies.append(json.loads(body))
            try:
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the client gave up (a timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/secret-token"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
