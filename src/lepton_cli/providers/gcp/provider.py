"""The gcp provider: Compute Engine inventory, billing-export costs, catalog offerings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from lepton_cli.diskcache import DiskCache, cache_key
from lepton_cli.errors import InputError, ProviderError, UsageError
from lepton_cli.models import CostRecord, Offering, Period, Resource
from lepton_cli.providers.base import Capability, ProviderContext, Scope, ScopeFailure
from lepton_cli.providers.boundary import DeadlineExceeded, MalformedAnswer, Timeouts, preload
from lepton_cli.providers.gcp import catalog, costs, inventory, monitoring
from lepton_cli.providers.gcp.clients import Clients, boundary, connect, with_retries
from lepton_cli.providers.gcp.config import GcpConfig
from lepton_cli.providers.pool import pool_map

T = TypeVar("T")
# Entries live directly in <cache_dir>/gcp/ (no sub-folder), as they always have.
FOLDER = ""
PRICE_BOOK = "compute-price-book"
# What parsing a torn or foreign entry raises (a bad number is decimal.InvalidOperation, an
# ArithmeticError; a bad enum or model field is a ValueError).
UNREADABLE = (ValueError, KeyError, TypeError, ArithmeticError)


class GcpProvider:
    """Google Cloud through Application Default Credentials (see docs/gcp.md for the roles)."""

    name: ClassVar[str] = "gcp"
    config_model: ClassVar[type[BaseModel]] = GcpConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.COSTS, Capability.OFFERINGS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = (
        "google.cloud.billing",
        "google.cloud.bigquery",
        "google.cloud.compute",
        "google.cloud.monitoring",
    )
    install_extra: ClassVar[str | None] = "gcp"

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = (
            config
            if isinstance(config, GcpConfig)
            else GcpConfig.model_validate(config.model_dump())
        )
        self.context = context
        self.failures: list[ScopeFailure] = []
        self._clients: Clients | None = None
        self.cache = DiskCache.of(context, "gcp")
        self.timeouts = Timeouts.of(context)
        self.edge = boundary()

    # -- plumbing -------------------------------------------------------------------------

    def _connect(self) -> Clients:
        if self._clients is None:
            try:
                self._clients = connect(self.config, self.timeouts)
            except DeadlineExceeded as e:
                raise self.edge.error("the token endpoint", e) from e
        return self._clients

    def _retried(self, scope: str, call: Callable[[], T]) -> T | ScopeFailure:
        """The call's result (retried on throttling and 5xx, within the deadline), or a
        ScopeFailure when the API refuses or fails."""
        return self.edge.attempt(scope, with_retries(call, self.timeouts))

    def _needed(self, what: str, call: Callable[[], T]) -> T:
        """A read the command cannot do without: its failure is a ProviderError (exit 4)."""
        try:
            return with_retries(call, self.timeouts)()
        except self.edge.caught as e:
            raise self.edge.error(what, e) from e

    # -- projects ---------------------------------------------------------------------------

    def _projects(self, scope: Scope, clients: Clients) -> list[str]:
        """--account, else gcp.projects, else the billing account's projects, else ADC's."""
        if scope.accounts:
            return list(scope.accounts)
        if self.config.projects:
            return list(self.config.projects)
        if self.config.billing_account:
            return self._billed_projects(clients, self.config.billing_account)
        if clients.default_project:
            return [clients.default_project]
        raise UsageError(
            "no Google Cloud project to read",
            hint="set gcp.projects (or gcp.billing_account) in lepton.yaml, or pass --account",
        )

    def _billed_projects(self, clients: Clients, account: str) -> list[str]:
        """Projects with billing enabled on ``account`` (CloudBillingClient)."""

        def read() -> list[str]:
            infos = clients.billing().list_project_billing_info(
                name=f"billingAccounts/{account}", **clients.call_options()
            )
            return sorted(i.project_id for i in infos if i.billing_enabled)

        try:
            return self._needed(f"the projects of billing account {account}", read)
        except ProviderError as e:
            raise ProviderError(
                f"cannot list the projects of billing account {account}: {e.message}",
                hint=e.hint or "grant Billing Account Viewer on the account",
            ) from e

    # -- prices -----------------------------------------------------------------------------

    def _cached_book(self) -> catalog.PriceBook | None:
        """The cached price book; None when there is none, it is stale, or it is unreadable."""
        data = self.cache.get(FOLDER, PRICE_BOOK)
        if data is None:
            return None
        try:
            return catalog.PriceBook.from_data(data)
        except UNREADABLE:
            return None  # a torn or foreign file: read the catalog again

    def price_book(self, clients: Clients) -> catalog.PriceBook:
        """Compute Engine prices from the catalog (all pages), cached for cache_ttl_hours."""
        book = self._cached_book()
        if book is None:
            opts = clients.call_options()
            skus = clients.catalog().list_skus(parent=catalog.COMPUTE_SERVICE, **opts)
            book = catalog.price_book(skus)
            self.cache.put(FOLDER, PRICE_BOOK, book.to_data())
        return book

    # -- inventory --------------------------------------------------------------------------

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        """Instances, idle disks and unused addresses of every project.

        A project (or its monitoring, or the price catalog) that fails is appended to
        ``failures`` and the others are still yielded; failures accumulate across calls so
        that one scan reports those of inventory() and costs() together.
        """
        clients = self._connect()
        preload("google.cloud.compute_v1", "google.cloud.billing_v1", "google.cloud.monitoring_v3")
        projects = self._projects(scope, clients)
        book = self._inventory_prices(clients)
        read = lambda p: self._project(clients, p, scope, book)  # noqa: E731
        outcomes = pool_map(
            read, projects, self.context.max_workers, self.timeouts.deadline, self._expired
        )
        for resources, failures in outcomes:
            self.failures.extend(failures)
            yield from resources

    def _expired(
        self, project: str, error: DeadlineExceeded
    ) -> tuple[list[Resource], list[ScopeFailure]]:
        return [], [self.edge.failure(f"project {project}", error)]

    def _inventory_prices(self, clients: Clients) -> catalog.PriceBook | None:
        """The price book, or None (resources then carry no price) with a recorded failure."""
        book = self._retried("Cloud Billing Catalog (prices)", lambda: self.price_book(clients))
        if isinstance(book, ScopeFailure):
            self.failures.append(book)
            return None
        return book

    def _project(
        self, clients: Clients, project: str, scope: Scope, book: catalog.PriceBook | None
    ) -> tuple[list[Resource], list[ScopeFailure]]:
        pages = self._retried(
            f"project {project}", lambda: inventory.read_project(clients, project)
        )
        if isinstance(pages, ScopeFailure):
            return [], [pages]
        failures: list[ScopeFailure] = []
        usage: Any = {}
        if pages.instances:
            usage = self._retried(
                f"project {project} / monitoring",
                lambda: monitoring.cpu_utilization(clients, project, scope.days),
            )
            if isinstance(usage, ScopeFailure):
                failures, usage = [usage], {}
        resources = inventory.project_resources(pages, book, usage)
        return [r for r in resources if not scope.regions or r.region in scope.regions], failures

    # -- costs ------------------------------------------------------------------------------

    def costs(self, period: Period) -> Iterator[CostRecord]:
        """Cost and credits for ``period`` from the BigQuery billing export.

        BigQuery bills the query by the bytes it scans, so its answer is cached on disk for
        cache_ttl_hours (``--no-cache`` runs it again) and the job is capped at
        ``gcp.max_bytes_billed``.
        """
        table = self.config.billing_export_table
        if not table:
            raise InputError(
                "gcp.billing_export_table is not set, so Google Cloud costs cannot be read",
                hint="set it to the export table (Billing > Billing export), or pass --no-costs",
            )
        clients = self._connect()
        preload("google.cloud.bigquery", "google.cloud.billing_v1")
        projects = self._cost_projects(clients)
        sql = costs.cost_sql(table, self.config.resource_level)
        query_project = self._query_project(table, clients)
        account = self.config.billing_account
        key = _export_key(sql, query_project, period, account, projects)
        records = self._cached_records(key, period)
        if records is None:
            params = costs.query_parameters(period, account, projects)
            read = lambda: self._export(clients, query_project, sql, params, key, period)  # noqa: E731
            got = self.edge.attempt(f"billing export {table}", read)
            if isinstance(got, ScopeFailure):  # the inventory is still delivered
                self.failures.append(_export_failure(got))
                return
            records = got
        yield from records

    def _export(
        self, clients: Clients, project: str, sql: str, params: list[Any], key: str, period: Period
    ) -> list[CostRecord]:
        """The export's records, read live; stored only once every row has been understood."""
        rows = self._query_rows(clients, project, sql, params)
        try:
            records = list(costs.cost_records(rows, period))
        except UNREADABLE as e:
            raise MalformedAnswer(f"an export row without the expected columns ({e})") from e
        self.cache.put(FOLDER, key, rows)
        return records

    def _cached_records(self, key: str, period: Period) -> list[CostRecord] | None:
        """The records of a cached query answer; None when absent, stale or unreadable."""
        rows = self.cache.get(FOLDER, key, _is_rows)
        if rows is None:
            return None
        try:
            return list(costs.cost_records(rows, period))
        except UNREADABLE:
            return None

    def _query_rows(
        self, clients: Clients, project: str, sql: str, params: list[Any]
    ) -> list[dict[str, Any]]:
        """The export query's rows as plain dicts (what the cache stores), within the deadline
        (BigQuery's own retry handles its rate limits and backend errors)."""
        from lepton_cli.providers.pool import within

        def read() -> list[dict[str, Any]]:
            client = clients.bigquery(project)
            cap = self.config.max_bytes_billed
            rows = costs.run_query(client, sql, params, cap, self.timeouts)
            return [dict(row.items()) for row in rows]

        return within(read, self.timeouts.deadline)

    def _query_project(self, table: str, clients: Clients) -> str:
        return self.config.query_project or table.split(".")[0] or clients.default_project or ""

    def _cost_projects(self, clients: Clients) -> list[str]:
        """gcp.projects billed to gcp.billing_account (a project billed elsewhere is a failure)."""
        account = self.config.billing_account
        if not self.config.projects or not account:
            return list(self.config.projects)
        kept: list[str] = []
        for project in self.config.projects:
            billed = self._retried(
                f"project {project} / billing", partial(_account, clients, project)
            )
            if isinstance(billed, ScopeFailure):
                self.failures.append(billed)
            elif billed != account:
                self.failures.append(_elsewhere(project, billed, account))
            else:
                kept.append(project)
        return kept or list(self.config.projects)

    # -- offerings --------------------------------------------------------------------------

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        """Every predefined machine type in ``regions`` (all when empty), priced per model."""
        clients = self._connect()
        project = self._projects(Scope(), clients)[0]
        book = self._needed("cannot read Compute Engine prices", lambda: self.price_book(clients))
        shapes = self._needed(
            "cannot read Compute Engine machine types",
            lambda: list(inventory.read_all_shapes(clients, project)),
        )
        yield from catalog.offerings(
            book, [s for s in shapes if not regions or s.region in regions]
        )


def _export_key(*query: Any) -> str:
    """The cache entry of one export query, named by everything that shapes its answer."""
    return f"billing-export-{cache_key(*query)}"


def _account(clients: Clients, project: str) -> str:
    name = f"projects/{project}"
    info = clients.billing().get_project_billing_info(name=name, **clients.call_options())
    return str(info.billing_account_name).removeprefix("billingAccounts/")


def _is_rows(value: Any) -> bool:
    """Whether a cached export answer has the shape the export query stores."""
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)


def _export_failure(found: ScopeFailure) -> ScopeFailure:
    """The export query's failure, with the bytes-cap or table hint when nothing better."""
    hint = found.hint or costs.query_hint(Exception(found.message))
    return ScopeFailure(found.provider, found.scope, found.message, hint)


def _elsewhere(project: str, billed: str, account: str) -> ScopeFailure:
    where = f"billing account {billed}" if billed else "no billing account"
    return ScopeFailure(
        "gcp",
        f"project {project} / billing",
        f"project {project} is billed to {where}, not {account}: its costs are not in this export",
        "remove it from gcp.projects, or point gcp.billing_export_table at its account's export",
    )
