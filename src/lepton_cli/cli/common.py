"""What every command shares: the consoles, settings, output and the --format option."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lepton_cli.config import Settings, load_settings
from lepton_cli.errors import UsageError
from lepton_cli.fileio import atomic_write
from lepton_cli.report import Format, View, render


@dataclass
class State:
    debug: bool = False
    config: Path | None = None
    quiet: bool = False


state = State()


def stdout() -> Console:
    # Created per call so the console follows sys.stdout (CliRunner swaps it).
    # Piped output is read by people in CI logs: give tables room instead of 80 columns.
    width = None if sys.stdout.isatty() else 160
    return Console(file=sys.stdout, soft_wrap=False, width=width)


def stderr() -> Console:
    return Console(file=sys.stderr, soft_wrap=True)  # never break a path or message


def select_engine(flag: str | None) -> None:
    """The billing engine: --engine, else LEPTON_ENGINE, else lepton.yaml, else duckdb
    (settings are read when a billing query first runs, not at start-up)."""
    from lepton_cli.billing import engines

    def resolve() -> engines.Engine:
        found = settings(engine=flag)
        return engines.engine_from(found.engine, found.spark, found.bigquery)

    engines.select_lazily(resolve)


def settings(**flags: Any) -> Settings:
    return load_settings(state.config, **flags)


def info(message: str) -> None:
    if not state.quiet:
        stderr().print(message, highlight=False)


@contextlib.contextmanager
def status(text: str) -> Iterator[Callable[[str], None]]:
    """A transient spinner line on stderr; yields a function that updates its text."""
    if state.quiet:
        yield lambda _text: None
        return
    with stderr().status(text) as spinner:
        yield lambda new: spinner.update(new)


def warn(message: str) -> None:
    stderr().print(f"[yellow]warning:[/] {message}", highlight=False)


def check_format(fmt: Format, allowed: tuple[Format, ...]) -> None:
    if fmt not in allowed:
        choices = "|".join(f.value for f in allowed)
        raise UsageError(f"--format {fmt.value} is not available here", hint=f"use {choices}")


def emit(view: View, fmt: Format) -> None:
    """Print a view to stdout in the chosen format."""
    out = render(view, fmt)
    if isinstance(out, str):
        sys.stdout.write(out)
        sys.stdout.flush()
    else:
        stdout().print(out)


def write_output(path: Path, text: str, what: str) -> None:
    atomic_write(path, text)
    info(f"wrote {what} to {path}")


def emit_or_write(view: View, fmt: Format, output: Path | None, what: str) -> None:
    """Print ``view``, or with ``-o`` write it to a file in a file format."""
    if output is None:
        emit(view, fmt)
        return
    text = render(view, fmt)
    if not isinstance(text, str):
        raise UsageError("-o needs a file format", hint="add --format markdown, json, yaml or csv")
    write_output(output, text, what)


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
SourceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--source",
        "-s",
        help="A lepton/v1 inventory (YAML/JSON) or a FOCUS export (CSV, CSV.gz, Parquet, or a "
        "folder of them). Repeatable.",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the result to this file (atomically).")
]
HistoryOption = Annotated[
    bool | None,
    typer.Option("--history/--no-history", help="Record this run's summary (lepton history)."),
]
