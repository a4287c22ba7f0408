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
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
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
    keep: frozenset[str] = frozenset()  # columns never wrapped or cut (ids), besides `right`
    optional: tuple[str, ...] = ()  # left out of a narrow terminal's table, first ones first


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
    table_tables: list[Table] | None = None  # the terminal's tables, when narrower than `tables`


_BIDI = {*range(0x202A, 0x202F), *range(0x2066, 0x206A)}  # text direction overrides


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if ch in "\n\t":
        return ch
    if code < 0x20 or 0x7F <= code < 0xA0:
        return f"\\x{code:02x}"
    if code in _BIDI:
        return f"\\u{code:04x}"
    return ch


def safe_text(text: str) -> str:
    """``text`` with control characters (ANSI and OSC escapes, C1 controls, bidi overrides)
    shown as escapes, so text from inputs cannot move the cursor, retitle the terminal or hide
    itself. Newlines and tabs stay."""
    if text.isprintable():
        return text
    return "".join(_escape_char(ch) for ch in text)


def _one_line(text: str) -> str:
    return safe_text(text).replace("\n", " ").replace("\t", " ")


def cell(value: Any, exact: bool = False) -> str:
    """Text for a table cell: money to the cent for people, exact for CSV."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f") if exact else f"{to_cents(value):,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


MIN_WRAPPED_WIDTH = 8  # a column that wraps keeps at least this many characters a line


def _widest(t: Table, col: str) -> int:
    i = t.columns.index(col)
    return max([len(col), *(len(cell(row[i])) for row in t.rows)])


class _FitTable:
    """A table that fits the terminal: ids, types and money (``keep`` and ``right`` columns)
    are never cut; other columns wrap; when even that does not fit, the table's ``optional``
    columns are left out, in order (``--wide`` / CSV / JSON still have them)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        t = self.table
        shown = list(t.columns)
        for col in t.optional:
            if _least_width(t, shown) <= options.max_width:
                break
            shown.remove(col)
        yield _rich_table(t, shown)


def _least_width(t: Table, shown: list[str]) -> int:
    """The narrowest the table can be without cutting: whole ids and money, and for the other
    columns their longest word (Rich wraps at spaces)."""
    total = 0
    for col in shown:
        i = t.columns.index(col)
        texts = [col, *(cell(row[i]) for row in t.rows)]
        if col in t.right or col in t.keep:
            total += max(len(x) for x in texts)
        else:
            longest = max((len(w) for x in texts for w in x.split()), default=0)
            total += max(longest, min(MIN_WRAPPED_WIDTH, _widest(t, col)))
    return total + 2 * (len(shown) - 1) + 1  # a space each side between columns


def _rich_table(t: Table, shown: list[str]) -> RichTable:
    table = RichTable(
        title=Text(_one_line(t.title)), box=box.SIMPLE_HEAVY, title_justify="left", pad_edge=False
    )
    for col in shown:
        whole = col in t.right or col in t.keep
        table.add_column(
            Text(_one_line(col)),
            justify="right" if col in t.right else "left",
            no_wrap=whole,
            overflow="fold",
            min_width=None if whole else min(MIN_WRAPPED_WIDTH, _widest(t, col)),
        )
    index = [t.columns.index(c) for c in shown]
    for row in t.rows:
        table.add_row(*(Text(_one_line(cell(row[i]))) for i in index))
    return table


def _rich(view: View) -> RenderableType:
    """Every string becomes a Text: input such as ``i-1[/]`` is never read as Rich markup."""
    parts: list[RenderableType] = [Text(safe_text(line)) for line in view.lines]
    tables = view.tables if view.table_tables is None else view.table_tables
    parts += [_FitTable(t) for t in tables]
    return Group(*parts)


def _md_escape(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


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
