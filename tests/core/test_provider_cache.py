"""The providers' shared on-disk cache: hits, staleness, torn files, --no-cache, the pool."""

from __future__ import annotations

import datetime as dt
import os
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from lepton_cli.diskcache import DiskCache, cache_key
from lepton_cli.models import Period, Resource
from lepton_cli.models.period import midnight
from lepton_cli.providers.base import ProviderContext, Scope
from lepton_cli.providers.pool import pool_map
from lepton_cli.providers.scope import in_scope


def _context(tmp_path: Path, **kw: object) -> ProviderContext:
    return ProviderContext(cache_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_a_fresh_entry_is_a_hit_under_the_provider_folder(tmp_path: Path) -> None:
    cache = DiskCache.of(_context(tmp_path), "aws")
    cache.put("ce", "k", {"pages": [1, 2]})
    assert DiskCache.of(_context(tmp_path), "aws").get("ce", "k") == {"pages": [1, 2]}
    assert (tmp_path / "aws" / "ce" / "k.json").is_file()
    assert [p.name for p in (tmp_path / "aws" / "ce").iterdir()] == ["k.json"]  # no temp left


def test_an_empty_namespace_is_the_provider_folder_itself(tmp_path: Path) -> None:
    DiskCache.of(_context(tmp_path), "gcp").put("", "book", [1])
    assert (tmp_path / "gcp" / "book.json").is_file()
    assert DiskCache.of(_context(tmp_path), "gcp").get("", "book") == [1]


def test_dates_and_decimals_are_stored_as_text(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, ttl_seconds=60)
    cache.put("ns", "k", [{"day": dt.date(2026, 10, 1), "cost": Decimal("1.10")}])
    assert cache.get("ns", "k") == [{"day": "2026-10-01", "cost": "1.10"}]


def test_a_stale_entry_is_a_miss(tmp_path: Path) -> None:
    DiskCache(tmp_path, ttl_seconds=60).put("ns", "k", {"a": 1})
    os.utime(tmp_path / "ns" / "k.json", (0, 0))
    assert DiskCache(tmp_path, ttl_seconds=60).get("ns", "k") is None
    assert DiskCache(tmp_path, ttl_seconds=10**12).get("ns", "k") == {"a": 1}


def test_a_zero_ttl_never_hits(tmp_path: Path) -> None:
    cache = DiskCache.of(_context(tmp_path, cache_ttl_seconds=0), "azure")
    cache.put("ns", "k", {"a": 1})
    assert cache.get("ns", "k") is None


@pytest.mark.parametrize(
    "raw", [b'{"torn', b"\xff\xfe not utf-8", b""], ids=["torn", "bytes", "empty"]
)
def test_a_torn_or_foreign_file_is_a_miss(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "ns" / "k.json"
    path.parent.mkdir()
    path.write_bytes(raw)
    assert DiskCache(tmp_path, ttl_seconds=60).get("ns", "k") is None


def test_a_folder_where_the_entry_should_be_is_a_miss(tmp_path: Path) -> None:
    (tmp_path / "ns" / "k.json").mkdir(parents=True)
    assert DiskCache(tmp_path, ttl_seconds=60).get("ns", "k") is None


def test_no_cache_misses_but_still_stores(tmp_path: Path) -> None:
    DiskCache(tmp_path, ttl_seconds=60).put("ns", "k", {"old": True})
    bypass = DiskCache.of(_context(tmp_path, use_cache=False), "")
    assert bypass.get("ns", "k") is None
    bypass.put("ns", "k", {"new": True})
    assert bypass.get("ns", "k") is None
    assert DiskCache(tmp_path, ttl_seconds=60).get("ns", "k") == {"new": True}


def test_keys_are_stable_and_order_free() -> None:
    assert cache_key("a", {"x": 1, "y": 2}) == cache_key("a", {"y": 2, "x": 1})
    assert cache_key("a", {"x": 1}) != cache_key("b", {"x": 1})
    assert len(cache_key(dt.date(2026, 1, 1))) == 32 and cache_key("a").isalnum()


def test_pool_keeps_input_order_and_bounds_the_threads() -> None:
    running, peak, lock = [0], [0], threading.Lock()
    gate = threading.Barrier(2)

    def work(n: int) -> int:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        if n < 2:
            gate.wait(timeout=10)  # the first two run together: the pool really is parallel
        with lock:
            running[0] -= 1
        return n * n

    assert pool_map(work, list(range(8)), 2) == [n * n for n in range(8)]
    assert peak[0] == 2


def test_pool_reraises_the_first_error_in_input_order() -> None:
    def work(n: int) -> int:
        if n in (2, 3):
            raise ValueError(f"item {n}")
        return n

    with pytest.raises(ValueError, match="item 2"):
        pool_map(work, [0, 1, 2, 3], 4)
    with pytest.raises(ValueError, match="item 3"):
        pool_map(work, [3], 4)  # a single item runs inline and raises the same way
    assert pool_map(work, [], 4) == []


def test_midnight_is_naive_unless_given_a_zone() -> None:
    assert midnight(dt.date(2026, 10, 1)) == dt.datetime(2026, 10, 1)
    assert midnight(dt.date(2026, 10, 1), dt.UTC).tzinfo is dt.UTC
    assert Period.month("2026-10").start == midnight(dt.date(2026, 10, 1)).date()


def test_in_scope_filters_by_account_and_region() -> None:
    r = Resource(id="i-1", provider="aws", account="111", region="eu-west-1", type="t3.micro")
    assert in_scope(r, Scope())
    assert in_scope(r, Scope(accounts=("111",), regions=("eu-west-1", "us-east-1")))
    assert not in_scope(r, Scope(accounts=("222",)))
    assert not in_scope(r, Scope(regions=("us-east-1",)))
