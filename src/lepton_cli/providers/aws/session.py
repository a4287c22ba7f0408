"""Credentials, accounts and regions: who lepton reads as, and where.

Endpoints come only from boto3's own configuration (``AWS_ENDPOINT_URL``,
``AWS_ENDPOINT_URL_<SERVICE>``, ``endpoint_url`` in ~/.aws/config); there is no endpoint code here.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from lepton_cli.errors import ProviderError
from lepton_cli.providers.aws.config import AwsConfig
from lepton_cli.providers.aws.errors import (
    SDK_ERRORS,
    credential_error,
    describe,
    error_page_is_status,
    is_credential_error,
)
from lepton_cli.providers.base import ScopeFailure
from lepton_cli.providers.boundary import Timeouts

GLOBAL_REGION = "us-east-1"  # Cost Explorer, Pricing, Savings Plans and STS answer here


def client_config(timeouts: Timeouts) -> Config:
    """Standard retries: exponential backoff with jitter on throttling, 5xx and transient
    connection errors (AWS_MAX_ATTEMPTS, boto3's own setting, still sets the budget); every
    call gets connect and read timeouts derived from the ``timeout`` setting.

    Not ``adaptive``: its client-side rate limiter (documented as experimental) made two
    throttles cost 4.0 s instead of 1.7 s, and one throttled region slowed the calls of the
    others sharing the client; the per-scope deadline bounds a scope either way."""
    return Config(
        retries={"mode": "standard"},
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        user_agent_extra="lepton",
    )


@dataclass(frozen=True)
class Account:
    """One AWS account lepton reads, with the credentials to read it (never printed)."""

    id: str
    via: str  # "profile X", "role arn:...", "default credentials"
    credentials: tuple[str, str, str | None] = field(repr=False)
    timeouts: Timeouts = field(default_factory=Timeouts, compare=False)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def client(self, service: str, region: str) -> Any:
        """A client for ``service`` in ``region``, made once and shared: boto3 clients are
        thread-safe, but creating them from one session is not, hence the lock."""
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                client = self._session().client(
                    service, region_name=region, config=client_config(self.timeouts)
                )
                client.meta.events.register("before-parse", error_page_is_status)
                self._clients[key] = client
            return self._clients[key]

    def _session(self) -> boto3.Session:
        if ("", "") not in self._clients:
            key, secret, token = self.credentials
            self._clients["", ""] = boto3.Session(
                aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token
            )
        session: boto3.Session = self._clients["", ""]
        return session


def _frozen(session: boto3.Session) -> tuple[str, str, str | None]:
    creds = session.get_credentials()
    if creds is None:
        raise NoCredentialsError()
    frozen = creds.get_frozen_credentials()
    return (frozen.access_key, frozen.secret_key, frozen.token)


def _from_session(
    session: boto3.Session, via: str, profile: str | None, timeouts: Timeouts
) -> Account:
    """The account behind a session, checked with sts:GetCallerIdentity."""
    try:
        credentials = _frozen(session)
        sts = session.client("sts", region_name=GLOBAL_REGION, config=client_config(timeouts))
        sts.meta.events.register("before-parse", error_page_is_status)
        account_id = sts.get_caller_identity()["Account"]
    except SDK_ERRORS as e:
        if is_credential_error(e):
            raise credential_error(e, profile) from e
        message, hint = describe(e)
        raise ProviderError(f"aws: cannot read the identity of {via}: {message}", hint) from e
    return Account(id=str(account_id), via=via, credentials=credentials, timeouts=timeouts)


def profile_of(account: Account) -> str | None:
    """The profile an account was read with (for the `aws sso login --profile` hint)."""
    return account.via.removeprefix("profile ") if account.via.startswith("profile ") else None


def _session(profile: str | None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile)
    except BotoCoreError as e:
        raise credential_error(e, profile) from e


def _assume(source: Account, account_id: str, cfg: AwsConfig) -> Account:
    """Assume ``cfg.role_arn`` in ``account_id`` from the source account's credentials."""
    arn = (cfg.role_arn or "").format(account=account_id)  # AwsConfig requires role_arn
    extra = {"ExternalId": cfg.external_id} if cfg.external_id else {}
    sts = source.client("sts", GLOBAL_REGION)
    got = sts.assume_role(RoleArn=arn, RoleSessionName=cfg.role_session_name, **extra)
    c = got["Credentials"]
    creds = (c["AccessKeyId"], c["SecretAccessKey"], c.get("SessionToken"))
    return Account(id=account_id, via=f"role {arn}", credentials=creds, timeouts=source.timeouts)


def _profile_accounts(
    cfg: AwsConfig, failures: list[ScopeFailure], timeouts: Timeouts
) -> list[Account]:
    """One account per profile; a profile whose credentials fail is a failed scope."""
    accounts: list[Account] = []
    errors: list[ProviderError] = []
    for profile in cfg.profiles:
        try:
            session = _session(profile)
            accounts.append(_from_session(session, f"profile {profile}", profile, timeouts))
        except ProviderError as e:
            errors.append(e)
            failures.append(ScopeFailure("aws", f"profile {profile}", e.message, e.hint))
    if not accounts and errors:
        raise errors[0]
    return accounts


def _role_accounts(
    source: Account, cfg: AwsConfig, wanted: Sequence[str], failures: list[ScopeFailure]
) -> list[Account]:
    accounts: list[Account] = []
    for account_id in [a for a in cfg.accounts if not wanted or a in wanted]:
        try:
            accounts.append(_assume(source, account_id, cfg))
        except SDK_ERRORS as e:
            if is_credential_error(e) and not isinstance(e, ClientError):
                raise credential_error(e, cfg.source_profile) from e
            message, _ = describe(e)
            hint = (
                f"check that {cfg.role_arn} exists in account {account_id} and trusts "
                f"account {source.id}, and that the caller may sts:AssumeRole it"
            )
            failures.append(
                ScopeFailure("aws", f"account {account_id}", f"cannot assume role: {message}", hint)
            )
    return accounts


def resolve_accounts(
    cfg: AwsConfig,
    wanted: Sequence[str],
    failures: list[ScopeFailure],
    timeouts: Timeouts | None = None,
) -> list[Account]:
    """The accounts to read. Missing or expired base credentials raise ProviderError (exit 4);
    a profile or role that fails among others is appended to ``failures``."""
    timeouts = timeouts or Timeouts()
    if cfg.profiles:
        found = _profile_accounts(cfg, failures, timeouts)
        return [a for a in found if not wanted or a.id in wanted]
    via = f"profile {cfg.source_profile}" if cfg.source_profile else "default credentials"
    source = _from_session(_session(cfg.source_profile), via, cfg.source_profile, timeouts)
    if cfg.accounts:
        return _role_accounts(source, cfg, wanted, failures)
    return [source] if not wanted or source.id in wanted else []


def enabled_regions(account: Account) -> list[str]:
    """Every region enabled for the account (opted-in or not requiring opt-in)."""
    ec2 = account.client("ec2", GLOBAL_REGION)
    regions = ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(r["RegionName"] for r in regions)
