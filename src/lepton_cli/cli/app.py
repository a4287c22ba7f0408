"""The ``lepton`` Typer app: global options, command registration, errors -> exit codes."""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import sys
import traceback
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.text import Text
from typer.core import TyperGroup

from lepton_cli import __version__
from lepton_cli.cli import common
from lepton_cli.errors import ExitCode, LeptonError

GLOBAL_FLAGS = ("--debug", "--quiet", "-q")
"""Flags of the root command that may also be given after the subcommand (`lepton scan -q`)."""
PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for `yes | head -n 0`
COMMANDS: dict[str, str] = {
    "scan": "scan", "report": "report", "providers": "providers", "optimize": "optimize",
    "anomalies": "anomalies", "history": "history", "serve": "serve", "mcp": "serve",
    "apply": "apply", "plan": "plan", "catalog": "catalog", "budget": "budget",
    "commitments": "commitments",
}  # fmt: skip
"""Each command -> the ``lepton_cli.cli`` module whose ``register`` adds it, in the order
`lepton --help` lists them. A command's module (and what it imports: the optimizer's models,
the price catalog, the plan documents) loads only when that command is looked up, so that
`lepton report` does not pay for `lepton optimize` (tests/cli/test_app.py checks this table
against what the modules register)."""


class LazyCommands(MutableMapping[str, Any]):
    """A group's subcommands by name (click commands), each built from its module on first
    lookup. Iterating lists every name (help, suggestions for a typo) without loading any."""

    def __init__(self, loaded: Mapping[str, Any]) -> None:
        self._loaded = dict(loaded)

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded and name in COMMANDS:
            self._loaded.update(module_commands(COMMANDS[name]))
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._loaded if name not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(name not in COMMANDS for name in self._loaded)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._loaded


def module_commands(module: str) -> dict[str, Any]:
    """The click commands ``lepton_cli.cli.<module>`` registers, built as they would be on the
    root app (same markup and exception settings)."""
    sub = typer.Typer(
        rich_markup_mode=app.rich_markup_mode,
        pretty_exceptions_short=app.pretty_exceptions_short,
        suggest_commands=app.suggest_commands,
    )
    importlib.import_module(f"lepton_cli.cli.{module}").register(sub)
    return dict(typer.main.get_group(sub).commands)


class LeptonGroup(TyperGroup):
    """Turns every LeptonError into its message, hint and exit code (DESIGN.md, "Exit codes");
    loads each subcommand on first use (:data:`COMMANDS`)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_flags(args))

    def invoke(self, ctx: Any) -> Any:  # a typer Context
        _note_ctrl_c()
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except LeptonError as e:
            if common.state.interrupted or _interrupted(
                e
            ):  # e.g. DuckDB turned the Ctrl-C into its own error
                common.stderr().print("interrupted", highlight=False, markup=False)
                raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
            _report(e)
            raise typer.Exit(int(e.exit_code)) from None
        except KeyboardInterrupt:
            common.stderr().print("interrupted", highlight=False, markup=False)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(PIPE_CLOSED) from None
        except Exception as e:
            if common.state.interrupted:  # a library turned the Ctrl-C into its own error
                common.stderr().print("interrupted", highlight=False, markup=False)
                raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
            if common.state.debug:
                _debug_traceback(e)
            else:
                common.stderr().print(
                    Text.assemble(
                        ("internal error:", "red"),
                        f" {type(e).__name__}: {common.safe_text(str(e))}\n"
                        "This is a bug in lepton. Rerun with --debug for the traceback and "
                        "report it.",
                    ),
                    highlight=False,
                )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _note_ctrl_c() -> None:
    """Remember a Ctrl-C before raising KeyboardInterrupt as Python does: a library that
    catches it and fails another way (a native module import, DuckDB) still ends as exit 130."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # ignored (e.g. a background job), or someone else's handler

    def handler(_signum: int, _frame: object) -> None:
        common.state.interrupted = True
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGINT, handler)


def _interrupted(e: BaseException) -> bool:
    """Whether ``e`` was caused by a Ctrl-C (a library may wrap it, as DuckDB does)."""
    seen: list[BaseException] = []
    current: BaseException | None = e
    while current is not None and current not in seen:
        if isinstance(current, KeyboardInterrupt) or type(current).__name__ == "InterruptException":
            return True
        seen.append(current)
        current = current.__cause__ or current.__context__
    return False


def hoist_global_flags(args: list[str]) -> list[str]:
    """``[scan, -s, x, -q]`` -> ``[-q, scan, -s, x]``: root flags work after the subcommand too
    (but never after ``--``, where everything is an argument)."""
    end = args.index("--") if "--" in args else len(args)
    hoisted = [a for a in args[:end] if a in GLOBAL_FLAGS]
    rest = [a for a in args[:end] if a not in GLOBAL_FLAGS]
    return [*hoisted, *rest, *args[end:]]


def _quiet_stdout() -> None:
    """Point stdout at /dev/null: the reader is gone, and the flush at exit must not fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _report(e: LeptonError) -> None:
    common.state.error = e
    if common.state.debug:
        _debug_traceback(e)
    console = common.stderr()
    console.print(Text.assemble(("error:", "red"), " ", common.safe_text(e.message)))
    if e.hint:
        console.print(Text("To fix: " + common.safe_text(e.hint)), highlight=False)


def _debug_traceback(e: BaseException) -> None:
    """The traceback for --debug, with every chained cause, except that a pydantic
    ValidationError shows its errors without the input values (they may be secrets)."""
    chain: list[BaseException] = []
    current: BaseException | None = e
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = []
    for exc in reversed(chain):
        if isinstance(exc, ValidationError):
            errors = exc.errors(include_input=False, include_url=False)
            lines = [f"  {'.'.join(map(str, x['loc']))}: {x['msg']}" for x in errors]
            parts.append(f"{type(exc).__name__}: {exc.error_count()} error(s)\n" + "\n".join(lines))
        else:
            parts.append("".join(traceback.format_exception(exc, chain=False)).rstrip())
    caused = "\n\nThe above exception was the direct cause of the following exception:\n\n"
    sys.stderr.write(common.safe_text(caused.join(parts)) + "\n")


app = typer.Typer(
    cls=LeptonGroup,
    name="lepton",
    help="Multi-cloud FinOps: scan what you run, prove the cheapest fleet, review it as a plan.\n\n"
    "Example: lepton scan --source examples/acme/inventory.yaml",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lepton {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    config: Annotated[
        Path | None, typer.Option("--config", help="Use this lepton.yaml instead of searching.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Where billing queries run: duckdb (default, in-process), spark (local or "
            "Spark Connect, see `spark:` in lepton.yaml), bigquery, athena or trino (a table, "
            "see `bigquery:` / `athena:` / `trino:`). Also LEPTON_ENGINE / `engine:`. "
            "Example: lepton --engine spark report -s exports/ --by service,region",
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001 - handled by its eager callback
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    common.state.config = config
    common.state.debug = debug
    common.state.quiet = quiet
    common.state.env_checked = common.state.format_given = False  # per run (tests run many)
    common.state.interrupted = False
    common.select_engine(engine)


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="lepton")
    except KeyboardInterrupt:  # raised outside a command, e.g. while parsing
        sys.exit(int(ExitCode.INTERRUPTED))
    finally:
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.flush()
        # The command is over (its files written whole): a Ctrl-C while the interpreter shuts
        # down, which restores the default handler, would otherwise end it by the signal.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Nothing is left to collect that matters: without this, the interpreter's last
        # collection scans every object of the run (45 ms of each `lepton report`).
        gc.freeze()
