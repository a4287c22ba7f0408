"""Discount rates for new commitments: the catalog's, documented defaults, or a ``--rates`` file.

A discount d is the effective saving off on-demand over the term, upfront amortised: a
commitment worth v of on-demand per hour costs (1 − d)·v per hour, used or not.

- the catalog's ``reserved`` price (1-year, no upfront: AWS Standard RI, Azure reservation,
  GCP resource CUD) gives d = 1 − reserved / on-demand for the instance-scoped product of a
  type it lists, at 12 months and no upfront;
- every other (product, term, payment) takes :data:`DEFAULTS`: typical published discounts for
  general-purpose Linux compute, to be replaced by your own with ``--rates``;
- a ``--rates`` file replaces both for that run, and only the products it lists are
  considered::

      apiVersion: lepton/v1
      kind: CommitmentRates
      rates:
        - {product: aws.compute-savings-plan, term_months: 12, payment: no-upfront, discount: 0.27}
        - {product: aws.reserved-instance, term_months: 36, payment: all-upfront, discount: 0.62,
           region: us-east-1, family: m6i}     # region / family narrow a rate (optional)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from lepton_cli.commitments.model import Payment, Product
from lepton_cli.models.base import Model

_P = Product
_NO, _PART, _ALL = Payment.NO_UPFRONT, Payment.PARTIAL_UPFRONT, Payment.ALL_UPFRONT
DEFAULTS: dict[tuple[Product, int, Payment], float] = {
    (_P.AWS_RESERVED_INSTANCE, 12, _NO): 0.37,
    (_P.AWS_RESERVED_INSTANCE, 12, _PART): 0.40,
    (_P.AWS_RESERVED_INSTANCE, 12, _ALL): 0.42,
    (_P.AWS_RESERVED_INSTANCE, 36, _NO): 0.57,
    (_P.AWS_RESERVED_INSTANCE, 36, _PART): 0.60,
    (_P.AWS_RESERVED_INSTANCE, 36, _ALL): 0.62,
    (_P.AWS_EC2_INSTANCE_SAVINGS_PLAN, 12, _NO): 0.34,
    (_P.AWS_EC2_INSTANCE_SAVINGS_PLAN, 12, _PART): 0.37,
    (_P.AWS_EC2_INSTANCE_SAVINGS_PLAN, 12, _ALL): 0.39,
    (_P.AWS_EC2_INSTANCE_SAVINGS_PLAN, 36, _NO): 0.55,
    (_P.AWS_EC2_INSTANCE_SAVINGS_PLAN, 36, _PART): 0.58,
    (_P.AWS_EC2_INSTANCE_SAVINGS_PLAN, 36, _ALL): 0.60,
    (_P.AWS_COMPUTE_SAVINGS_PLAN, 12, _NO): 0.27,
    (_P.AWS_COMPUTE_SAVINGS_PLAN, 12, _PART): 0.30,
    (_P.AWS_COMPUTE_SAVINGS_PLAN, 12, _ALL): 0.32,
    (_P.AWS_COMPUTE_SAVINGS_PLAN, 36, _NO): 0.46,
    (_P.AWS_COMPUTE_SAVINGS_PLAN, 36, _PART): 0.50,
    (_P.AWS_COMPUTE_SAVINGS_PLAN, 36, _ALL): 0.52,
    (_P.AZURE_RESERVATION, 12, _NO): 0.38,
    (_P.AZURE_RESERVATION, 12, _ALL): 0.38,  # Azure charges the same paid monthly or upfront
    (_P.AZURE_RESERVATION, 36, _NO): 0.58,
    (_P.AZURE_RESERVATION, 36, _ALL): 0.58,
    (_P.AZURE_SAVINGS_PLAN, 12, _NO): 0.24,
    (_P.AZURE_SAVINGS_PLAN, 12, _ALL): 0.24,
    (_P.AZURE_SAVINGS_PLAN, 36, _NO): 0.45,
    (_P.AZURE_SAVINGS_PLAN, 36, _ALL): 0.45,
    (_P.GCP_RESOURCE_CUD, 12, _NO): 0.37,  # CUDs are billed monthly
    (_P.GCP_RESOURCE_CUD, 36, _NO): 0.55,
    (_P.GCP_FLEXIBLE_CUD, 12, _NO): 0.28,
    (_P.GCP_FLEXIBLE_CUD, 36, _NO): 0.46,
}
"""Default discounts off on-demand, general-purpose Linux (public price pages, 2025)."""

INSTANCE_SCOPED = {
    "aws": (_P.AWS_RESERVED_INSTANCE, _P.AWS_EC2_INSTANCE_SAVINGS_PLAN),
    "azure": (_P.AZURE_RESERVATION,),
    "gcp": (_P.GCP_RESOURCE_CUD,),
}
"""Products that cover one family in one region (the catalog's reserved price is for the first)."""
PROVIDER_SCOPED = {
    "aws": (_P.AWS_COMPUTE_SAVINGS_PLAN,),
    "azure": (_P.AZURE_SAVINGS_PLAN,),
    "gcp": (_P.GCP_FLEXIBLE_CUD,),
}
"""Products that cover any family and region of their provider."""


class Rate(Model):
    product: Product
    term_months: Literal[12, 36]
    payment: Payment = Payment.NO_UPFRONT
    discount: float = Field(gt=0, lt=1)
    region: str | None = None
    family: str | None = None

    def applies(self, region: str | None, family: str | None) -> bool:
        return (self.region is None or self.region == region) and (
            self.family is None or self.family == family
        )


class RatesDocument(Model):
    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")
    kind: Literal["CommitmentRates"] = "CommitmentRates"
    rates: list[Rate] = Field(min_length=1)


def default_rates() -> list[Rate]:
    return [
        Rate(product=p, term_months=t, payment=pay, discount=d)
        for (p, t, pay), d in DEFAULTS.items()
    ]


def load_rates(path: Path) -> list[Rate]:
    """A ``kind: CommitmentRates`` file; InputError naming the file and the bad key."""
    import yaml

    from lepton_cli.errors import InputError
    from lepton_cli.fileio import read_text, validate

    try:
        data = yaml.safe_load(read_text(path))
    except yaml.YAMLError as e:
        raise InputError(
            f"{path}: invalid YAML: {e}", hint="see `lepton commitments plan -h`"
        ) from e
    return list(validate(RatesDocument, data, str(path)).rates)


def select(
    rates: Sequence[Rate],
    terms: Sequence[int],
    payments: Sequence[Payment],
    region: str | None,
    family: str | None,
    products: Sequence[Product],
) -> list[Rate]:
    """The most specific rate per (product, term, payment) for one scope, among those allowed."""
    best: dict[tuple[Product, int, Payment], Rate] = {}
    for r in rates:
        if r.product not in products or r.term_months not in terms or r.payment not in payments:
            continue
        if not r.applies(region, family):
            continue
        key = (r.product, r.term_months, r.payment)
        specific = (r.region is not None) + (r.family is not None)
        current = best.get(key)
        if current is None or specific > (current.region is not None) + (
            current.family is not None
        ):
            best[key] = r
    return [best[k] for k in sorted(best, key=lambda k: (k[0].value, k[1], k[2].value))]
