"""The gcp provider: Compute Engine inventory and utilisation, billing-export costs and
Cloud Billing Catalog offerings. Google SDKs are imported lazily, inside the provider."""

from lepton_cli.providers.gcp.config import GcpConfig, GcpEndpoints
from lepton_cli.providers.gcp.provider import GcpProvider

__all__ = ["GcpConfig", "GcpEndpoints", "GcpProvider"]
