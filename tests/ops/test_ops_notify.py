"""Webhook alerts against a real HTTP server on 127.0.0.1: payload, retries, timeout, secrecy."""

from __future__ import annotations

import pytest
from ops_builders import webhook

from lepton_cli.errors import UsageError
from lepton_cli.notify import message, post


def test_posts_slack_compatible_json():
    with webhook() as hook:
        d = post(hook.url, message("lepton: alerts", ["*payments*: 84%", "second"]), timeout=5)
    assert (d.ok, d.attempts, d.detail) == (True, 1, "HTTP 200")
    body = hook.bodies[0]
    assert body["text"].startswith("lepton: alerts\n• *payments*: 84%")
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "lepton: alerts"},
    }
    assert body["blocks"][1]["text"] == {"type": "mrkdwn", "text": "*payments*: 84%"}


def test_retries_server_errors_then_succeeds():
    with webhook(statuses=[503, 500]) as hook:
        d = post(hook.url, message("t", ["x"]), timeout=5, retries=2, backoff=0.01)
    assert (d.ok, d.attempts, hook.hits) == (True, 3, 3)


def test_does_not_retry_a_client_error():
    with webhook(statuses=[404]) as hook:
        d = post(hook.url, message("t", ["x"]), timeout=5, backoff=0.01)
    assert (d.ok, d.attempts, d.detail, hook.hits) == (False, 1, "HTTP 404", 1)


def test_a_timeout_is_reported_not_raised():
    with webhook(delay=1.0) as hook:
        d = post(hook.url, message("t", ["x"]), timeout=0.2, retries=1, backoff=0.01)
    assert (d.ok, d.attempts) == (False, 2)
    assert d.detail == "timed out after 0.2s" and hook.url not in d.detail


def test_an_error_quoting_the_url_path_is_scrubbed():
    # The broken server echoes "POST /hooks/T000/B000/secret-token HTTP/1.1" as its status
    # line; http.client's BadStatusLine quotes it.
    with webhook(echo=True) as hook:
        d = post(hook.url, message("t", ["x"]), timeout=5, retries=0)
    assert (d.ok, d.attempts) == (False, 1)
    assert d.detail.startswith("BadStatusLine: POST webhook HTTP/1.1"), d.detail
    assert "secret-token" not in d.detail and "T000" not in d.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example/services/T0/B0/secret-token extra",
        "https://hooks.example/services/T0/B0/secret-token\n",
        "https://hooks.example:secret-token/services/T0",
    ],
)
def test_a_url_http_cannot_send_is_rejected_without_echoing_it(url):
    with pytest.raises(UsageError) as e:
        post(url, {"text": "x"})
    assert "malformed" in e.value.message
    assert "secret-token" not in f"{e.value.message} {e.value.hint}"


def test_a_non_http_url_is_rejected_without_echoing_it():
    with pytest.raises(UsageError) as e:
        post("file:///etc/secret-token", {"text": "x"})
    assert "secret-token" not in str(e.value)


def test_message_caps_blocks():
    m = message("t", [f"line {i}" for i in range(60)])
    assert len(m["blocks"]) == 42 and m["blocks"][-1]["elements"][0]["text"] == "... and 20 more"
