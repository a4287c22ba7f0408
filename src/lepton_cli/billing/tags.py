"""FOCUS Tags: one JSON object per row (MAPs and key/value lists arrive here as JSON text too).

One parser for every command, so that ``report --by tag:KEY`` and ``scan`` accept and refuse
exactly the same cells. A key given twice keeps its last value (as JSON parsers do) and is
reported, so the caller can warn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache


class TagError(ValueError):
    """A Tags cell that is not a JSON object."""


@dataclass(frozen=True)
class Tags:
    values: dict[str, str]
    duplicates: tuple[str, ...] = field(default=())  # keys given more than once


class _Object(list[tuple[str, object]]):
    """A JSON object as its (key, value) pairs in order, duplicates kept."""


def _plain(value: object) -> object:
    if isinstance(value, _Object):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _value(value: object) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(_plain(value))


def _pairs(pairs: _Object) -> Tags:
    values: dict[str, str] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in values and key not in duplicates:
            duplicates.append(key)
        values[key] = _value(value)
    return Tags(values, tuple(duplicates))


@lru_cache(maxsize=65536)
def read_tags(text: str | None) -> Tags:
    """A Tags cell as strings; TagError when it is not a JSON object."""
    if not text:
        return Tags({})
    try:
        value = json.loads(text, object_pairs_hook=_Object)
    except json.JSONDecodeError as e:
        raise TagError(f"{_short(text)} is not a JSON object: {e.msg}") from e
    if not isinstance(value, _Object):
        raise TagError(f'{_short(text)} is not a JSON object like {{"team": "payments"}}')
    return _pairs(value)


def parse_tags(text: str | None) -> dict[str, str]:
    """The tags of a cell, last duplicate winning."""
    return dict(read_tags(text).values)


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")
