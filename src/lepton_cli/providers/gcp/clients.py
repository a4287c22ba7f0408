"""Credentials and API clients. Google SDKs are imported here, lazily, never at package import.

Every client uses the REST transport: it is the one that honours an ``http://`` api_endpoint
(a local server) as well as the public ``https://`` one, and Compute Engine only speaks REST.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lepton_cli.errors import ProviderError
from lepton_cli.providers.boundary import (
    Boundary,
    Timeouts,
    Verdict,
    parse_retry_after,
    preload,
    retrying,
)
from lepton_cli.providers.gcp.config import GcpConfig
from lepton_cli.providers.pool import within

T = TypeVar("T")

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
    timeouts: Timeouts = field(default_factory=Timeouts)
    _cache: dict[str, Any] = field(default_factory=dict)

    def call_options(self) -> dict[str, Any]:
        """Per-call options of every API call: the read timeout, and no SDK retry (lepton's
        own :func:`with_retries` retries throttling and 5xx, honouring Retry-After)."""
        return {"timeout": self.timeouts.read, "retry": None}

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


def connect(config: GcpConfig, timeouts: Timeouts | None = None) -> Clients:
    """Clients for ``config``, authenticated with Application Default Credentials whose token
    is fetched once, up front and within the deadline: credentials that cannot be used fail
    the run at once, with the fix, instead of once per project."""
    timeouts = timeouts or Timeouts()
    credentials, project = default_credentials()
    preload("google.auth.transport.requests")
    within(lambda: refresh(credentials, timeouts), timeouts.deadline)
    return Clients(config, credentials, project, timeouts)


def refresh(credentials: Any, timeouts: Timeouts) -> None:
    """Fetch a token now, with connect/read timeouts (google-auth's own default is 120 s)."""
    from google.auth import exceptions as aexc
    from google.auth.transport.requests import Request

    if credentials.valid:
        return

    class TimedRequest(Request):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = kwargs.get("timeout") or (timeouts.connect, timeouts.read)
            return super().__call__(*args, **kwargs)  # type: ignore[no-untyped-call]

    try:
        credentials.refresh(TimedRequest())
    except (aexc.RefreshError, aexc.TransportError, ValueError) as e:
        reason = _first_line(str(e.args[0])) if e.args else type(e).__name__
        raise ProviderError(
            f"gcp: the credentials could not get a token: {reason}", hint=LOGIN_HINT
        ) from e


RETRIED = (
    "TooManyRequests",
    "ServiceUnavailable",
    "InternalServerError",
    "BadGateway",
    "GatewayTimeout",
)


def verdict(error: BaseException) -> Verdict:
    """Throttling, 5xx and dropped connections are worth another try; Retry-After is read
    from the REST answer when there is one."""
    import requests

    name = type(error).__name__
    # A refused or reset connection is retried; a read timeout is not (the server was reached
    # and stalled: asking again would only spend the scope's deadline waiting once more).
    dropped = isinstance(error, requests.ConnectionError) and not isinstance(
        error, requests.ReadTimeout
    )
    retry = name in RETRIED or dropped
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    return Verdict(retry, parse_retry_after(headers.get("Retry-After")))


def with_retries(call: Callable[[], T], timeouts: Timeouts) -> Callable[[], T]:
    """``call`` retried with backoff and bounded by the scope's deadline."""
    return lambda: within(lambda: retrying(call, verdict, timeouts), timeouts.deadline)


def boundary() -> Boundary:
    """The GCP provider boundary: credentials that cannot get or use a token stop the run."""
    return Boundary("gcp", sdk_errors(), lambda e: (describe(e), hint_for(e)), fatal)


def fatal(error: BaseException) -> ProviderError | None:
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as aexc

    if isinstance(error, aexc.RefreshError | aexc.DefaultCredentialsError | gexc.Unauthorized):
        return ProviderError(f"gcp: credentials rejected: {describe(error)}", hint=LOGIN_HINT)
    return None


def describe(error: BaseException) -> str:
    """A one-line, secret-free description of an SDK error."""
    import requests
    from google.api_core import exceptions as gexc
    from google.protobuf import json_format

    if isinstance(error, gexc.GoogleAPICallError):
        status = getattr(error, "code", None)
        message = _first_line(str(error.message))
        return f"{status} {message}" if status else message
    if isinstance(error, json_format.Error | json.JSONDecodeError):
        return f"the answer could not be read ({type(error).__name__})"
    if isinstance(error, requests.Timeout):
        return f"no answer in time ({type(error).__name__})"
    if isinstance(error, requests.ConnectionError):
        return f"endpoint unreachable ({type(error).__name__})"
    return f"{type(error).__name__}: {_first_line(str(error))}"


def _first_line(text: str) -> str:
    """An error page's first line only (an HTML body says nothing more that helps)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:200]


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
    if isinstance(error, gexc.ServerError):
        return "Google answered with a server error past the retries: run again later"
    return _transport_hint(error)


def _transport_hint(error: BaseException) -> str | None:
    import requests
    from google.protobuf import json_format

    if isinstance(error, json_format.Error | json.JSONDecodeError):
        return "Google sent an error page or a garbled answer: run again later"
    if isinstance(error, requests.RequestException):
        return (
            "check the network and gcp.endpoints, or raise `timeout` in lepton.yaml "
            "(LEPTON_TIMEOUT, --timeout) if Google is just slow"
        )
    return None


def sdk_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a Google API call raises for a remote, network, parsing or credential
    problem: google-api-core's (HTTP and gRPC statuses), google-auth's, a raw grpc.RpcError,
    protobuf's ParseError on a garbled 200, requests' and urllib3's, and JSONDecodeError."""
    import grpc
    import requests
    import urllib3.exceptions
    from google.api_core.exceptions import GoogleAPIError
    from google.auth.exceptions import GoogleAuthError
    from google.protobuf import json_format

    return (
        GoogleAPIError,
        GoogleAuthError,
        grpc.RpcError,
        json_format.Error,
        requests.RequestException,
        urllib3.exceptions.HTTPError,
        json.JSONDecodeError,
    )
