"""Turning Azure SDK exceptions into lepton errors and per-subscription failures."""

from __future__ import annotations

from typing import Any

from lepton_cli.errors import ProviderError
from lepton_cli.providers.base import ScopeFailure

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


def is_auth_error(error: BaseException) -> bool:
    """True when no credential could give a token, or Azure rejected it (401)."""
    from azure.core.exceptions import ClientAuthenticationError

    return isinstance(error, ClientAuthenticationError)


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
    status = getattr(error, "status_code", None)
    code = getattr(getattr(error, "error", None), "code", None)
    reason = getattr(error, "reason", None)
    parts = [f"HTTP {status}" if status else type(error).__name__, code or reason]
    return " ".join(str(p) for p in parts if p)


def scope_failure(scope: str, error: BaseException) -> ScopeFailure:
    """The record of one subscription (or region) that could not be read."""
    status: Any = getattr(error, "status_code", None)
    return ScopeFailure("azure", scope, describe(error), ROLE_HINTS.get(status))
