"""Post alerts to a webhook as JSON (Slack-compatible ``text`` + ``blocks``).

The webhook URL is a secret (a Slack incoming-webhook URL is its own credential): it never
appears in a message, a log or an error, which say "webhook" instead. Delivery never raises for
network trouble: a timeout or an HTTP error comes back as a :class:`Delivery` the command reports,
so a budget check still finishes when the chat service is down.
"""

from __future__ import annotations

import http.client
import json
import re
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
# What http.client refuses in a host or path (it raises InvalidURL quoting the URL's path).
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")
MALFORMED = "the webhook URL is malformed"


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    detail: str  # "HTTP 200", "timed out after 5s", ... (never the URL)


def check_url(url: str) -> None:
    """Reject a URL that is not http(s), or that HTTP cannot send, without echoing it.

    The URL is a secret: the errors say what is wrong, never what the URL is.
    """
    hint = "give --notify https://hooks.example.com/... or set notify: in lepton.yaml"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError("the webhook URL is not an http(s) URL", hint=hint)
    if _BAD_CHARS.search(url) or not _valid_port(url):
        raise UsageError(
            f"{MALFORMED}: it holds a space, a control character or a bad port",
            hint="copy the URL again (percent-encode any space as %20); " + hint,
        )


def _valid_port(url: str) -> bool:
    try:
        port = urlsplit(url).port  # ValueError on a non-numeric or out-of-range port
    except ValueError:
        return False
    return port != 0


def _scrub(text: str, url: str) -> str:
    """``text`` with the URL and its secret parts (path, query) replaced by "webhook".

    An error may quote only part of the URL (http.client quotes the path alone), so each
    part is removed, longest first.
    """
    parts = urlsplit(url)
    selector = parts.path + (f"?{parts.query}" if parts.query else "")
    for secret in sorted({url, selector, parts.path, parts.query}, key=len, reverse=True):
        if len(secret) > 1:  # never blank out a lone "/"
            text = text.replace(secret, "webhook")
    return text


def _attempt(url: str, body: bytes, timeout: float) -> tuple[bool, bool, str]:
    """(delivered, worth retrying, detail) for one POST."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    try:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
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
    except (http.client.InvalidURL, ValueError):  # its message quotes the URL: never show it
        return False, False, MALFORMED
    except (OSError, http.client.HTTPException) as e:  # a reset or garbled response
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
