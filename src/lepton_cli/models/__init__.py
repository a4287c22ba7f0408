"""Pure data: the normalised vocabulary every part of lepton speaks (FOCUS names for money).

The names below are loaded on first use (a command needs only some of the models; loading
them all is 10 ms of every start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_MODULE_OF = {
    "CostRecord": "cost",
    "API_VERSION": "inventory",
    "Inventory": "inventory",
    "OfferingsMode": "inventory",
    "HOURS_PER_MONTH": "money",
    "fmt_money": "money",
    "monthly": "money",
    "Offering": "offering",
    "Period": "period",
    "Pricing": "resource",
    "Resource": "resource",
    "ResourceKind": "resource",
    "ResourceState": "resource",
    "Utilization": "resource",
    "Allowed": "workload",
    "Demand": "workload",
    "Requires": "workload",
    "Spread": "workload",
    "Workload": "workload",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
