"""Turn botocore exceptions into lepton's typed errors, with the fix in the hint.

Messages name the account and region and never carry a credential.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.parsers import ResponseParserError

from lepton_cli.errors import ProviderError
from lepton_cli.providers.boundary import Boundary

# What a boto3 call raises for a remote, network or parsing problem: the whole BotoCoreError
# family (timeouts, connection errors, missing credentials), ClientError for an AWS error
# answer, ResponseParserError (a plain Exception in botocore.parsers, not a BotoCoreError) for
# an answer that is not XML/JSON/CBOR, and JSONDecodeError for a garbled Pricing PriceList item.
SDK_ERRORS: tuple[type[BaseException], ...] = (
    BotoCoreError,
    ClientError,
    ResponseParserError,
    json.JSONDecodeError,
)

EXPIRED_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "RequestExpired",
    }
)
# Codes that mean the (already verified) credentials stopped working mid-run: every scope would
# fail the same way. AuthFailure is not among them: EC2 answers it in a region the account has
# not opted in to, which is that region's failure only.
STOPPED_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "RequestExpired",
    }
)
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
)
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "LimitExceededException",
    }
)

IAM_HINT = "grant the read-only policy in docs/aws.md to the identity lepton uses"


def login_hint(profile: str | None) -> str:
    """How to get working credentials again."""
    if profile:
        return (
            f"run `aws sso login --profile {profile}` (or refresh the keys of profile "
            f"{profile!r} in ~/.aws/credentials)"
        )
    return (
        "configure credentials: run `aws configure`, `aws sso login --profile NAME` and set "
        "AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
    )


def error_code(e: BaseException) -> str:
    """The AWS error code of a ClientError, else the exception's class name."""
    if isinstance(e, ClientError):
        return str(e.response.get("Error", {}).get("Code", "ClientError"))
    return type(e).__name__


def is_credential_error(e: BaseException) -> bool:
    """True when the credentials themselves are missing, expired or invalid."""
    local = (
        NoCredentialsError,
        PartialCredentialsError,
        ProfileNotFound,
        SSOError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )
    return isinstance(e, local) or error_code(e) in EXPIRED_CODES


def credential_error(e: BaseException, profile: str | None) -> ProviderError:
    """A ProviderError (exit 4) for credentials that cannot be used."""
    who = f"profile {profile!r}" if profile else "the default credential chain"
    what = "not found" if isinstance(e, NoCredentialsError | ProfileNotFound) else "not usable"
    return ProviderError(
        f"aws: credentials from {who} are {what} ({error_code(e)})", hint=login_hint(profile)
    )


def stopped_credentials(e: BaseException, profile: str | None = None) -> ProviderError | None:
    """The run-stopping error for credentials that expired or became invalid during a scan."""
    local = (
        NoCredentialsError,
        PartialCredentialsError,
        SSOError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )
    if isinstance(e, local) or error_code(e) in STOPPED_CODES:
        return credential_error(e, profile)
    return None


def boundary(profile: str | None = None) -> Boundary:
    """The AWS provider boundary (credentials of ``profile`` when it names one)."""
    return Boundary("aws", SDK_ERRORS, describe, lambda e: stopped_credentials(e, profile))


def error_page_is_status(response_dict: dict[str, Any], **_: Any) -> None:
    """botocore ``before-parse`` hook: a 5xx whose body is an HTML error page (a proxy's, a
    load balancer's) is treated as the bare status it is. botocore recognises only bodies that
    start with ``<html>``; any other page fails to parse, and a parse error is never retried,
    while a bare 5xx is a ClientError that the retry policy retries."""
    body = response_dict.get("body") or b""
    head = body[:256].lstrip().lower() if isinstance(body, bytes) else b""
    if response_dict.get("status_code", 0) >= 500 and head.startswith((b"<!doctype", b"<html")):
        response_dict["body"] = b""


def _transport(e: BaseException) -> tuple[str, str] | None:
    """(message, hint) for timeouts, unreachable endpoints and unreadable answers."""
    if isinstance(e, ConnectTimeoutError | ReadTimeoutError | ConnectionClosedError):
        return f"no answer in time ({type(e).__name__})", (
            "the endpoint is slow or unreachable: check the network, or raise `timeout` in "
            "lepton.yaml (LEPTON_TIMEOUT, --timeout)"
        )
    if isinstance(e, EndpointConnectionError):
        return "endpoint unreachable", "check the network, proxy and AWS_ENDPOINT_URL settings"
    if isinstance(e, ResponseParserError | json.JSONDecodeError):
        return f"the answer could not be read ({type(e).__name__})", (
            "AWS sent an error page or a garbled answer: run again later"
        )
    return None


def describe(e: BaseException) -> tuple[str, str]:
    """(message, hint) for a failed scope: denied, throttled, not enabled or unreachable."""
    transport = _transport(e)
    if transport:
        return transport
    code = error_code(e)
    if code in DENIED_CODES:
        return f"access denied ({code})", IAM_HINT
    if code in THROTTLE_CODES:
        return f"throttled past the retry budget ({code})", (
            "rerun later, or lower max_workers in lepton.yaml to send fewer requests at once"
        )
    if code == "OptInRequired":
        return "the region is not enabled for this account", "enable it or drop it from aws.regions"
    if isinstance(e, NoRegionError):
        return "no region configured", "set aws.regions in lepton.yaml or AWS_DEFAULT_REGION"
    if is_credential_error(e):
        return f"credentials rejected ({code})", login_hint(None)
    status = (
        e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if isinstance(e, ClientError)
        else 0
    )
    if status >= 500:
        return f"server error past the retries (HTTP {status}, {code})", (
            "AWS (or a proxy in front of it) kept failing: run again later"
        )
    if isinstance(e, ClientError | BotoCoreError):
        return f"AWS error ({code})", "rerun with --debug for details"
    return f"{type(e).__name__}", "rerun with --debug for details"
