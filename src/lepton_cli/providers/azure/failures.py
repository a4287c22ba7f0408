"""Turning Azure SDK exceptions into lepton errors and per-subscription failures."""

from __future__ import annotations

import json

from lepton_cli.errors import ProviderError
from lepton_cli.providers.boundary import Boundary

LOGIN_HINT = (
    "run `az login` (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a "
    "service principal, or run where a managed identity is assigned)"
)
ROLE_HINTS = {
    401: "Azure rejected the token for this subscription: check that it belongs to the tenant "
    "the identity signs in to (azure.tenant_id), or run `az login` again",
    403: "grant the identity Reader, Cost Management Reader and Monitoring Reader on it "
    "(see docs/azure.md)",
    429: "Azure throttled the requests past the retry budget: wait a minute and run again "
    "(answers are cached), or raise azure.max_retries",
}


NETWORK_HINT = (
    "check the network and azure.base_url, or raise `timeout` in lepton.yaml "
    "(LEPTON_TIMEOUT, --timeout) if Azure is just slow"
)
UNREADABLE_HINT = "Azure sent an error page or a garbled answer: run again later"


def sdk_errors() -> tuple[type[BaseException], ...]:
    """What an Azure SDK call raises for a remote, network or parsing problem: the AzureError
    family (HttpResponseError and its DecodeError, ServiceRequestError, ServiceResponseError
    and their timeouts), DeserializationError (a ValueError in azure-core, not an AzureError)
    and JSONDecodeError for a garbled Retail Prices page."""
    from azure.core.exceptions import AzureError, DeserializationError

    return (AzureError, DeserializationError, json.JSONDecodeError)


def boundary() -> Boundary:
    """The Azure provider boundary: no usable credential at all stops the run."""
    return Boundary(
        "azure",
        sdk_errors(),
        lambda e: (describe(e), hint_for(e)),
        lambda e: credentials_error(e) if is_credential_error(e) else None,
    )


def hint_for(error: BaseException) -> str | None:
    """How to fix a failed scope: roles, throttling, the network, or nothing but retrying."""
    from azure.core.exceptions import (
        DecodeError,
        DeserializationError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(error, DecodeError | DeserializationError | json.JSONDecodeError):
        return UNREADABLE_HINT
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return NETWORK_HINT
    return ROLE_HINTS.get(getattr(error, "status_code", None) or 0)


def is_credential_error(error: BaseException) -> bool:
    """True when no credential could give a token at all: fatal for every subscription.

    azure-identity raises CredentialUnavailableError, or (DefaultAzureCredential, once every
    credential in its chain failed) a ClientAuthenticationError carrying no HTTP response.
    A 401 that Resource Manager answered for one subscription carries its response, and is
    that subscription's failure only.
    """
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import CredentialUnavailableError

    if isinstance(error, CredentialUnavailableError):
        return True
    return isinstance(error, ClientAuthenticationError) and error.response is None


def credentials_error(error: BaseException) -> ProviderError:
    """The fatal error for missing or rejected credentials (the SDK text may name env vars only)."""
    status = getattr(error, "status_code", None)
    what = "were rejected (HTTP 401)" if status == 401 else "are missing or unusable"
    return ProviderError(f"azure: credentials {what}", hint=LOGIN_HINT)


def describe(error: BaseException) -> str:
    """A short, secret-free description of an SDK error: status and Azure error code."""
    from azure.core.exceptions import (
        DecodeError,
        DeserializationError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(error, DecodeError | DeserializationError | json.JSONDecodeError):
        return f"the answer could not be read ({type(error).__name__})"
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return f"no answer ({type(error).__name__})"
    status = getattr(error, "status_code", None)
    code = getattr(getattr(error, "error", None), "code", None)
    reason = getattr(error, "reason", None)
    parts = [f"HTTP {status}" if status else type(error).__name__, code or reason]
    return " ".join(str(p) for p in parts if p)
