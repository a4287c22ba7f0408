"""The environment benchmark children run in: lepton as an installed lepton runs.

pip compiles a package's bytecode at install; an editable checkout caches it on first run. With
PYTHONDONTWRITEBYTECODE set and no cache yet, each lepton run would compile every module it
imports, a cost neither an installed lepton nor the raw engine's one-line script pays. So:
compile lepton's sources once, up front (into the ignored __pycache__ folders), and unset it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def installed_env() -> dict[str, str]:
    """This process's environment without PYTHONDONTWRITEBYTECODE, lepton's bytecode compiled."""
    import lepton_cli

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = str(Path(lepton_cli.__file__).parent)
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], env=env, check=True)
    return env
