"""The local clouds apply runs against (fixtures imported so every test here can use them)."""

from aws_strict import front, moto_url
from azure_fake import arm
from gcp_apply_fake import gce

__all__ = ["arm", "front", "gce", "moto_url"]
