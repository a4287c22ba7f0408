"""The BigQuery engine: billing queries compiled to BigQuery SQL and run where the export lives
(the FOCUS view of the GCP billing export, or any FOCUS table), after a dry run.

```yaml
engine: bigquery
bigquery:
  table: my-project.billing.focus_v1   # project.dataset.table or view
  project: my-project                  # billed for the query (default: the table's project)
  max_bytes_billed: 10737418240        # refuse queries estimated above this (default 10 GiB)
```

Every query is first sent as a dry run (``jobs.insert`` with ``dryRun``), which estimates the
bytes it scans without running it or costing anything; above ``max_bytes_billed`` lepton refuses
and names the estimate, and the real query carries ``maximumBytesBilled`` so BigQuery itself
refuses to bill more. Credentials are Google's Application Default Credentials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from lepton_cli.errors import InputError, ProviderError, UsageError

if TYPE_CHECKING:
    from lepton_cli.billing.compiled import Compiled, Query

GIB = 1024**3


class BigQueryConfig(BaseModel):
    """``bigquery:`` in lepton.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str = Field(min_length=3)
    project: str | None = None
    location: str | None = None
    max_bytes_billed: int = Field(default=10 * GIB, gt=0)
    endpoint: str | None = None  # another BigQuery API endpoint (e.g. Private Service Connect)

    @property
    def billing_project(self) -> str:
        return self.project or self.table.split(".")[0]


@dataclass(frozen=True)
class Estimate:
    bytes_processed: int
    limit: int


def _client(cfg: BigQueryConfig, client: Any) -> Any:
    if client is not None:
        return client
    try:
        from google.cloud import bigquery
    except ImportError as e:
        raise UsageError(
            "the bigquery engine needs google-cloud-bigquery", hint="pip install 'lepton-cli[gcp]'"
        ) from e
    options = {"api_endpoint": cfg.endpoint} if cfg.endpoint else None
    return bigquery.Client(
        project=cfg.billing_project, location=cfg.location, client_options=options
    )


def dry_run(cfg: BigQueryConfig, sql: str, client: Any = None) -> Estimate:
    """The bytes ``sql`` would scan; UsageError above ``max_bytes_billed``."""
    from google.cloud import bigquery

    bq = _client(cfg, client)
    config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)
    try:
        job = bq.query(sql, job_config=config, project=cfg.billing_project)
    except Exception as e:  # google.api_core errors: bad SQL, permissions, missing table
        raise _failure(cfg, e) from e
    estimate = Estimate(int(job.total_bytes_processed or 0), cfg.max_bytes_billed)
    if estimate.bytes_processed > cfg.max_bytes_billed:
        raise UsageError(
            f"the BigQuery query over {cfg.table} would scan {_size(estimate.bytes_processed)}, "
            f"above max_bytes_billed ({_size(cfg.max_bytes_billed)})",
            hint="raise `bigquery: {max_bytes_billed: N}` in lepton.yaml, or narrow --period",
        )
    return estimate


def run(cfg: BigQueryConfig, sql: str, client: Any = None) -> list[tuple[Any, ...]]:
    """Dry run, then the query capped at ``max_bytes_billed``; rows with naive UTC times."""
    from google.cloud import bigquery

    bq = _client(cfg, client)
    dry_run(cfg, sql, bq)
    config = bigquery.QueryJobConfig(maximum_bytes_billed=cfg.max_bytes_billed)
    try:
        rows = bq.query_and_wait(sql, job_config=config, project=cfg.billing_project)
        return [tuple(_naive(v) for v in row.values()) for row in rows]
    except Exception as e:
        raise _failure(cfg, e) from e


def batches(
    cfg: BigQueryConfig, sql: str, client: Any = None, size: int = 10_000
) -> Iterator[list[tuple[Any, ...]]]:
    rows = run(cfg, sql, client)
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


class BigQuerySource:
    """A FOCUS table in BigQuery as the normalised ``charges`` (queries compiled, dry-run first)."""

    def __init__(self, cfg: BigQueryConfig, notes: Any, client: Any = None) -> None:
        from lepton_cli.billing import schema, sql
        from lepton_cli.billing.engines import EngineName

        self.cfg = cfg
        self.notes = notes
        self.client = _client(cfg, client)
        self.table = sql.charges(sql.raw_table(cfg.table), EngineName.BIGQUERY)
        self._columns = {s for c in schema.COLUMNS for s in c.sources}
        self._engine = EngineName.BIGQUERY

    def compile(self, query: Query) -> Compiled:
        from lepton_cli.billing.compiled import compile_query
        from lepton_cli.billing.engines import DIALECTS

        return compile_query(query, self.table, DIALECTS[self._engine])

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return run(self.cfg, sql, self.client)

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        return batches(self.cfg, sql, self.client, size)

    def bad_row(self, problem: str) -> InputError:
        return InputError(f"{self.cfg.table}: {problem}", hint="fix the export's rows")

    def file_columns(self) -> list[tuple[str, set[str]]]:
        return [(self.cfg.table, self._columns)]


def _naive(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _size(n: int) -> str:
    return f"{n / GIB:.2f} GiB ({n:,} bytes)"


def _failure(cfg: BigQueryConfig, e: Exception) -> InputError | ProviderError:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if "lepton:" in text:
        return InputError(f"{cfg.table}: {text[text.index('lepton:') :]}", hint="fix the export")
    return ProviderError(
        f"BigQuery failed on {cfg.table}: {text[:400]}",
        hint="check the table name and that Application Default Credentials can read it",
    )
