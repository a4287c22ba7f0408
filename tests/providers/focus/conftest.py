"""Fixtures writing small FOCUS exports into tmp_path."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from focus_fixtures import COLUMNS, focus_text

WriteFocus = Callable[..., Path]


@pytest.fixture
def write_focus(tmp_path: Path) -> WriteFocus:
    """Write a FOCUS CSV (``.csv.gz`` is gzip-compressed) and return its path."""

    def write(
        name: str,
        rows: Sequence[dict[str, Any]],
        columns: Sequence[str] = COLUMNS,
        *,
        bom: bool = False,
        newline: str = "\n",
    ) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = (("\ufeff" if bom else "") + focus_text(rows, columns, newline=newline)).encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    return write
