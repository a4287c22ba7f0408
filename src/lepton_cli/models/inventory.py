"""The lepton/v1 inventory document (DESIGN.md, "The inventory file")."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from lepton_cli.models.base import Currency, Model
from lepton_cli.models.offering import Offering
from lepton_cli.models.resource import Resource
from lepton_cli.models.workload import Workload

API_VERSION = "lepton/v1"


class OfferingsMode(StrEnum):
    EXTEND = "extend"
    REPLACE = "replace"


class Inventory(Model):
    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")
    kind: Literal["Inventory"] = "Inventory"
    currency: Currency = "USD"
    resources: list[Resource] = Field(default_factory=list)
    workloads: list[Workload] = Field(default_factory=list)
    offerings_mode: OfferingsMode = OfferingsMode.EXTEND
    offerings: list[Offering] = Field(default_factory=list)

    def merged(self, other: Inventory) -> Inventory:
        """Both inventories in one (resources, workloads and offerings concatenated); an empty
        inventory takes the other's currency. Callers check currencies match first."""
        empty = not (self.resources or self.offerings)
        return self.model_copy(
            update={
                "currency": other.currency if empty else self.currency,
                "resources": [*self.resources, *other.resources],
                "workloads": [*self.workloads, *other.workloads],
                "offerings": [*self.offerings, *other.offerings],
                "offerings_mode": (
                    OfferingsMode.REPLACE
                    if OfferingsMode.REPLACE in (self.offerings_mode, other.offerings_mode)
                    else OfferingsMode.EXTEND
                ),
            }
        )
