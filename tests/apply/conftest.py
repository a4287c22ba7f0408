"""The local clouds apply runs against (fixtures imported so every test here can use them)."""

from aws_strict import front, moto_url
from azure_fake import arm

__all__ = ["arm", "front", "moto_url"]
