"""The ``azure:`` section of lepton.yaml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

ARM_URL = "https://management.azure.com"
RETAIL_PRICES_URL = "https://prices.azure.com/api/retail/prices"


class AzureConfig(BaseModel):
    """Where and how to read Azure. Every field is optional.

    ``subscriptions`` empty means every subscription the identity can read. ``base_url`` is the
    Resource Manager endpoint (another cloud, e.g. ``https://management.chinacloudapi.cn``, or a
    local server). TLS trust follows the standard ``REQUESTS_CA_BUNDLE`` variable.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    subscriptions: list[str] = Field(default_factory=list)
    tenant_id: str | None = None
    base_url: str = ARM_URL
    retail_prices_url: str = RETAIL_PRICES_URL
    max_retries: int = Field(default=4, ge=0, le=20)  # per request; 429s honour Retry-After
    # Cost Management allows only a few queries per scope a minute: space them out.
    cost_query_interval: float = Field(default=5.0, ge=0)
    # How many VMs one Azure Monitor call may return series for (the API's `top`).
    metrics_top: int = Field(default=1000, ge=1)

    @property
    def credential_scope(self) -> str:
        """The OAuth scope for ``base_url`` (``https://management.azure.com/.default``)."""
        return self.base_url.rstrip("/") + "/.default"
