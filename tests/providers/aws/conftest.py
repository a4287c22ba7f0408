"""Fixtures for the aws tests; the fakes themselves live in aws_fake.py (a unique module
name: every test folder has a conftest, so `from conftest import` is ambiguous)."""

from aws_fake import aws, aws_module, context, moto_server  # noqa: F401
