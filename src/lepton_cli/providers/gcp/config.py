"""The ``gcp:`` section of lepton.yaml."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# project.dataset.table. A table name cannot be a query parameter, so it is checked here against
# the characters BigQuery allows (project ids may carry a legacy ``domain:`` prefix).
TABLE_PATTERN = re.compile(
    r"^(?:[a-z][a-z0-9.-]{0,62}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
    r"\.[A-Za-z0-9_]{1,1024}\.[A-Za-z0-9_]{1,1024}$"
)
PROJECT_PATTERN = re.compile(r"^(?:[a-z][a-z0-9.-]{0,62}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
BILLING_ACCOUNT_PATTERN = re.compile(r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$")
DEFAULT_MAX_BYTES_BILLED = 50 * 1024**3  # 50 GiB: years of a mid-size resource-level export


class GcpEndpoints(BaseModel):
    """API endpoints, for a private service connect address or a local test server.

    Each is passed to its client as ``client_options.api_endpoint``; a value may keep its
    ``http://`` or ``https://`` scheme.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    compute: str | None = None
    monitoring: str | None = None
    billing: str | None = None  # Cloud Billing and the Cloud Billing Catalog
    bigquery: str | None = None


class GcpConfig(BaseModel):
    """Where lepton reads Google Cloud: projects, the billing account and its BigQuery export."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    projects: list[str] = Field(default_factory=list)
    billing_account: str | None = None  # 012345-6789AB-CDEF01
    billing_export_table: str | None = None  # project.dataset.gcp_billing_export[_resource]_v1_X
    resource_level_export: bool | None = None  # None: inferred from the table name
    query_project: str | None = None  # project billed for the query job (default: the table's)
    bigquery_location: str | None = None  # the export dataset's location, e.g. US or EU
    # BigQuery bills a query by the bytes it scans: a query that would bill more is refused.
    max_bytes_billed: int | None = Field(default=DEFAULT_MAX_BYTES_BILLED, gt=0)  # None: no cap
    endpoints: GcpEndpoints = Field(default_factory=GcpEndpoints)

    @field_validator("projects")
    @classmethod
    def _valid_projects(cls, value: list[str]) -> list[str]:
        for project in value:
            if not PROJECT_PATTERN.match(project):
                raise ValueError(f"{project!r} is not a GCP project id (e.g. my-project-123)")
        return value

    @field_validator("billing_account")
    @classmethod
    def _valid_billing_account(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.removeprefix("billingAccounts/")
        if not BILLING_ACCOUNT_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a billing account id (e.g. 012345-6789AB-CDEF01)")
        return value

    @field_validator("billing_export_table")
    @classmethod
    def _valid_table(cls, value: str | None) -> str | None:
        if value is not None and not TABLE_PATTERN.match(value):
            raise ValueError(
                f"{value!r} is not a BigQuery table name: give project.dataset.table, "
                "e.g. my-project.billing.gcp_billing_export_v1_012345_6789AB_CDEF01"
            )
        return value

    @property
    def resource_level(self) -> bool:
        """Whether the export carries resource names (the detailed, resource-level export)."""
        if self.resource_level_export is not None:
            return self.resource_level_export
        return "gcp_billing_export_resource_v1" in (self.billing_export_table or "")
