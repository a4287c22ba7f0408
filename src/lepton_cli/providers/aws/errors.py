"""Turn botocore exceptions into lepton's typed errors, with the fix in the hint.

Messages name the account and region and never carry a credential.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    SSOError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from lepton_cli.errors import ProviderError

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


def describe(e: BaseException) -> tuple[str, str]:
    """(message, hint) for a failed scope: denied, throttled, not enabled or unreachable."""
    code = error_code(e)
    if code in DENIED_CODES:
        return f"access denied ({code})", IAM_HINT
    if code in THROTTLE_CODES:
        return f"throttled past the retry budget ({code})", (
            "rerun later, or lower max_workers in lepton.yaml to send fewer requests at once"
        )
    if code == "OptInRequired":
        return "the region is not enabled for this account", "enable it or drop it from aws.regions"
    if isinstance(e, EndpointConnectionError):
        return "endpoint unreachable", "check the network, proxy and AWS_ENDPOINT_URL settings"
    if isinstance(e, NoRegionError):
        return "no region configured", "set aws.regions in lepton.yaml or AWS_DEFAULT_REGION"
    if is_credential_error(e):
        return f"credentials rejected ({code})", login_hint(None)
    if isinstance(e, ClientError | BotoCoreError):
        return f"AWS error ({code})", "rerun with --debug for details"
    return f"{type(e).__name__}", "rerun with --debug for details"
