"""The offering list document (kind OfferingList): the catalog's offerings and their date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, field_serializer

from lepton_cli.models import Offering
from lepton_cli.models.document import Document


class OfferingList(Document):
    kind: Literal["OfferingList"] = "OfferingList"
    as_of: str  # the date the prices were read
    offerings: list[Offering] = Field(default_factory=list)

    @field_serializer("offerings")
    def _offerings(self, offerings: list[Offering]) -> list[dict[str, Any]]:
        """Each offering as in a catalog file: the fields it has (no nulls)."""
        return [o.model_dump(mode="python", exclude_none=True) for o in offerings]


def offering_list(as_of: str, offerings: Sequence[Offering]) -> OfferingList:
    return OfferingList(as_of=as_of, offerings=list(offerings))
