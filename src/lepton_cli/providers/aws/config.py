"""The ``aws:`` section of lepton.yaml (plain pydantic: importing it loads no boto3)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_ACCOUNT = re.compile(r"^\d{12}$")

# Current-generation families priced for `lepton catalog refresh` even when none is in use.
DEFAULT_FAMILIES = (
    *("t3", "m5", "m6i", "m7i", "m7g", "c5", "c6i", "c7g", "r5", "r6i", "r7g"),
    *("g5", "g6", "g6e", "p4d", "p5"),  # the accelerated families of the bundled catalog
)


class AwsConfig(BaseModel):
    """Where and how to read AWS.

    Credentials come from boto3's own chain (env, profiles, SSO, instance roles). ``profiles``
    scans each named profile's account; ``accounts`` with a ``role_arn`` template assumes
    ``role_arn.format(account=...)`` in each account from the source credentials
    (``source_profile`` or the default chain). ``regions`` empty means every region enabled for
    the account (``ec2:DescribeRegions``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    profiles: list[str] = Field(default_factory=list)
    source_profile: str | None = None
    accounts: list[str] = Field(default_factory=list)
    role_arn: str | None = None  # e.g. "arn:aws:iam::{account}:role/lepton-read"
    external_id: str | None = Field(default=None, repr=False)
    role_session_name: str = "lepton"
    regions: list[str] = Field(default_factory=list)
    snapshot_age_days: int = Field(default=90, ge=0)
    metric_period_seconds: int = Field(default=3600, ge=60, multiple_of=60)
    memory_metrics: bool = True  # CloudWatch agent's CWAgent mem_used_percent, where it exists
    cost_granularity: Literal["DAILY", "MONTHLY"] = "DAILY"
    cost_by_resource: bool = False  # GetCostAndUsageWithResources (last 14 days, opt-in in CE)
    offering_families: list[str] = Field(default_factory=lambda: list(DEFAULT_FAMILIES))

    @model_validator(mode="after")
    def _check_accounts(self) -> AwsConfig:
        bad = [a for a in self.accounts if not _ACCOUNT.match(a)]
        if bad:
            raise ValueError(f"accounts must be 12-digit ids (quote them in YAML): {bad}")
        if self.accounts and (not self.role_arn or "{account}" not in self.role_arn):
            raise ValueError(
                "accounts need role_arn with an {account} placeholder, e.g. "
                '"arn:aws:iam::{account}:role/lepton-read"'
            )
        if self.cost_by_resource and self.cost_granularity != "DAILY":
            raise ValueError("cost_by_resource needs cost_granularity: DAILY")
        return self
