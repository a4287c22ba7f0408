"""Fixtures for the commitments tests (the fakes live in uniquely named modules)."""

from aws_commitments_fake import moto_url, offline_aws  # noqa: F401
