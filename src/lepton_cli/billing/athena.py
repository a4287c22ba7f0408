"""The Athena engine: billing queries compiled by Ibis to Athena (Trino) SQL and run by Athena
over a FOCUS or CUR table in S3, through boto3.

```yaml
engine: athena
athena:
  table: awsdatacatalog.billing.focus    # [catalog.]database.table
  workgroup: finops                      # default: primary
  output_location: s3://athena-results/lepton/   # default: the workgroup's
  region: us-east-1                      # default: the AWS chain's
```

Each query is one ``StartQueryExecution`` in the workgroup, with the output location when one
is set (a workgroup that enforces its own wins, as in Athena itself); lepton polls
``GetQueryExecution`` until the query ends and reads the rows with ``GetQueryResults``, typed by
the result's column metadata (``decimal`` as exact ``Decimal``). The SQL is the same one the
golden files in tests/golden/sql/athena hold. Ibis's own Athena backend is not used: it reads
results by ``UNLOAD`` to Parquet in S3 and asks Athena for the catalog at connect time, neither
of which a billing query needs.

Credentials come from the AWS chain (profile, SSO, role, ``AWS_ENDPOINT_URL``); lepton stores
none and never writes them into a message.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lepton_cli.billing.engines import EngineName
from lepton_cli.billing.remote import TableSource, failure, first_line
from lepton_cli.errors import InputError, ProviderError, UsageError

DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
HINT = "check `athena:` in lepton.yaml (table, workgroup, output_location) and the AWS credentials"


class AthenaConfig(BaseModel):
    """``athena:`` in lepton.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str = Field(min_length=3)
    workgroup: str = "primary"
    output_location: str | None = Field(default=None, pattern=r"^s3://")
    region: str | None = None
    endpoint: str | None = None  # another Athena endpoint (e.g. a VPC endpoint)
    timeout_seconds: float = Field(default=900, gt=0)  # then the query is stopped


def _client(cfg: AthenaConfig) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as e:
        raise UsageError(
            "the athena engine needs boto3", hint="pip install 'lepton-cli[aws]'"
        ) from e
    config = Config(retries={"mode": "adaptive"}, user_agent_extra="lepton")
    return boto3.client("athena", region_name=cfg.region, endpoint_url=cfg.endpoint, config=config)


def start(cfg: AthenaConfig, client: Any, sql: str) -> str:
    """The QueryExecutionId of ``sql`` started in the configured workgroup."""
    request: dict[str, Any] = {"QueryString": sql, "WorkGroup": cfg.workgroup}
    if cfg.output_location:
        request["ResultConfiguration"] = {"OutputLocation": cfg.output_location}
    return str(_call(cfg, client.start_query_execution, **request)["QueryExecutionId"])


def wait(cfg: AthenaConfig, client: Any, query_id: str) -> None:
    """Poll until the query ends; FAILED or CANCELLED raises, naming Athena's reason."""
    deadline = time.monotonic() + cfg.timeout_seconds
    pause = 0.05
    while True:
        found = _call(cfg, client.get_query_execution, QueryExecutionId=query_id)
        status = found["QueryExecution"]["Status"]
        if status["State"] in DONE:
            break
        if time.monotonic() > deadline:
            _call(cfg, client.stop_query_execution, QueryExecutionId=query_id)
            raise ProviderError(
                f"the Athena query {query_id} on {cfg.table} ran over {cfg.timeout_seconds:g} s "
                "and was stopped",
                hint="raise `athena: {timeout_seconds: N}`, or narrow --period",
            )
        time.sleep(pause)
        pause = min(pause * 2, 2.0)
    if status["State"] != "SUCCEEDED":
        raise _query_failure(cfg, query_id, status)


def results(cfg: AthenaConfig, client: Any, query_id: str) -> Iterator[list[tuple[Any, ...]]]:
    """The result rows, one page at a time, typed by the result's column metadata."""
    pages = client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
    first = True
    for page in _pages(cfg, pages):
        result = page["ResultSet"]
        columns = result["ResultSetMetadata"]["ColumnInfo"]
        rows = [r["Data"] for r in result["Rows"]]
        if first and rows and _is_header(columns, rows[0]):
            rows = rows[1:]  # a SELECT's first page starts with the column labels
        first = False
        yield [_row(columns, data) for data in rows]


def _pages(cfg: AthenaConfig, pages: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    found = iter(pages)
    while True:
        try:
            page = next(found)
        except StopIteration:
            return
        except Exception as e:  # botocore errors, raised as the pages are fetched
            raise _call_failure(cfg, e) from e
        yield page


def run(cfg: AthenaConfig, client: Any, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    query_id = start(cfg, client, sql)
    wait(cfg, client, query_id)
    yield from results(cfg, client, query_id)


def _is_header(columns: Sequence[dict[str, Any]], data: Sequence[dict[str, Any]]) -> bool:
    labels = [c.get("Label") or c["Name"] for c in columns]
    return [d.get("VarCharValue") for d in data] == labels


def _row(columns: Sequence[dict[str, Any]], data: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    return tuple(_value(c, d.get("VarCharValue")) for c, d in zip(columns, data, strict=True))


def _value(column: dict[str, Any], text: str | None) -> Any:
    """A cell as Python: Athena sends every value as text; NULL has no VarCharValue."""
    kind = str(column.get("Type", "varchar")).lower()
    if text is None:
        return None
    if kind == "decimal":
        return Decimal(text)
    if kind in ("tinyint", "smallint", "integer", "int", "bigint"):
        return int(text)
    if kind in ("double", "float", "real"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind.startswith("timestamp"):
        return _timestamp(text)
    return text


def _timestamp(text: str) -> dt.datetime:
    """``2026-10-01 00:00:00.000`` (optionally with a zone) as naive UTC."""
    value = dt.datetime.fromisoformat(text.replace(" UTC", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _call(cfg: AthenaConfig, method: Any, **kwargs: Any) -> Any:
    try:
        return method(**kwargs)
    except Exception as e:  # botocore: ClientError, NoCredentialsError, EndpointConnectionError
        raise _call_failure(cfg, e) from e


def _call_failure(cfg: AthenaConfig, e: Exception) -> ProviderError:
    response = getattr(e, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        text = f"{error.get('Code', 'Error')}: {error.get('Message', '')}"
    else:
        text = type(e).__name__ + (f": {e}" if str(e) else "")
    return ProviderError(f"Athena failed on {cfg.table}: {first_line(text)}", hint=HINT)


def _query_failure(
    cfg: AthenaConfig, query_id: str, status: dict[str, Any]
) -> InputError | ProviderError:
    reason = status.get("AthenaError", {}).get("ErrorMessage") or status.get(
        "StateChangeReason", status["State"]
    )
    text = first_line(str(reason))
    return failure(
        cfg.table,
        text,
        ProviderError(
            f"the Athena query {query_id} on {cfg.table} {status['State'].lower()}: {text}",
            hint=HINT,
        ),
    )


class AthenaSource(TableSource):
    """A FOCUS table in Athena as the normalised ``charges`` (queries compiled by Ibis)."""

    engine = EngineName.ATHENA

    def __init__(self, cfg: AthenaConfig, notes: Any, client: Any = None) -> None:
        super().__init__(cfg.table, notes)
        self.cfg = cfg
        self.client = client if client is not None else _client(cfg)

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        del size  # Athena pages by at most 1,000 rows
        return run(self.cfg, self.client, sql)
