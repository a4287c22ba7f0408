"""What every command shares: the consoles, settings, output and the --format option."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import os
import signal
import sys
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.text import Text

from lepton_cli.config import Settings, load_settings, unknown_env_vars
from lepton_cli.errors import LeptonError, UsageError
from lepton_cli.fileio import output_target, write_output_file
from lepton_cli.models.optimization import Solver
from lepton_cli.report import Format, View, render
from lepton_cli.report.render import safe_text as safe_text  # re-exported for cli/

if TYPE_CHECKING:
    from lepton_cli.optimizer.progress import Snapshot


@dataclass
class State:
    debug: bool = False
    config: Path | None = None
    quiet: bool = False
    error: LeptonError | None = None  # the error the command ended with (read by `lepton serve`)
    env_checked: bool = False
    format_given: bool = False
    interrupted: bool = False  # a Ctrl-C arrived during this run


state = State()


PIPED_WIDTH = 160  # piped output is read in CI logs: room for tables, unless COLUMNS says
SLOW_STAGE_SECONDS = 2.0  # stages slower than this are reported in non-interactive runs
PROGRESS_LINE_SECONDS = 10.0  # in CI logs, one line of a long stage's progress this often


def _piped_width() -> int:
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH


def stdout() -> Console:
    # Created per call so the console follows sys.stdout (CliRunner swaps it).
    width = None if sys.stdout.isatty() else _piped_width()
    return Console(file=sys.stdout, soft_wrap=False, width=width)


def stderr() -> Console:
    return Console(file=sys.stderr, soft_wrap=True)  # never break a path or message


def select_engine(flag: str | None) -> None:
    """The billing engine: --engine, else LEPTON_ENGINE, else lepton.yaml, else duckdb
    (settings are read when a billing query first runs, not at start-up)."""
    from lepton_cli.billing import engines

    def resolve() -> engines.Engine:
        found = settings(engine=flag)
        return engines.engine_from(
            found.engine,
            found.spark,
            found.bigquery,
            found.athena,
            cache_dir=found.cache_dir,
            trino=found.trino,
        )

    engines.select_lazily(resolve)


def settings(**flags: Any) -> Settings:
    if not state.env_checked:
        state.env_checked = True
        for name in unknown_env_vars():
            warn(f"{name} is not a lepton setting and is ignored (see README, Configuration)")
    return load_settings(state.config, _provider_names, **flags)


def _provider_names() -> Collection[str]:
    """The registered providers (asked only when lepton.yaml has a section no setting names)."""
    from lepton_cli.providers.registry import registry

    return registry().providers.keys()


def info(message: str) -> None:
    if not state.quiet:
        stderr().print(Text(safe_text(message)), highlight=False)


@contextlib.contextmanager
def status(text: str) -> Iterator[Callable[[str], None]]:
    """Progress on stderr, stage by stage; yields a function that starts the next stage.

    On a terminal: a live spinner line with the stage. Otherwise (CI logs): one line per stage
    that took longer than SLOW_STAGE_SECONDS, with its elapsed time. Nothing with -q."""
    if state.quiet:
        yield lambda _text: None
        return
    if not sys.stderr.isatty():
        with _stage_lines(text) as say:
            yield say
        return
    started = time.monotonic()
    with stderr().status(text) as spinner:
        yield lambda new: spinner.update(f"{new} ({time.monotonic() - started:.0f}s)")


@contextlib.contextmanager
def _stage_lines(first: str) -> Iterator[Callable[[str], None]]:
    names, starts = [first], [time.monotonic()]

    def done() -> None:
        took = time.monotonic() - starts[-1]
        if took >= SLOW_STAGE_SECONDS:
            stderr().print(Text(f"{safe_text(names[-1])}: {took:.1f}s"), highlight=False)

    def say(new: str) -> None:
        done()
        names.append(new)
        starts.append(time.monotonic())

    yield say
    done()


def progress_lines(say: Callable[[str], None]) -> Callable[[str], None]:
    """Updates within a stage: on a terminal each one is the spinner's text; in CI logs one
    line every PROGRESS_LINE_SECONDS at most (the stage's own line still comes at its end)."""
    if state.quiet:
        return lambda _text: None
    if sys.stderr.isatty():
        return say
    last = [time.monotonic()]

    def line(text: str) -> None:
        if time.monotonic() - last[0] >= PROGRESS_LINE_SECONDS:
            last[0] = time.monotonic()
            stderr().print(Text(safe_text(text)), highlight=False)

    return line


def describe_progress(snapshot: Snapshot) -> str:
    """``solving: 120 of 300 workloads, best 10,234.50, gap 1.20%`` (what is known of it)."""
    s = snapshot
    text = f"solving: {s.solved:,} of {s.total:,} workloads"
    if s.maximize and s.incumbent is not None:
        text = f"solving: budget search, best {s.incumbent:,.1f} perf-vCPUs"
    elif s.incumbent is not None:
        text += f", best {s.incumbent:,.2f}"
    gap = s.gap
    return text if gap is None else f"{text}, gap {gap:.2%}"


@contextlib.contextmanager
def progress_file(path: Path | None) -> Iterator[Callable[[Snapshot], None] | None]:
    """Snapshots as JSON lines appended to ``path`` (none without it). Each line is one
    ``write`` on an append-only descriptor; a reader takes what ends in a newline."""
    if path is None:
        yield None
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as e:
        raise UsageError(
            f"--progress-file {path}: cannot write it ({e.strerror})",
            hint="give a file in a writable folder",
        ) from e

    def write(snapshot: Snapshot) -> None:
        line = json.dumps(snapshot.as_dict(), separators=(",", ":")) + "\n"
        os.write(fd, line.encode())

    try:
        yield write
    finally:
        os.close(fd)


def solve_progress(
    say: Callable[[str], None], channel: Callable[[Snapshot], None] | None, exact: bool = True
) -> Callable[[Snapshot], None] | None:
    """What the optimizer tells as it runs: the stage line on stderr and ``channel``; None
    when nobody listens (-q and no channel). ``exact``: the solved problem is the planned one
    (not so with --max-changes, applied after: then its incumbent is no plan's, and only the
    counts and the bound, still valid, are told)."""
    if state.quiet and channel is None:
        return None
    show = progress_lines(say)

    def tell(snapshot: Snapshot) -> None:
        if not exact:
            snapshot = dataclasses.replace(snapshot, incumbent=None)
        show(describe_progress(snapshot))
        if channel is not None:
            channel(snapshot)

    return tell


def warn(message: str) -> None:
    stderr().print(Text.assemble(("warning:", "yellow"), " ", safe_text(message)), highlight=False)


def number_check(
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> Callable[[typer.Context, typer.CallbackParam, float | None], float | None]:
    """A Typer option callback: the value must be finite and within the bounds, else exit 2
    naming the flag (click's own ranges let NaN and infinity through)."""
    bounds = [(gt, ">", float.__gt__), (ge, ">=", float.__ge__), (lt, "<", float.__lt__)]
    bounds.append((le, "<=", float.__le__))
    wanted = " and ".join(f"{op} {b:g}" for b, op, _ in bounds if b is not None)

    def check(
        _ctx: typer.Context, _param: typer.CallbackParam, value: float | None
    ) -> float | None:
        if value is None:
            return None
        ok = math.isfinite(value) and all(f(value, b) for b, _, f in bounds if b is not None)
        if not ok:
            need = f"a finite number {wanted}" if wanted else "a finite number"
            raise typer.BadParameter(f"{value:g} is not allowed: give {need}")
        return value

    return check


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


STDOUT = Path("-")

EXTENSIONS = {
    ".yaml": Format.YAML,
    ".yml": Format.YAML,
    ".json": Format.JSON,
    ".md": Format.MARKDOWN,
    ".markdown": Format.MARKDOWN,
    ".csv": Format.CSV,
    ".txt": Format.TABLE,
    ".html": Format.HTML,
    ".htm": Format.HTML,
}


def _note_format(ctx: typer.Context, param: typer.CallbackParam, value: Format) -> Format:
    """--format's callback: remember whether it was given (else -o goes by the extension)."""
    source = ctx.get_parameter_source(param.name or "")
    # By name: typer may bring its own copy of click, whose enum is not click's.
    state.format_given = source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")
    return value


def file_format(fmt: Format, output: Path) -> Format:
    """The format of an ``-o`` file, the same on every command: ``--format`` when given, else
    the file's extension (.yaml/.yml, .json, .md, .csv, .txt for the table as text)."""
    if state.format_given or output == STDOUT:
        return fmt
    by_extension = EXTENSIONS.get(output.suffix.lower())
    if by_extension is None:
        raise UsageError(
            f"-o {output}: cannot tell the format from the name",
            hint="add --format yaml|json|markdown|csv|html, or name the file .yaml, .json, .md, "
            ".csv or .html",
        )
    return by_extension


def as_text(out: str | RenderableType) -> str:
    """A rendering as file text: Rich tables drawn without colour at the piped width."""
    if isinstance(out, str):
        return out
    buffer = io.StringIO()
    Console(file=buffer, width=_piped_width(), no_color=True, color_system=None).print(out)
    return buffer.getvalue()


def check_output(output: Path | None, fmt: Format) -> Format | None:
    """Before any work: the ``-o`` target is writable and its format known (or None)."""
    if output is None:
        return None
    if output != STDOUT:
        output_target(output)
    return file_format(fmt, output)


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold SIGINT until the block is done; then it is delivered (KeyboardInterrupt, exit 130)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def check_solver(name: str | None) -> None:
    """A missing or broken solver library is an install problem with its fix, found before
    the inputs are read (not an AttributeError deep inside PuLP)."""
    chosen = name or "highs"
    if chosen == "greedy":
        return
    try:
        with _ctrl_c_deferred():  # a Ctrl-C inside a native import breaks the module for good
            import pulp

            import lepton_cli.optimizer.milp  # noqa: F401 - drops what PuLP keeps of this frame

            if chosen == "highs":
                import highspy

                highspy.Highs  # noqa: B018 - a broken install lacks it
            elif not pulp.PULP_CBC_CMD(msg=False).available():
                raise ImportError("PuLP's bundled CBC binary is missing")
    except (ImportError, AttributeError, OSError) as e:
        package = "highspy" if chosen == "highs" else "pulp"
        raise UsageError(
            f"the {chosen} solver is not usable: {e}",
            hint=f"reinstall it: pip install --force-reinstall {package}; "
            f"or choose another with --solver {'|'.join(Solver)}",
        ) from e


def write_output(path: Path, text: str, what: str) -> None:
    if path == STDOUT:  # `-o -`, as other tools take it
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_output_file(path, text)
    info(f"wrote {what} to {path}")


def emit_beside(view: View, fmt: Format, output: Path | None) -> None:
    """Print ``view`` after ``-o`` wrote a file (a command whose file holds something else, or
    a summary): not when the format is HTML, whose page is in the file, for a browser."""
    if output is None or fmt is not Format.HTML:
        emit(view, fmt)


def emit_or_write(view: View, fmt: Format, output: Path | None, what: str) -> None:
    """Print ``view``, or with ``-o`` write it to that file (format: -f, else the extension)."""
    if output is None:
        emit(view, fmt)
        return
    file_fmt = check_output(output, fmt) or fmt
    write_output(output, as_text(render(view, file_fmt)), what)


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format", "-f", help="Output format.", case_sensitive=False, callback=_note_format
    ),
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
WideOption = Annotated[
    bool,
    typer.Option("--wide", help="Every table in full, long text (reasons) included."),
]
HistoryOption = Annotated[
    bool | None,
    typer.Option("--history/--no-history", help="Record this run's summary (lepton history)."),
]
