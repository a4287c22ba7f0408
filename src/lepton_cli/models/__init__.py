"""Pure data: the normalised vocabulary every part of lepton speaks (FOCUS names for money)."""

from lepton_cli.models.cost import CostRecord
from lepton_cli.models.inventory import API_VERSION, Inventory, OfferingsMode
from lepton_cli.models.money import HOURS_PER_MONTH, fmt_money, monthly
from lepton_cli.models.offering import Offering
from lepton_cli.models.period import Period
from lepton_cli.models.resource import (
    Pricing,
    Resource,
    ResourceKind,
    ResourceState,
    Utilization,
)
from lepton_cli.models.workload import Allowed, Demand, Requires, Spread, Workload

__all__ = [
    "API_VERSION",
    "HOURS_PER_MONTH",
    "Allowed",
    "CostRecord",
    "Demand",
    "Inventory",
    "Offering",
    "OfferingsMode",
    "Period",
    "Pricing",
    "Requires",
    "Resource",
    "ResourceKind",
    "ResourceState",
    "Spread",
    "Utilization",
    "Workload",
    "fmt_money",
    "monthly",
]
