"""Owned GCP committed use discounts: ``regionCommitments.aggregatedList`` per project, read
with google-cloud-compute (REST). A resource-based CUD commits vCPUs and memory of one machine
series in one region. The API gives neither the price nor the utilisation: FOCUS exports
(``--source``) carry both, so ``hourly_fee`` is left at zero here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from lepton_cli.commitments.model import Commitment, CommitmentScope, Payment, Product, Usage
from lepton_cli.providers.base import ScopeFailure
from lepton_cli.providers.gcp.clients import Clients, boundary, connect
from lepton_cli.providers.gcp.config import GcpConfig

_PLANS = {"TWELVE_MONTH": 12, "THIRTY_SIX_MONTH": 36}
_SERIES = {  # Commitment.type -> machine series (the family lepton groups usage by)
    "GENERAL_PURPOSE": "n1",
    "GENERAL_PURPOSE_N2": "n2",
    "GENERAL_PURPOSE_N2D": "n2d",
    "GENERAL_PURPOSE_E2": "e2",
    "GENERAL_PURPOSE_N4": "n4",
    "GENERAL_PURPOSE_C3": "c3",
    "GENERAL_PURPOSE_C3D": "c3d",
    "GENERAL_PURPOSE_T2D": "t2d",
    "COMPUTE_OPTIMIZED": "c2",
    "COMPUTE_OPTIMIZED_C2D": "c2d",
    "MEMORY_OPTIMIZED": "m1",
    "ACCELERATOR_OPTIMIZED": "a2",
}


@dataclass
class GcpCommitments:
    commitments: list[Commitment] = field(default_factory=list)
    usage: dict[str, Usage] = field(default_factory=dict)
    failures: list[ScopeFailure] = field(default_factory=list)


def _when(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _resource(raw: dict[str, Any], kind: str) -> Decimal | None:
    for r in raw.get("resources") or []:
        if r.get("type") == kind:
            return Decimal(str(r.get("amount") or 0))
    return None


def commitment(raw: dict[str, Any], project: str) -> Commitment:
    """One regional commitment (the REST JSON of compute v1 ``Commitment``)."""
    region = str(raw.get("region", "")).rsplit("/", 1)[-1]
    kind = str(raw.get("type", ""))
    vcpus = _resource(raw, "VCPU")
    memory_mb = _resource(raw, "MEMORY")
    memory = f", {memory_mb / 1024:g} GiB" if memory_mb else ""
    return Commitment(
        id=str(raw.get("name") or raw.get("id")),
        provider="gcp",
        product=Product.GCP_RESOURCE_CUD,
        name=f"{kind.lower()} {vcpus or 0:g} vCPU{memory}",
        scope=CommitmentScope(account=project, region=region, family=_SERIES.get(kind)),
        term_months=_PLANS.get(str(raw.get("plan", "")), 12),
        payment=Payment.NO_UPFRONT,  # CUDs are billed monthly
        start=_when(raw.get("startTimestamp")),
        end=_when(raw.get("endTimestamp")),
        count=vcpus,
        unit="vCPU",
        state=str(raw.get("status", "ACTIVE")).lower(),
        source="compute:regionCommitments.aggregatedList",
    )


def read(config: GcpConfig, clients: Clients | None = None) -> GcpCommitments:
    """Active commitments in each configured project (else the credentials' own project)."""
    out = GcpCommitments()
    clients = clients or connect(config)
    projects = list(config.projects) or (
        [clients.default_project] if clients.default_project else []
    )
    edge = boundary()
    for project in projects:
        scope = f"project {project} (commitments)"
        out.commitments += edge.read(out.failures, scope, partial(_project, clients, project), [])
    return out


def _project(clients: Clients, project: str) -> list[Commitment]:
    from google.cloud import compute_v1

    client = clients._gapic(  # one client per run, shared like the provider's own
        "compute.region_commitments",
        compute_v1.RegionCommitmentsClient,
        clients.config.endpoints.compute,
    )
    found = []
    for _scope, scoped in client.aggregated_list(project=project):
        for item in scoped.commitments:
            raw = type(item).to_dict(item, preserving_proto_field_name=False)
            if raw.get("status", "ACTIVE") == "ACTIVE":
                found.append(commitment(raw, project))
    return found
