"""The ``lepton`` Typer app: global options, command registration, errors -> exit codes."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from lepton_cli import __version__
from lepton_cli.cli import (
    anomalies,
    budget,
    catalog,
    common,
    history,
    optimize,
    plan,
    providers,
    report,
    scan,
)
from lepton_cli.errors import ExitCode, LeptonError


class LeptonGroup(TyperGroup):
    """Turns every LeptonError into its message, hint and exit code (DESIGN.md, "Exit codes")."""

    def invoke(self, ctx: Any) -> Any:  # a typer Context
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except LeptonError as e:
            _report(e)
            raise typer.Exit(int(e.exit_code)) from None
        except KeyboardInterrupt:
            common.stderr().print("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as e:
            if common.state.debug:
                traceback.print_exc()
            else:
                common.stderr().print(
                    f"[red]internal error:[/] {type(e).__name__}: {e}\n"
                    "This is a bug in lepton. Rerun with --debug for the traceback and report it.",
                    highlight=False,
                )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


def _report(e: LeptonError) -> None:
    if common.state.debug:
        traceback.print_exc()
    console = common.stderr()
    console.print(f"[red]error:[/] {e.message}", highlight=False, markup=True)
    if e.hint:
        console.print(f"To fix: {e.hint}", highlight=False)


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
            help="Where billing queries run: duckdb (default, in-process) or spark (local or "
            "Spark Connect, see `spark:` in lepton.yaml). Also LEPTON_ENGINE / `engine:`. "
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
    common.select_engine(engine)


for _module in (scan, report, providers, optimize, plan, catalog, budget, anomalies, history):
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name="lepton")
    except KeyboardInterrupt:  # raised outside a command, e.g. while parsing
        sys.exit(int(ExitCode.INTERRUPTED))
