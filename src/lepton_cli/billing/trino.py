"""The Trino engine: billing queries compiled by Ibis to Trino SQL and run by a Trino cluster
over a FOCUS table (Hive, Iceberg or Delta over S3, or any catalog Trino reads), through the
Trino client's HTTP protocol.

```yaml
engine: trino
trino:
  table: hive.billing.focus        # catalog.schema.table
  host: trino.internal
  port: 443                        # default: 443 over https, 8080 over http
  http_scheme: https               # default
  user: finops                     # default: the login name
  verify: /etc/ssl/corp-ca.pem     # a CA bundle, or false; default: the system's
```

Each query is one statement; its rows are read page by page as the coordinator returns them,
typed by the result's columns (``decimal`` as exact ``Decimal``). The SQL is the one the
golden files in tests/golden/sql/trino hold. The query's run time is bounded by Trino itself
(the ``query_max_run_time`` session property, ``timeout_seconds``).

A password comes from ``TRINO_PASSWORD`` (as for the Trino CLI), a bearer token from
``TRINO_JWT``; either is sent only over https, and lepton stores neither nor writes it into a
message.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FilePath

from lepton_cli.billing.engines import EngineName
from lepton_cli.billing.remote import TableSource, failure, first_line, naive_utc
from lepton_cli.errors import InputError, ProviderError, UsageError

HINT = "check `trino:` in lepton.yaml (table, host, port, http_scheme, user) and the credentials"
PASSWORD = "TRINO_PASSWORD"
TOKEN = "TRINO_JWT"


class TrinoConfig(BaseModel):
    """``trino:`` in lepton.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str = Field(pattern=r"^[^.\s]+\.[^.\s]+\.[^.\s]+$")  # catalog.schema.table
    host: str = Field(min_length=1)
    port: int | None = Field(default=None, gt=0, lt=65536)
    http_scheme: Literal["https", "http"] = "https"
    user: str | None = None
    verify: bool | FilePath = True  # a CA bundle that exists, or false
    timeout_seconds: float = Field(default=900, gt=0, le=604_800)  # at most a week

    @property
    def port_number(self) -> int:
        return self.port or (443 if self.http_scheme == "https" else 8080)

    @property
    def address(self) -> str:
        return f"{self.http_scheme}://{self.host}:{self.port_number}"


def _auth(cfg: TrinoConfig, environ: Mapping[str, str]) -> Any:
    """The client authentication the environment asks for, or None."""
    from trino.auth import BasicAuthentication, JWTAuthentication

    password, token = environ.get(PASSWORD), environ.get(TOKEN)
    if not password and not token:
        return None
    if cfg.http_scheme != "https":
        name = PASSWORD if password else TOKEN
        raise UsageError(
            f"trino: {name} is set, but {cfg.address} is not https: it would be sent in clear",
            hint="set `trino: {http_scheme: https}`, or unset the variable",
        )
    if password:
        return BasicAuthentication(_user(cfg), password)
    return JWTAuthentication(str(token))


def _user(cfg: TrinoConfig) -> str:
    if cfg.user:
        return cfg.user
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "lepton"


def connect(cfg: TrinoConfig, environ: Mapping[str, str] = os.environ) -> Any:
    """A DB-API connection to the cluster (no request is made until a query runs)."""
    try:
        import trino.dbapi
    except ImportError as e:
        raise UsageError(
            "the trino engine needs the Trino client", hint="pip install 'lepton-cli[trino]'"
        ) from e
    return trino.dbapi.connect(  # type: ignore[no-untyped-call]
        http_session=_session(cfg.verify),
        host=cfg.host,
        port=cfg.port_number,
        http_scheme=cfg.http_scheme,
        user=_user(cfg),
        auth=_auth(cfg, environ),
        source="lepton",
        session_properties={"query_max_run_time": f"{cfg.timeout_seconds:g}s"},
        max_attempts=3,
    )


def _session(verify: bool | Path) -> Any:
    """An HTTP session that verifies the coordinator with ``verify``.

    ``requests`` lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` replace a session's own
    ``verify`` on every request that does not pass one, which is how the Trino client sends
    its requests: a CA bundle or ``false`` in lepton.yaml would be ignored wherever those are
    set. Here the setting wins; left at its default, the environment's bundle still counts."""
    import requests

    class Session(requests.Session):
        def merge_environment_settings(
            self,
            url: str | bytes | None,
            proxies: MutableMapping[str, str] | None,
            stream: bool | None,
            verify: bool | str | None,
            cert: str | tuple[str, str] | None,
        ) -> Any:
            found = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if verify is None and self.verify is not True:
                found["verify"] = self.verify
            return found

    session = Session()
    session.verify = str(verify) if isinstance(verify, Path) else verify
    return session


def run(cfg: TrinoConfig, connection: Any, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``sql``, ``size`` at a time; a failed query raises, naming Trino's reason."""
    cursor = connection.cursor()
    try:
        _call(cfg, cursor.execute, sql)
        while batch := _call(cfg, cursor.fetchmany, size):
            yield [tuple(naive_utc(v) for v in row) for row in batch]
    finally:
        cursor.close()


def _call(cfg: TrinoConfig, method: Any, *args: Any) -> Any:
    from trino import exceptions

    try:
        return method(*args)
    except exceptions.TrinoQueryError as e:  # the query failed in Trino (a user error too)
        raise _query_failure(cfg, e) from e
    except Exception as e:  # HTTP, TLS, connection and authentication errors
        text = type(e).__name__ + (f": {e}" if str(e) else "")
        raise ProviderError(
            f"Trino at {cfg.address} failed on {cfg.table}: {first_line(text)}", hint=HINT
        ) from e


def _query_failure(cfg: TrinoConfig, e: Any) -> InputError | ProviderError:
    text = first_line(str(e.message))
    name = f" ({e.error_name})" if e.error_name else ""
    return failure(
        cfg.table,
        text,
        ProviderError(
            f"the Trino query {e.query_id or '(no id)'} on {cfg.table} failed{name}: {text}",
            hint=HINT,
        ),
    )


class TrinoSource(TableSource):
    """A FOCUS table in Trino as the normalised ``charges`` (queries compiled by Ibis)."""

    engine = EngineName.TRINO

    def __init__(self, cfg: TrinoConfig, notes: Any, connection: Any = None) -> None:
        super().__init__(cfg.table, notes)
        self.cfg = cfg
        self.connection = connection if connection is not None else connect(cfg)

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        return run(self.cfg, self.connection, sql, size)
