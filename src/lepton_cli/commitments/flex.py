"""RI size flexibility on an inventory: unused regional Linux reservations cover other sizes of
their family by normalisation factor, as AWS applies them.

The AWS inventory matches each reservation to running instances of exactly its type; what it
leaves unused (``aws.reserved-instance`` resources with ``instances_covered`` below
``instance_count``) is here spread, in normalised units, over the running on-demand Linux
instances of the same account, region and family, smallest size first (AWS's order). A covered
instance is then priced at the reservation's rate per unit × its factor, ``pricing: reserved``,
and the reservation keeps only the cost of the units still unused. Nothing is counted twice.
"""

from __future__ import annotations

from decimal import Decimal

from lepton_cli.commitments.normalise import aws_factor, family
from lepton_cli.models import Inventory, Pricing, Resource, ResourceKind, ResourceState

RI_TYPE = "aws.reserved-instance"


def _free_units(ri: Resource) -> tuple[Decimal, Decimal]:
    """(unused normalised units, rate per unit per hour) of one reservation."""
    count = int(ri.tags.get("instance_count", "1"))
    used = int(ri.tags.get("instances_covered", "0"))
    factor = aws_factor(ri.type or "")
    if count <= used or not factor or ri.zone:  # zonal RIs are not size-flexible
        return Decimal(0), Decimal(0)
    per_instance = ri.hourly_cost / (count - used)
    return Decimal(str(factor)) * (count - used), per_instance / Decimal(str(factor))


def _candidates(resources: list[Resource], ri: Resource) -> list[Resource]:
    fam = family("aws", ri.type or "")
    return sorted(
        (
            r
            for r in resources
            if r.provider == "aws"
            and r.kind is ResourceKind.COMPUTE
            and r.state is ResourceState.RUNNING
            and r.pricing is Pricing.ON_DEMAND
            and (r.platform or "linux") == "linux"
            and r.account == ri.account
            and r.region == ri.region
            and r.type
            and family("aws", r.type) == fam
            and aws_factor(r.type)
        ),
        key=lambda r: (aws_factor(r.type or "") or 0, r.id),
    )


def apply_size_flexibility(inventory: Inventory) -> Inventory:
    """The inventory with unused regional RIs applied across sizes (see the module doc)."""
    resources = list(inventory.resources)
    index = {r.id: i for i, r in enumerate(resources)}
    for ri in sorted((r for r in resources if r.resource_type == RI_TYPE), key=lambda r: r.id):
        units, rate = _free_units(ri)
        for c in _candidates(resources, ri):
            need = Decimal(str(aws_factor(c.type or "")))
            if need > units:
                continue
            units -= need
            resources[index[c.id]] = c.model_copy(
                update={"pricing": Pricing.RESERVED, "hourly_cost": rate * need}
            )
        if rate:
            resources[index[ri.id]] = resources[index[ri.id]].model_copy(
                update={"hourly_cost": rate * units}
            )
    return inventory.model_copy(update={"resources": resources})
