"""Fixtures for the gcp tests; the fakes themselves live in gcp_fake.py (a unique module
name: every test folder has a conftest, so `from conftest import` is ambiguous)."""

from gcp_fake import adc, google, no_adc, private_key_pem  # noqa: F401
