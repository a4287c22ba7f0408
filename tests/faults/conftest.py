"""Fault tests drive `lepton scan` through the fault proxy in front of each cloud's fake.

The fakes live with their provider tests; their folders are put on the path here so their
fixtures (moto, the Azure stub, the Google fake) are shared rather than copied.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
for cloud in ("aws", "azure", "gcp"):
    folder = str(HERE.parent / "providers" / cloud)
    if folder not in sys.path:
        sys.path.append(folder)

from aws_fake import aws, moto_server  # noqa: E402, F401 - fixtures
