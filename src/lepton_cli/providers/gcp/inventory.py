"""Compute Engine inventory: raw aggregated-list pages -> lepton Resources.

Fetch functions take a :class:`~lepton_cli.providers.gcp.clients.Clients` and return SDK
objects; mapping functions turn one SDK object into one Resource. SDK objects never leave
the provider package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lepton_cli.models import Pricing, Resource, ResourceKind, ResourceState, Utilization
from lepton_cli.models.money import HOURS_PER_MONTH
from lepton_cli.providers.gcp.catalog import (
    MachineShape,
    PriceBook,
    custom_shape,
    gpu_model,
    instance_prices,
)
from lepton_cli.providers.gcp.clients import Clients

PROVIDER = "gcp"
STOPPED_STATES = frozenset({"TERMINATED", "STOPPED", "STOPPING", "SUSPENDED", "SUSPENDING"})


@dataclass
class ProjectPages:
    """Everything read from one project's aggregated lists."""

    project: str
    instances: list[Any]
    disks: list[Any]
    addresses: list[Any]
    shapes: dict[str, MachineShape]  # machine type name -> specs


def last_segment(url: str) -> str:
    """``.../zones/us-central1-a`` -> ``us-central1-a`` (Compute Engine returns URLs)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def region_of_zone(zone: str) -> str:
    return zone.rsplit("-", 1)[0]


def _scoped(pager: Iterable[tuple[str, Any]], attribute: str) -> list[Any]:
    """The items of an aggregated list, across all zones or regions and pages."""
    return [item for _scope, scoped in pager for item in getattr(scoped, attribute)]


def read_project(clients: Clients, project: str) -> ProjectPages:
    """Instances, disks, external addresses and the specs of the machine types in use."""
    request = {"project": project}
    opts = clients.call_options()
    instances = _scoped(
        clients.compute("instances").aggregated_list(request=request, **opts), "instances"
    )
    disks = _scoped(clients.compute("disks").aggregated_list(request=request, **opts), "disks")
    addresses = _scoped(
        clients.compute("addresses").aggregated_list(request=request, **opts), "addresses"
    )
    types = sorted({last_segment(i.machine_type) for i in instances})
    return ProjectPages(project, instances, disks, addresses, read_shapes(clients, project, types))


def machine_type_filter(names: Sequence[str]) -> str:
    """A Compute Engine list filter selecting these machine types (RE2, full match)."""
    return f'name eq "{"|".join(names)}"'


def read_shapes(clients: Clients, project: str, names: Sequence[str]) -> dict[str, MachineShape]:
    """Specs of the named machine types (one filtered aggregated list, not one call per type)."""
    predefined = [n for n in names if custom_shape(n) is None]
    shapes = {n: _custom(n) for n in names if custom_shape(n) is not None}
    if predefined:
        client = clients.compute("machine_types")
        request = {"project": project, "filter": machine_type_filter(predefined)}
        for scope, scoped in client.aggregated_list(request=request, **clients.call_options()):
            for machine in scoped.machine_types:
                shapes.setdefault(machine.name, shape_of(machine, scope))
    return shapes


def _custom(name: str) -> MachineShape:
    vcpus, memory = custom_shape(name) or (0.0, 0.0)
    return MachineShape(name=name, region="", vcpus=vcpus, memory_gib=memory)


def shape_of(machine: Any, scope: str = "") -> MachineShape:
    """A MachineShape from a ``compute_v1.MachineType`` listed under ``zones/<zone>``."""
    zone = last_segment(machine.zone or scope)
    cards = list(machine.accelerators)
    architecture = str(getattr(machine, "architecture", "") or "").upper()
    return MachineShape(
        name=machine.name,
        region=region_of_zone(zone),
        vcpus=float(machine.guest_cpus),
        memory_gib=machine.memory_mb / 1024,
        shared_cpu=bool(machine.is_shared_cpu),
        accelerators=sum(a.guest_accelerator_count for a in cards),
        accelerator_type=last_segment(cards[0].guest_accelerator_type) if cards else None,
        arch=ARCHITECTURES.get(architecture),
    )


ARCHITECTURES = {"ARM64": "arm64", "X86_64": "x86_64"}  # MachineType.architecture, when given
WINDOWS_LICENSES = "/projects/windows-cloud/"  # Windows Server images' licence URLs


def attached_gpus(instance: Any, shape: MachineShape | None) -> list[tuple[str, int]]:
    """(accelerator type, count): those the machine type comes with (a2, a3, g2) and those
    attached to the instance (N1 + T4 / V100...), by accelerator type name."""
    found = list(shape.gpu_list) if shape else []
    for card in getattr(instance, "guest_accelerators", None) or []:
        name = last_segment(card.accelerator_type)
        if card.accelerator_count and name not in {t for t, _ in found}:
            found.append((name, int(card.accelerator_count)))
    return found


def instance_platform(instance: Any) -> str:
    """windows when a disk carries a Windows Server licence (billed per vCPU-hour), else linux."""
    for disk in getattr(instance, "disks", None) or []:
        if any(WINDOWS_LICENSES in str(url) for url in getattr(disk, "licenses", None) or []):
            return "windows"
    return "linux"


def read_all_shapes(clients: Clients, project: str) -> Iterator[MachineShape]:
    """Every machine type in every zone the project can use (for offerings)."""
    client = clients.compute("machine_types")
    request = {"project": project}
    for scope, scoped in client.aggregated_list(request=request, **clients.call_options()):
        for machine in scoped.machine_types:
            yield shape_of(machine, scope)


def _timestamp(text: str) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def is_spot(instance: Any) -> bool:
    scheduling = instance.scheduling
    return scheduling.provisioning_model == "SPOT" or bool(scheduling.preemptible)


def instance_resource(
    instance: Any,
    project: str,
    shape: MachineShape | None,
    book: PriceBook | None,
    utilization: Utilization | None,
) -> Resource:
    """A ``gcp.compute-instance`` Resource, priced from the catalog when the book has it.

    A stopped (TERMINATED) or suspended instance bills no vCPU or RAM hours (a suspended one
    only the storage of its saved memory), so its hourly cost is 0; its disks still bill and
    are reported on their own.
    """
    zone = last_segment(instance.zone)
    region = region_of_zone(zone)
    machine_type = last_segment(instance.machine_type)
    pricing = Pricing.SPOT if is_spot(instance) else Pricing.ON_DEMAND
    stopped = instance.status in STOPPED_STATES
    gpus = attached_gpus(instance, shape)
    platform = instance_platform(instance)
    hourly = Decimal(0)
    if book is not None and shape is not None and not stopped:
        prices = instance_prices(book, machine_type, region, shape.vcpus, shape.memory_gib, gpus)
        hourly = prices.get(pricing, Decimal(0))
        if platform == "windows" and hourly:
            hourly += book.windows_licence(machine_type, shape.vcpus)
    return Resource(
        id=instance.self_link,
        provider=PROVIDER,
        account=project,
        region=region,
        zone=zone,
        kind=ResourceKind.COMPUTE,
        resource_type="gcp.compute-instance",
        type=machine_type,
        pricing=pricing,
        hourly_cost=hourly,
        vcpus=shape.vcpus if shape else None,
        memory_gib=shape.memory_gib if shape else None,
        arch=shape.architecture if shape else None,
        platform=platform,
        gpus=sum(n for _, n in gpus) if shape else None,
        gpu_model=gpu_model(gpus[0][0]) if gpus else None,
        utilization=utilization,
        state=ResourceState.STOPPED if stopped else ResourceState.RUNNING,
        created_at=_timestamp(instance.creation_timestamp),
        tags=dict(instance.labels),
    )


def idle_disk_state(disk: Any, stopped: Mapping[str, bool]) -> ResourceState | None:
    """unattached, stopped (every user is a stopped instance), or None (in use: not reported)."""
    if not disk.users:
        return ResourceState.UNATTACHED
    if all(stopped.get(user, False) for user in disk.users):
        return ResourceState.STOPPED
    return None


def _location(resource: Any) -> tuple[str, str | None]:
    """(region, zone) of a zonal or regional Compute Engine object."""
    zone_url = getattr(resource, "zone", "")  # an Address has no zone field at all
    if zone_url:
        zone = last_segment(zone_url)
        return region_of_zone(zone), zone
    return (last_segment(resource.region) if resource.region else "global"), None


def disk_resource(
    disk: Any, project: str, state: ResourceState, book: PriceBook | None
) -> Resource:
    """A ``gcp.persistent-disk`` Resource; the catalog price is per GiB-month."""
    region, zone = _location(disk)
    disk_type = last_segment(disk.type_)
    per_gib_month = book.disks.get((disk_type, region)) if book else None
    size = Decimal(disk.size_gb)
    hourly = per_gib_month * size / HOURS_PER_MONTH if per_gib_month is not None else Decimal(0)
    return Resource(
        id=disk.self_link,
        provider=PROVIDER,
        account=project,
        region=region,
        zone=zone,
        kind=ResourceKind.STORAGE,
        resource_type="gcp.persistent-disk",
        type=disk_type,
        hourly_cost=hourly,
        size_gib=float(disk.size_gb),
        state=state,
        attached_to=disk.users[0] if disk.users else None,
        created_at=_timestamp(disk.creation_timestamp),
        tags=dict(disk.labels),
    )


def is_unused_address(address: Any) -> bool:
    """A reserved external address that nothing uses (Google bills those by the hour)."""
    return address.status == "RESERVED" and address.address_type in ("EXTERNAL", "")


def address_resource(address: Any, project: str, book: PriceBook | None) -> Resource:
    """A ``gcp.address`` Resource for an unused static external address."""
    region, _zone = _location(address)
    hourly = book.addresses.get(region, Decimal(0)) if book else Decimal(0)
    return Resource(
        id=address.self_link,
        provider=PROVIDER,
        account=project,
        region=region,
        kind=ResourceKind.NETWORK,
        resource_type="gcp.address",
        type="static-external-ip",
        hourly_cost=hourly,
        state=ResourceState.UNATTACHED,
        created_at=_timestamp(address.creation_timestamp),
        tags=dict(address.labels),
    )


def project_resources(
    pages: ProjectPages,
    book: PriceBook | None,
    utilization: Mapping[str, Utilization],
) -> Iterator[Resource]:
    """All Resources of one project: instances, idle disks and unused addresses."""
    stopped = {i.self_link: i.status in STOPPED_STATES for i in pages.instances}
    for instance in pages.instances:
        shape = pages.shapes.get(last_segment(instance.machine_type))
        usage = utilization.get(str(instance.id))
        yield instance_resource(instance, pages.project, shape, book, usage)
    for disk in pages.disks:
        state = idle_disk_state(disk, stopped)
        if state is not None:
            yield disk_resource(disk, pages.project, state, book)
    for address in pages.addresses:
        if is_unused_address(address):
            yield address_resource(address, pages.project, book)
