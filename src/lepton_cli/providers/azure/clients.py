"""Credentials and SDK clients, built lazily so that importing lepton imports no Azure package."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from lepton_cli.providers.azure.config import AzureConfig
from lepton_cli.providers.azure.normalize import text
from lepton_cli.providers.boundary import Timeouts

_QUIET = logging.NullHandler()


def retry_policy(config: AzureConfig, timeouts: Timeouts) -> Any:
    """azure-core's RetryPolicy (429, 408, 5xx and connection errors, with backoff), but a
    server's Retry-After is honoured only up to the cap (azure-core waits any Retry-After,
    an hour included), and no operation retries past the scope's deadline."""
    from azure.core.pipeline.policies import RetryPolicy

    class CappedRetryPolicy(RetryPolicy):  # type: ignore[type-arg]
        def get_retry_after(self, response: Any) -> float | None:
            asked = super().get_retry_after(response)
            return None if asked is None else min(asked, timeouts.retry_after_cap)

    return CappedRetryPolicy(
        retry_total=config.max_retries,
        retry_backoff_max=int(max(1, timeouts.retry_after_cap)),
        timeout=int(max(1, timeouts.deadline)),
    )


class TenantCredential:
    """Asks the wrapped credential for tokens of one tenant (``azure.tenant_id``).

    DefaultAzureCredential refuses a ``tenant_id`` argument but honours one per token request,
    which also reaches the Azure CLI credential (``az account get-access-token --tenant``).
    """

    def __init__(self, inner: Any, tenant_id: str) -> None:
        self.inner = inner
        self.tenant_id = tenant_id

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs.setdefault("tenant_id", self.tenant_id)
        return self.inner.get_token(*scopes, **kwargs)


class AzureClients:
    """One credential shared by every client; ARM clients point at ``config.base_url``."""

    def __init__(self, config: AzureConfig, timeouts: Timeouts | None = None) -> None:
        self.config = config
        self.timeouts = timeouts or Timeouts()

    def _transport_options(self) -> dict[str, Any]:
        """Connect and read timeouts of every request (azure-core's RequestsTransport)."""
        return {
            "connection_timeout": self.timeouts.connect,
            "read_timeout": self.timeouts.read,
        }

    @cached_property
    def credential(self) -> Any:
        from azure.identity import DefaultAzureCredential

        # azure-identity logs each failed credential as a WARNING; with no handler configured
        # Python would print them to stderr. lepton reports the failure itself (with a hint), so
        # keep them quiet unless the application configures logging (e.g. --debug).
        logging.getLogger("azure").addHandler(_QUIET)
        credential = DefaultAzureCredential(**self._transport_options())
        return (
            TenantCredential(credential, self.config.tenant_id)
            if self.config.tenant_id
            else credential
        )

    def _options(self) -> dict[str, Any]:
        return {
            "base_url": self.config.base_url,
            "credential_scopes": [self.config.credential_scope],
            "retry_policy": retry_policy(self.config, self.timeouts),
            **self._transport_options(),
        }

    def subscription_ids(self) -> list[str]:
        """Every enabled subscription the identity can read."""
        try:
            from azure.mgmt.resource.subscriptions import SubscriptionClient
        except ImportError:  # azure-mgmt-resource < 24 still ships it in the main package
            from azure.mgmt.resource import SubscriptionClient  # type: ignore[attr-defined,no-redef]

        client = SubscriptionClient(self.credential, **self._options())
        subs = client.subscriptions.list()
        enabled = (s for s in subs if text(s.state or "Enabled") == "Enabled")
        return sorted(str(s.subscription_id) for s in enabled)

    def compute(self, subscription: str) -> Any:
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(self.credential, subscription, **self._options())

    def network(self, subscription: str) -> Any:
        from azure.mgmt.network import NetworkManagementClient

        return NetworkManagementClient(self.credential, subscription, **self._options())

    def monitor(self, subscription: str) -> Any:
        from azure.mgmt.monitor import MonitorManagementClient

        return MonitorManagementClient(self.credential, subscription, **self._options())

    @cached_property
    def cost_management(self) -> Any:
        from azure.mgmt.costmanagement import CostManagementClient

        return CostManagementClient(self.credential, **self._options())

    @cached_property
    def public(self) -> Any:
        """An unauthenticated client for the public Retail Prices API, with 429 retries."""
        from azure.core import PipelineClient
        from azure.core.pipeline.policies import HeadersPolicy, UserAgentPolicy
        from azure.core.pipeline.transport import RequestsTransport

        policies = [
            HeadersPolicy({"Accept": "application/json"}),
            UserAgentPolicy("lepton-cli"),
            retry_policy(self.config, self.timeouts),
        ]
        transport = RequestsTransport(**self._transport_options())
        return PipelineClient(self.config.retail_prices_url, policies=policies, transport=transport)
