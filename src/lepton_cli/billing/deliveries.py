"""Count each export once: the latest delivery of a billing period wins.

Exports are delivered again and again: month-to-date snapshots (each one holding the whole
month so far), re-deliveries after a correction, the same file copied twice. Summing them all
counts the same charges several times. Every row belongs to a *key*: (provider, billing
account, billing period). For each key:

- the files holding it are grouped into **deliveries**: the parts of one export run (files in
  one folder whose names differ only by a part number: ``part_0_0001.csv``,
  ``part-00000-….parquet``, ``export-00001.csv.gz``) are one delivery; any other file is its
  own delivery;
- deliveries are taken latest first: the one whose charges reach furthest (latest
  ChargePeriodEnd), then the most recently modified, then the last by path;
- a delivery whose charge span for the key overlaps a delivery already taken is a version of the
  same data and is **superseded** (its rows of that key are not counted); a delivery with a
  disjoint span (daily incremental files, each holding other days) is other data and counts.

Files holding different keys (other accounts, other months, other providers) never affect each
other. What was superseded is reported, file by file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str | None, str | None, dt.datetime | None]  # provider, billing account, period

_PART = re.compile(r"part[-_]?\d+(?:[-_]\d+)*|(?<=[-_])\d{5}(?=[-_.])", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """What one file holds of one key: its charge span."""

    path: Path
    key: Key
    start: dt.datetime
    end: dt.datetime
    modified: float  # the file's mtime


@dataclass(frozen=True)
class Superseded:
    path: Path
    by: tuple[Path, ...]
    key: Key

    def describe(self) -> str:
        provider, account, period = self.key
        month = f"{period:%Y-%m}" if period else "(none)"
        newer = ", ".join(str(p) for p in self.by)
        return (
            f"{self.path}: superseded by {newer} for {provider or '(no provider)'} billing "
            f"account {account or '(none)'}, billing period {month} (a later delivery of the "
            "same charges; counted once)"
        )


@dataclass
class Delivery:
    spans: list[Span] = field(default_factory=list)

    @property
    def start(self) -> dt.datetime:
        return min(s.start for s in self.spans)

    @property
    def end(self) -> dt.datetime:
        return max(s.end for s in self.spans)

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(sorted({s.path for s in self.spans}))

    def recency(self) -> tuple[dt.datetime, float, str]:
        return (self.end, max(s.modified for s in self.spans), str(max(self.paths)))

    def overlaps(self, other: Delivery) -> bool:
        return self.start < other.end and other.start < self.end


def delivery_of(path: Path) -> tuple[Path, str]:
    """The delivery a file belongs to: its folder and its name with part numbers blanked."""
    name = _PART.sub("#", path.name)
    return (path.parent, name if name != path.name else f"\0{path.name}")


def supersede(spans: Iterable[Span]) -> list[Superseded]:
    """The (file, key) pairs not to count, each with the deliveries that replace it."""
    by_key: dict[Key, dict[tuple[Path, str], Delivery]] = {}
    for span in spans:
        deliveries = by_key.setdefault(span.key, {})
        deliveries.setdefault(delivery_of(span.path), Delivery()).spans.append(span)
    out: list[Superseded] = []
    for key, deliveries in by_key.items():
        out.extend(_losers(key, list(deliveries.values())))
    return sorted(out, key=lambda s: (str(s.path), str(s.key)))


def _losers(key: Key, deliveries: Sequence[Delivery]) -> list[Superseded]:
    taken: list[Delivery] = []
    out: list[Superseded] = []
    for delivery in sorted(deliveries, key=Delivery.recency, reverse=True):
        newer = [t for t in taken if t.overlaps(delivery)]
        if not newer:
            taken.append(delivery)
            continue
        by = tuple(p for t in newer for p in t.paths)
        out.extend(Superseded(p, by, key) for p in delivery.paths)
    return out
