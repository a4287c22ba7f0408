"""The console script: as little as possible before the interrupt handling is in place.

Importing the CLI (Typer, Rich, Pydantic) takes a moment; a Ctrl-C during it must still be
exit 130 with one word, not a traceback."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # ExitCode.INTERRUPTED, without importing anything


def main() -> None:
    """Console-script entry point (`lepton`)."""
    try:
        from lepton_cli.cli.app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(INTERRUPTED)
    run()
