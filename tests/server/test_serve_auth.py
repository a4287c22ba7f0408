"""Deny by default: tokens, scopes, loopback, and no secret in answers or logs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from serve_fixture import ACME, cli, server


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    path = tmp_path_factory.mktemp("tokens") / "tokens.yaml"
    made = [cli("serve", "--token-file", str(path), "--new-token", name, *scopes)
            for name, scopes in (("reader", ("--scope", "read")),
                                 ("ci", ("--scope", "read", "--scope", "optimize")))]  # fmt: skip
    assert all(m.returncode == 0 for m in made), [m.stderr for m in made]
    return path, made[0].stdout.strip(), made[1].stdout.strip()


def test_the_token_file_holds_only_hashes(tokens: tuple[Path, str, str]) -> None:
    path, reader, ci = tokens
    text = path.read_text()
    assert reader not in text and ci not in text
    entries = yaml.safe_load(text)["tokens"]
    assert [(e["name"], e["scopes"]) for e in entries] == [
        ("reader", ["read"]),
        ("ci", ["read", "optimize"]),
    ]
    assert path.stat().st_mode & 0o077 == 0


def test_scopes(tokens: tuple[Path, str, str], tmp_path: Path) -> None:
    path, reader, ci = tokens
    log = tmp_path / "serve.log"
    source = f"inv={ACME / 'inventory.yaml'}"
    with server("--token-file", str(path), "--source", source, log=log) as client:
        assert client.get("/healthz").status_code == 200
        anonymous = client.post("/v1/optimize", json={"source": "inv"})
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
        wrong = client.post("/v1/optimize", json={"source": "inv"}, headers=_bearer("nope"))
        assert wrong.status_code == 401
        read_only = client.post("/v1/optimize", json={"source": "inv"}, headers=_bearer(reader))
        assert read_only.status_code == 403 and "optimize scope" in read_only.json()["detail"]
        accepted = client.post("/v1/optimize", json={"source": "inv"}, headers=_bearer(ci))
        assert accepted.status_code == 202
        location = accepted.headers["location"]
        assert client.get(location).status_code == 401
        assert client.get(location, headers=_bearer(reader)).status_code == 200
        assert client.get("/metrics").status_code == 401
        bodies = anonymous.text + wrong.text + read_only.text + accepted.text
    assert reader not in bodies and ci not in bodies
    assert ci not in log.read_text() and reader not in log.read_text()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_file_means_loopback_only() -> None:
    result = cli("serve", "--host", "0.0.0.0")
    assert result.returncode == 2
    assert "not loopback" in result.stderr and "--token-file" in result.stderr


def test_the_apply_scope_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    entry = {"name": "ops", "sha256": "0" * 64, "scopes": ["apply"]}
    path.write_text(yaml.safe_dump({"tokens": [entry]}))
    result = cli("serve", "--token-file", str(path), "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 3 and "scope apply" in result.stderr


def test_a_malformed_token_file_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(
        yaml.safe_dump({"tokens": [{"name": "x", "sha256": "short", "scopes": ["read"]}]})
    )
    result = cli("serve", "--token-file", str(path))
    assert result.returncode == 3 and "tokens[0].sha256" in result.stderr
