"""Post alerts to a webhook as JSON (Slack-compatible ``text`` + ``blocks``).

The webhook URL is a secret (a Slack incoming-webhook URL is its own credential): it never
appears in a message, a log or an error, which say "webhook" instead. Delivery never raises for
network trouble: a timeout or an HTTP error comes back as a :class:`Delivery` the command reports,
so a budget check still finishes when the chat service is down.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lepton_cli.errors import UsageError

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "lepton-cli"


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    detail: str  # "HTTP 200", "timed out after 5s", ... (never the URL)


def check_url(url: str) -> None:
    """Reject a URL that is not http(s) without echoing it (it is a secret)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            "the webhook URL is not an http(s) URL",
            hint="give --notify https://hooks.example.com/... or set notify: in lepton.yaml",
        )


def _scrub(text: str, url: str) -> str:
    return text.replace(url, "webhook") if url else text


def _attempt(url: str, body: bytes, timeout: float) -> tuple[bool, bool, str]:
    """(delivered, worth retrying, detail) for one POST."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return True, False, f"HTTP {response.status}"
    except urllib.error.HTTPError as e:
        return False, e.code in RETRY_STATUS, f"HTTP {e.code}"
    except TimeoutError:
        return False, True, f"timed out after {timeout:g}s"
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            return False, True, f"timed out after {timeout:g}s"
        return False, True, f"could not connect ({_scrub(str(reason), url)})"
    except OSError as e:  # e.g. a connection reset mid-response
        return False, True, _scrub(f"{type(e).__name__}: {e}", url)


def post(
    url: str,
    payload: dict[str, Any],
    timeout: float = 10.0,
    retries: int = 2,
    backoff: float = 0.5,
) -> Delivery:
    """POST ``payload`` as JSON; retry timeouts, 429 and 5xx up to ``retries`` more times."""
    check_url(url)
    body = json.dumps(payload).encode("utf-8")
    detail = "not sent"
    for attempt in range(1, retries + 2):
        ok, again, detail = _attempt(url, body, timeout)
        if ok or not again or attempt > retries:
            return Delivery(ok, attempt, detail)
        time.sleep(backoff * 2 ** (attempt - 1))  # exponential backoff: 0.5 s, 1 s, ...
    return Delivery(False, retries + 1, detail)


def message(title: str, lines: Sequence[str]) -> dict[str, Any]:
    """A Slack-compatible message: ``text`` for notifications and plain clients, ``blocks``."""
    text = f"{title}\n" + "\n".join(f"• {line}" for line in lines)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
    ]
    # Slack caps a section's text at 3000 characters and a message at 50 blocks.
    for line in lines[:40]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line[:3000]}})
    if len(lines) > 40:
        more = {"type": "mrkdwn", "text": f"... and {len(lines) - 40} more"}
        blocks.append({"type": "context", "elements": [more]})
    return {"text": text, "blocks": blocks}
