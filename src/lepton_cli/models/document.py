"""The base of every output document (``apiVersion: lepton/v1`` and a ``kind``).

A command's JSON and YAML output is its document's own serialisation, :meth:`Document.data`:
fields in declaration order, money as exact Decimals, ``None`` kept as null except in the
fields declared :data:`OMITTED_WHEN_NONE` (keys a document leaves out when they do not apply).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, model_serializer, model_validator
from pydantic_core.core_schema import SerializerFunctionWrapHandler

from lepton_cli.models.base import Model


def _is_none(value: object) -> bool:
    return value is None


def omitted_when_none() -> Any:
    """A field default: None, and the key left out of the document while it is None."""
    return Field(default=None, exclude_if=_is_none)


def data(model: BaseModel) -> dict[str, Any]:
    """``model`` as plain Python data for YAML and JSON (Decimals kept exact)."""
    return model.model_dump(mode="python", by_alias=True)


class Document(Model):
    """An output document: what `-f json` / `-f yaml` print, field for field."""

    api_version: Literal["lepton/v1"] = Field(default="lepton/v1", alias="apiVersion")

    def data(self) -> dict[str, Any]:
        return data(self)


class KeyedRow(Model):
    """A row of a grouped table: its group keys (``--by``) first, then the row's own fields.

    The keys are free-form names (``service``, ``tag:team``), so they are one mapping in the
    model and flat in the document: ``{"service": "EC2", "currency": "USD", ...}``.
    """

    keys: dict[str, str | None] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _gather_keys(cls, value: Any) -> Any:
        if not isinstance(value, Mapping) or "keys" in value:
            return value
        own = {n for name, f in cls.model_fields.items() for n in (name, f.alias) if n}
        keys = {k: v for k, v in value.items() if k not in own}
        return {**{k: v for k, v in value.items() if k in own}, "keys": keys}

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        keys = out.pop("keys", {})
        return {**keys, **out}
