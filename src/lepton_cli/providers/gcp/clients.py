"""Credentials and API clients. Google SDKs are imported here, lazily, never at package import.

Every client uses the REST transport: it is the one that honours an ``http://`` api_endpoint
(a local server) as well as the public ``https://`` one, and Compute Engine only speaks REST.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lepton_cli.errors import ProviderError
from lepton_cli.providers.gcp.config import GcpConfig

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
LOGIN_HINT = "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS"


def default_credentials() -> tuple[Any, str | None]:
    """Application Default Credentials and their project, or a ProviderError with the fix."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, project = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError as e:
        raise ProviderError("no Google Cloud credentials found", hint=LOGIN_HINT) from e
    return credentials, project


@dataclass
class Clients:
    """Lazily built API clients sharing one set of credentials."""

    config: GcpConfig
    credentials: Any
    default_project: str | None
    _cache: dict[str, Any] = field(default_factory=dict)

    def _options(self, endpoint: str | None) -> dict[str, str]:
        return {"api_endpoint": endpoint} if endpoint else {}

    def _gapic(self, key: str, cls: Any, endpoint: str | None) -> Any:
        if key not in self._cache:
            self._cache[key] = cls(
                credentials=self.credentials,
                transport="rest",
                client_options=self._options(endpoint),
            )
        return self._cache[key]

    def catalog(self) -> Any:
        from google.cloud import billing_v1

        return self._gapic("catalog", billing_v1.CloudCatalogClient, self.config.endpoints.billing)

    def billing(self) -> Any:
        from google.cloud import billing_v1

        return self._gapic("billing", billing_v1.CloudBillingClient, self.config.endpoints.billing)

    def compute(self, kind: str) -> Any:
        """A Compute Engine client: ``kind`` is instances, disks, addresses or machine_types."""
        from google.cloud import compute_v1

        classes = {
            "instances": compute_v1.InstancesClient,
            "disks": compute_v1.DisksClient,
            "addresses": compute_v1.AddressesClient,
            "machine_types": compute_v1.MachineTypesClient,
        }
        return self._gapic(f"compute.{kind}", classes[kind], self.config.endpoints.compute)

    def monitoring(self) -> Any:
        """The Cloud Monitoring client. This SDK speaks only gRPC for Monitoring, so an
        ``http://host:port`` endpoint (a local proxy or server) gets a plaintext-local channel
        that still carries the credentials; any other endpoint gets the usual TLS channel."""
        from google.cloud import monitoring_v3

        if "monitoring" not in self._cache:
            endpoint = self.config.endpoints.monitoring
            if endpoint and endpoint.startswith("http://"):
                self._cache["monitoring"] = monitoring_v3.MetricServiceClient(
                    transport=_local_grpc_transport(self.credentials, endpoint)
                )
            else:
                self._cache["monitoring"] = monitoring_v3.MetricServiceClient(
                    credentials=self.credentials, client_options=self._options(endpoint)
                )
        return self._cache["monitoring"]

    def bigquery(self, project: str) -> Any:
        from google.cloud import bigquery

        key = f"bigquery.{project}"
        if key not in self._cache:
            self._cache[key] = bigquery.Client(
                project=project,
                credentials=self.credentials,
                location=self.config.bigquery_location,
                client_options=self._options(self.config.endpoints.bigquery),
            )
        return self._cache[key]


def _local_grpc_transport(credentials: Any, endpoint: str) -> Any:
    """A Monitoring gRPC transport to a local ``http://`` endpoint, authorised by ``credentials``.

    gRPC only sends call credentials over a protected channel; local channel credentials
    count as protected for loopback connections, which is what an http endpoint must be.
    """
    import grpc
    from google.auth.transport import grpc as auth_grpc
    from google.auth.transport.requests import Request
    from google.cloud.monitoring_v3.services.metric_service.transports import (
        MetricServiceGrpcTransport,
    )

    channel = auth_grpc.secure_authorized_channel(  # type: ignore[no-untyped-call]
        credentials,
        Request(),
        endpoint.removeprefix("http://").rstrip("/"),
        ssl_credentials=grpc.local_channel_credentials(),
    )
    return MetricServiceGrpcTransport(channel=channel)


def connect(config: GcpConfig) -> Clients:
    """Clients for ``config``, authenticated with Application Default Credentials."""
    credentials, project = default_credentials()
    return Clients(config, credentials, project)


def describe(error: BaseException) -> str:
    """A one-line, secret-free description of an SDK error."""
    from google.api_core import exceptions as gexc

    if isinstance(error, gexc.GoogleAPICallError):
        status = getattr(error, "code", None)
        return f"{status} {error.message}" if status else str(error.message)
    return f"{type(error).__name__}: {error}"


def hint_for(error: BaseException) -> str | None:
    """How to fix a permission or credential error."""
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as aexc

    if isinstance(error, gexc.Forbidden | gexc.Unauthorized):  # 403 and 401, REST or gRPC
        return "check the roles in docs/gcp.md for this project, or " + LOGIN_HINT
    if isinstance(error, aexc.RefreshError | aexc.DefaultCredentialsError):
        return LOGIN_HINT
    if isinstance(error, gexc.TooManyRequests):
        return "the API quota was exhausted; retry later or lower max_workers"
    return None


def sdk_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a Google API call raises for a remote or credential problem."""
    import requests
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError

    return (GoogleAPIError, GoogleAuthError, requests.RequestException)
