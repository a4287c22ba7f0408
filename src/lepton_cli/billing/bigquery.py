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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lepton_cli.billing.engines import EngineName
from lepton_cli.billing.remote import TableSource, failure, first_line, naive_utc
from lepton_cli.errors import InputError, ProviderError, UsageError

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
        return [tuple(naive_utc(v) for v in row.values()) for row in rows]
    except Exception as e:
        raise _failure(cfg, e) from e


def batches(
    cfg: BigQueryConfig, sql: str, client: Any = None, size: int = 10_000
) -> Iterator[list[tuple[Any, ...]]]:
    rows = run(cfg, sql, client)
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


class BigQuerySource(TableSource):
    """A FOCUS table in BigQuery as the normalised ``charges`` (queries compiled, dry-run first)."""

    engine = EngineName.BIGQUERY

    def __init__(self, cfg: BigQueryConfig, notes: Any, client: Any = None) -> None:
        super().__init__(cfg.table, notes)
        self.cfg = cfg
        self.client = _client(cfg, client)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return run(self.cfg, sql, self.client)

    def batches(self, sql: str, size: int = 10_000) -> Iterator[list[tuple[Any, ...]]]:
        return batches(self.cfg, sql, self.client, size)


def _size(n: int) -> str:
    return f"{n / GIB:.2f} GiB ({n:,} bytes)"


def _failure(cfg: BigQueryConfig, e: Exception) -> InputError | ProviderError:
    text = first_line(str(e), limit=400) or type(e).__name__
    return failure(
        cfg.table,
        text,
        ProviderError(
            f"BigQuery failed on {cfg.table}: {text}",
            hint="check the table name and that Application Default Credentials can read it",
        ),
    )
