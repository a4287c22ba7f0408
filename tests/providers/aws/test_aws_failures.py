"""A denied or throttled region, an unassumable role, bad credentials: reported, not fatal."""

from __future__ import annotations

import pytest
from estate import price_everything, run

from lepton_cli.errors import ExitCode, ProviderError
from lepton_cli.models import Period
from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.base import Scope

ROLE = "arn:aws:iam::{account}:role/lepton-read"


def ec2_fault(region, code, status):
    return lambda call: (status, code) if call.service == "ec2" and call.region == region else None


def test_denied_and_throttled_regions_are_reported_and_the_rest_delivered(aws, context):
    price_everything(aws, ["us-east-1"])
    kept = run(aws.client("ec2"), "m5.large")[0]
    aws.stubs.faults += [
        ec2_fault("eu-west-1", "UnauthorizedOperation", 403),
        ec2_fault("ap-south-1", "RequestLimitExceeded", 503),
    ]
    cfg = AwsConfig(regions=["us-east-1", "eu-west-1", "ap-south-1"])
    provider = AwsProvider(cfg, context)
    found = [r.id for r in provider.inventory(Scope(days=1))]
    assert kept in found
    failed = {f.scope: f for f in provider.failures}
    assert set(failed) == {
        "account 123456789012 / region eu-west-1",
        "account 123456789012 / region ap-south-1",
    }
    denied = failed["account 123456789012 / region eu-west-1"]
    assert "access denied" in denied.message and "docs/aws.md" in denied.hint
    throttled = failed["account 123456789012 / region ap-south-1"]
    assert "throttled" in throttled.message and throttled.provider == "aws"
    # adaptive retries tried again (AWS_MAX_ATTEMPTS=2) before giving up
    assert (
        aws.stubs.count("ec2") >= 2
        and sum(
            1
            for c in aws.stubs.calls
            if c.region == "ap-south-1" and c.operation == "DescribeInstances"
        )
        == 2
    )


def test_an_account_whose_role_cannot_be_assumed(aws, context):
    denied = "222222222222"
    aws.stubs.faults.append(
        lambda c: (
            (403, "AccessDenied")
            if c.operation == "AssumeRole" and denied.encode() in c.body
            else None
        )
    )
    ok = "111111111111"
    sts = aws.client("sts")
    creds = sts.assume_role(RoleArn=ROLE.format(account=ok), RoleSessionName="setup")["Credentials"]
    import boto3

    ec2 = boto3.client(
        "ec2",
        region_name="us-east-1",
        endpoint_url=aws.url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    iid = run(ec2, "t3.micro")[0]
    provider = AwsProvider(
        AwsConfig(accounts=[ok, denied], role_arn=ROLE, regions=["us-east-1"]), context
    )
    found = {r.id: r for r in provider.inventory(Scope(days=1))}
    assert found[iid].account == ok
    (failure,) = provider.failures
    assert failure.scope == f"account {denied}" and "cannot assume role" in failure.message
    assert ROLE in failure.hint


def test_scope_accounts_narrow_the_configured_ones(aws, context):
    cfg = AwsConfig(accounts=["111111111111", "333333333333"], role_arn=ROLE, regions=["us-east-1"])
    provider = AwsProvider(cfg, context)
    list(provider.inventory(Scope(accounts=("333333333333",), days=1)))
    assumed = [c for c in aws.stubs.calls if c.operation == "AssumeRole"]
    assert len(assumed) == 1 and b"333333333333" in assumed[0].body


def test_missing_credentials_exit_4_with_the_fix(aws, context, monkeypatch):
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(k)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ProviderError) as err:
        list(AwsProvider(AwsConfig(regions=["us-east-1"]), context).inventory(Scope()))
    assert err.value.exit_code == ExitCode.PROVIDER
    assert "not found" in err.value.message and "aws configure" in err.value.hint


def test_expired_sso_profile_says_run_sso_login(aws, context, tmp_path, monkeypatch):
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(k)
    (tmp_path / "aws-config").write_text(
        "[profile finops]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n"
    )
    monkeypatch.setenv("HOME", str(tmp_path))  # no SSO token cache to find
    with pytest.raises(ProviderError) as err:
        list(AwsProvider(AwsConfig(profiles=["finops"]), context).inventory(Scope()))
    assert "aws sso login --profile finops" in err.value.hint


def test_expired_token_is_a_provider_error(aws, context):
    aws.stubs.faults.append(
        lambda c: (403, "ExpiredToken") if c.operation == "GetCallerIdentity" else None
    )
    with pytest.raises(ProviderError, match="not usable") as err:
        list(AwsProvider(AwsConfig(regions=["us-east-1"]), context).inventory(Scope()))
    assert "testing" not in str(err.value)  # no credential in the message


def test_one_bad_profile_among_good_ones_is_a_failed_scope(aws, context, tmp_path):
    (tmp_path / "aws-credentials").write_text(
        "[good]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    provider = AwsProvider(AwsConfig(profiles=["good", "gone"], regions=["us-east-1"]), context)
    list(provider.inventory(Scope(days=1)))
    list(provider.costs(Period.month("2026-10")))  # a scan reads costs with the same accounts
    (failure,) = provider.failures  # reported once, not once per call
    assert failure.scope == "profile gone" and "aws sso login --profile gone" in failure.hint
    assert aws.stubs.count("sts", "GetCallerIdentity") == 1  # the good profile, checked once
    assert aws.stubs.count("ce", "GetCostAndUsage") >= 1


def test_default_regions_are_the_enabled_ones(aws, context):
    provider = AwsProvider(AwsConfig(), context)
    (account,) = provider.scanner.accounts()
    regions = provider.scanner.regions(account, ())
    assert {"us-east-1", "eu-west-1"} <= set(regions) and regions == sorted(regions)
    assert aws.stubs.count("ec2", "DescribeRegions") == 1
    assert provider.scanner.regions(account, ("ap-south-1",)) == ["ap-south-1"]


def test_denied_snapshots_and_addresses_keep_the_region(aws, context):
    price_everything(aws, ["us-east-1"])
    ec2 = aws.client("ec2")
    kept = run(ec2, "m5.large")[0]
    volume = ec2.create_volume(Size=20, VolumeType="gp3", AvailabilityZone="us-east-1a")
    denied = ("DescribeSnapshots", "DescribeAddresses")
    aws.stubs.faults.append(
        lambda c: (403, "UnauthorizedOperation") if c.operation in denied else None
    )
    provider = AwsProvider(AwsConfig(regions=["us-east-1"], snapshot_age_days=0), context)
    found = {r.id for r in provider.inventory(Scope(days=1))}
    assert {kept, volume["VolumeId"]} <= found
    assert sorted(f.scope for f in provider.failures) == [
        "account 123456789012 / region us-east-1 (addresses)",
        "account 123456789012 / region us-east-1 (snapshots)",
    ]
    assert all("access denied" in f.message for f in provider.failures)
