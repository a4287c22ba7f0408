"""The ``--notify`` options shared by alerting commands, and posting their alerts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from lepton_cli.cli import common
from lepton_cli.config import Settings

NotifyOption = Annotated[
    str | None,
    typer.Option(
        "--notify",
        metavar="URL",
        help="Post alerts to this webhook (Slack-compatible JSON). A secret: never printed. "
        "Default: notify: in lepton.yaml (or LEPTON_NOTIFY).",
    ),
]
NotifyTimeoutOption = Annotated[
    float,
    typer.Option("--notify-timeout", min=0.01, help="Seconds to wait for the webhook per try."),
]


def webhook(settings: Settings, url: str | None) -> str | None:
    """The webhook to alert (``--notify``, else ``notify:``), checked before any work is done.

    Raises UsageError, without echoing the URL, when it is not a URL that HTTP can send to.
    """
    from lepton_cli.notify import check_url

    target = url or settings.notify
    if target:
        check_url(target)
    return target or None


def send(target: str | None, timeout: float, title: str, lines: Sequence[str]) -> None:
    """Post ``lines`` to ``target`` when there is one; report the outcome on stderr."""
    from lepton_cli.notify import message, post

    if not target or not lines:
        return
    delivery = post(target, message(title, lines), timeout=timeout)
    if delivery.ok:
        common.info(f"alert sent to the webhook ({delivery.detail})")
    else:
        common.warn(
            f"could not deliver the alert to the webhook after {delivery.attempts} "
            f"attempt(s): {delivery.detail}"
        )
