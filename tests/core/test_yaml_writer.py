"""dump_yaml writes the bytes PyYAML's emitter writes (libyaml's where installed, as lepton
always has: it differs from the pure-Python one on astral characters), for any document."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import yaml

from lepton_cli.fileio import dump_yaml


class Colour(Enum):
    RED = "red"
    ODD = "a: b"


class _Reference(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """PyYAML's generic path with the representers lepton declares (Decimal, Enum)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    if "." not in text:
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


_Reference.add_representer(Decimal, _decimal)
_Reference.add_multi_representer(Enum, lambda d, v: d.represent_data(v.value))


def reference(data: Any) -> str:
    return yaml.dump(data, Dumper=_Reference, sort_keys=False, allow_unicode=True, width=100)


WORDS = [
    "plain",
    "m5.xlarge",
    "us-east-1",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "123",
    "1.5",
    "1e3",
    "0x1F",
    "2026-01-02",
    "",
    " lead",
    "trail ",
    "a: b",
    "a #b",
    "#x",
    "- x",
    "-x",
    "?x",
    ":x",
    "x:",
    "[x]",
    "{x}",
    "x,y",
    "it's",
    'say "hi"',
    "tab\there",
    "line\nbreak",
    "ünïcode",
    "café au lait",
    "<<",
    "=",
    "*star",
    "&amp",
    "!bang",
    "%pct",
    "@at",
    "`tick",
    "---",
    "...",
    "sha256:ab12",
    "a/b/c",
    "(x)",
    "$5",
    "x=y",
    "C++",
    "\x07bell",
    "nbsp\u00a0x",
    "emoji 🎉",
]


def _word(rng: random.Random) -> str:
    if rng.random() < 0.15:  # long text that wraps at the width, at any indent
        return " ".join(
            rng.choice(
                [
                    "nothing",
                    "->",
                    "1 x e2-standard-2",
                    "(gcp us-central1):",
                    "serves",
                    "1.601 vCPU",
                    "it's",
                    "ok",
                ]
            )
            for _ in range(40)
        )
    return rng.choice(WORDS)


def _scalar(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.45:
        return _word(rng)
    options = [
        None, True, False, 0, -7, 10**20, 1.5, -0.0, 1e-7, 3e20, 0.1, 1e16, 2.5e-300,
        float("nan"), float("inf"), -float("inf"), 123456789.125,
        Decimal("41.0260"), Decimal("-0.0000"), Decimal("1E+2"), Decimal("7"),
        Colour.RED, Colour.ODD, dt.date(2026, 1, 2),
        dt.datetime(2026, 12, 2, 4, 55, 25, tzinfo=dt.UTC),
    ]  # fmt: skip
    return rng.choice(options)


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 6 or roll < 0.5:
        return _scalar(rng)
    if roll < 0.75:
        return {(_word(rng) if rng.random() < 0.2 else f"k{i}"): _value(rng, depth + 1)
                for i in range(rng.randint(0, 4))}  # fmt: skip
    return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


@pytest.mark.parametrize("seed", range(300))
def test_random_documents_match_pyyaml(seed):
    rng = random.Random(seed)
    doc = {f"top{i}": _value(rng, 0) for i in range(rng.randint(1, 6))}
    assert dump_yaml(doc) == reference(doc)


def test_deep_nesting_and_odd_keys_match_pyyaml():
    deep: Any = "leaf with several words that go on and on past the width " * 3
    for i in range(60):
        deep = {f"level{i}": deep} if i % 2 else [deep]
    doc = {"deep": deep, 1: "int key", "k" * 130: "long key", None: [], "e": {}}
    assert dump_yaml(doc) == reference(doc)


@pytest.mark.parametrize("seed", range(20))
def test_any_ascii_text_is_plain_quoted_or_folded_as_pyyaml_does(seed):
    """Indicators, quotes, runs of spaces and text past the width, at several indents and as a
    key."""
    rng = random.Random(seed)
    alphabet = "ab  c:#-?'\"[]{},&*!|>%@`.1 0x~/\\é"
    for _ in range(100):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 2, 3, 20, 120, 250])))
        doc = {"k": text, "l": [text, {"m": text}], "n": {"o": [[text]]}, text: "as a key"}
        assert dump_yaml(doc) == reference(doc), repr(text)


@pytest.mark.parametrize("seed", range(5))
def test_a_large_document_is_written_in_two_processes_with_the_same_bytes(seed):
    """Above SPLIT_ITEMS top-level list items the first half is written by a forked child;
    wherever the cut falls (inside a list, at an entry's start, before odd keys) the bytes
    are PyYAML's."""
    from lepton_cli import fileio

    rng = random.Random(seed)
    lists = rng.randint(1, 3)
    doc: dict[Any, Any] = {"head": _value(rng, 0)}
    for i in range(lists):
        doc[f"list{i}"] = [_value(rng, 1) for _ in range(fileio.SPLIT_ITEMS // lists + 7)]
        doc[f"between{i}"] = _value(rng, 0)
    doc["an odd key: yes"] = [1, 2]
    cut = fileio._halfway(doc)
    assert cut is not None
    key, item = cut
    assert type(list(doc.values())[key]) is list and 0 <= item < len(list(doc.values())[key])
    assert dump_yaml(doc) == reference(doc)


@pytest.mark.parametrize("seed", range(40))
def test_any_cut_of_a_document_joins_back_to_the_whole(seed):
    from lepton_cli import fileio

    rng = random.Random(seed)
    doc = {f"top{i}": [_value(rng, 1) for _ in range(rng.randint(0, 5))] for i in range(4)}
    whole = reference(doc)
    for key in range(4):
        for item in range(len(doc[f"top{key}"]) + 1):
            cut = (key, item)
            assert fileio._part(doc, (0, 0), cut) + fileio._part(doc, cut, None) == whole
