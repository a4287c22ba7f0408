"""Turn a :class:`View` into table, YAML, JSON, Markdown or CSV output."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table as RichTable
from rich.text import Text

from lepton_cli.fileio import dump_json, dump_yaml
from lepton_cli.models.money import to_cents
from lepton_cli.report.html import Chart, render_html


class Format(StrEnum):
    TABLE = "table"
    YAML = "yaml"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"
    HTML = "html"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    right: frozenset[str] = frozenset()  # columns to right-align (numbers, money)


@dataclass
class View:
    """What a command shows: ``document`` for machines, ``tables`` and ``lines`` for people."""

    document: dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # a verdict / summary shown above the tables
    markdown_header: str = ""  # e.g. a hidden marker for sticky PR comments
    csv_table: int = 0  # which table CSV output carries
    charts: list[Chart] = field(default_factory=list)  # shown by --format html
    title: str = ""  # the HTML page's heading


def cell(value: Any, exact: bool = False) -> str:
    """Text for a table cell: money to the cent for people, exact for CSV."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f") if exact else f"{to_cents(value):,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _rich(view: View) -> RenderableType:
    parts: list[RenderableType] = [Text(line) for line in view.lines]
    for t in view.tables:
        table = RichTable(title=t.title, box=box.SIMPLE_HEAVY, title_justify="left")
        for col in t.columns:
            table.add_column(col, justify="right" if col in t.right else "left")
        for row in t.rows:
            table.add_row(*(cell(v) for v in row))
        parts.append(table)
    return Group(*parts)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(t: Table) -> str:
    head = "| " + " | ".join(t.columns) + " |"
    sep = "|" + "|".join("---:" if c in t.right else "---" for c in t.columns) + "|"
    body = ["| " + " | ".join(_md_escape(cell(v)) for v in row) + " |" for row in t.rows]
    return "\n".join([head, sep, *body])


def _markdown(view: View) -> str:
    out = [view.markdown_header] if view.markdown_header else []
    out += view.lines
    for t in view.tables:
        out += ["", f"**{t.title}**", "", markdown_table(t) if t.rows else "_none_"]
    return "\n".join(out).strip() + "\n"


def _csv(view: View) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if view.tables:
        t = view.tables[view.csv_table]
        writer.writerow(t.columns)
        writer.writerows([cell(v, exact=True) for v in row] for row in t.rows)
    return buf.getvalue()


_RENDERERS: dict[Format, Callable[[View], str | RenderableType]] = {
    Format.TABLE: _rich,
    Format.YAML: lambda v: dump_yaml(v.document),
    Format.JSON: lambda v: dump_json(v.document),
    Format.MARKDOWN: _markdown,
    Format.CSV: _csv,
    Format.HTML: render_html,
}


def render(view: View, fmt: Format) -> str | RenderableType:
    """Text for every format but ``table``, which gives a Rich renderable for the terminal."""
    return _RENDERERS[fmt](view)
