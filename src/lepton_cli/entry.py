"""The console script: as little as possible before the interrupt handling is in place.

Importing the CLI (Typer, Rich, Pydantic) takes a moment; a Ctrl-C during it must still be
exit 130 with one word, not a traceback."""

from __future__ import annotations

import os
import sys

INTERRUPTED = 130  # ExitCode.INTERRUPTED, without importing anything


def main() -> None:
    """Console-script entry point (`lepton`)."""
    # lepton's models are its own: a Pydantic plugin installed beside it (found by scanning
    # every installed package's entry points, 25 ms of each start) is not loaded into them.
    # PYDANTIC_DISABLE_PLUGINS set to anything (even empty) is left as the user set it.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        from lepton_cli.cli.app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(INTERRUPTED)
    run()
