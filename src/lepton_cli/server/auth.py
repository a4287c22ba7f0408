"""Bearer tokens with scopes, stored hashed (sha256) in a token file.

```yaml
tokens:
  - {name: portal, sha256: 9f86d08…, scopes: [read, optimize]}
```
``lepton serve --new-token NAME --scope optimize`` adds one and prints the token once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from lepton_cli.errors import InputError
from lepton_cli.fileio import atomic_write, dump_yaml, load_document, validate
from lepton_cli.models.base import Model


class Scope(StrEnum):
    READ = "read"  # report, plan diff / verify, operations, metrics
    OPTIMIZE = "optimize"  # start and cancel optimisations
    APPLY = "apply"  # reserved: nothing over HTTP changes a cloud yet


class Token(Model):
    name: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: list[Scope] = Field(min_length=1)


class TokenFile(Model):
    tokens: list[Token] = Field(default_factory=list)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_tokens(path: Path) -> TokenFile:
    """Read a token file; InputError naming the file and key when it is malformed."""
    data = load_document(path)
    tokens = validate(TokenFile, data if data is not None else {}, str(path))
    for token in tokens.tokens:
        if Scope.APPLY in token.scopes:
            raise InputError(
                f"{path}: token {token.name!r} has scope apply, which the API does not offer yet",
                hint="give it the scopes read and/or optimize",
            )
    return tokens


def find(tokens: TokenFile, presented: str) -> Token | None:
    """The token whose hash matches ``presented`` (compared in constant time), or None."""
    wanted = digest(presented)
    match = None
    for token in tokens.tokens:
        if hmac.compare_digest(token.sha256, wanted):
            match = token
    return match


def new_token(path: Path, name: str, scopes: list[Scope]) -> str:
    """Add a token named ``name`` to the file (created if missing); return the secret once."""
    tokens = load_tokens(path) if path.exists() else TokenFile()
    if any(t.name == name for t in tokens.tokens):
        raise InputError(f"{path}: a token named {name!r} exists", hint="choose another name")
    secret = secrets.token_urlsafe(32)
    entry = Token(name=name, sha256=digest(secret), scopes=scopes)
    atomic_write(path, dump_yaml(TokenFile(tokens=[*tokens.tokens, entry])))
    path.chmod(0o600)
    return secret
