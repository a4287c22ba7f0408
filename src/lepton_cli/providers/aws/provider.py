"""AwsProvider's work, loaded on first use (this module imports boto3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from lepton_cli.models import CostRecord, Offering, Period, Resource
from lepton_cli.providers.aws import inventory as inv
from lepton_cli.providers.aws.config import AwsConfig
from lepton_cli.providers.aws.costs import account_costs, ce_cache
from lepton_cli.providers.aws.errors import boundary
from lepton_cli.providers.aws.normalize import savings_plan
from lepton_cli.providers.aws.prices import family, family_specs, offering_prices, offerings_for
from lepton_cli.providers.aws.session import (
    GLOBAL_REGION,
    Account,
    enabled_regions,
    profile_of,
    resolve_accounts,
)
from lepton_cli.providers.base import ProviderContext, Scope, ScopeFailure
from lepton_cli.providers.boundary import DeadlineExceeded, Timeouts
from lepton_cli.providers.pool import pool_map, within

ReadResult = inv.RegionRaw | ScopeFailure
T = TypeVar("T")


class AwsScanner:
    """One run's state: the accounts resolved, and the instance types seen (for offerings)."""

    def __init__(self, config: AwsConfig, context: ProviderContext, failures: list[ScopeFailure]):
        self.config = config
        self.context = context
        self.failures = failures
        self.types_seen: dict[str, set[str]] = {}  # region -> instance types in use
        self.scope_accounts: tuple[str, ...] = ()  # the last inventory scope's accounts
        self._resolved: dict[tuple[str, ...], list[Account]] = {}
        self.timeouts = Timeouts.of(context)

    def accounts(self, wanted: Sequence[str] | None = None) -> list[Account]:
        """The accounts to read (``wanted``, else the last inventory scope's), resolved once
        per run: a failing profile or role is reported once and STS is not asked again."""
        key = tuple(sorted(self.scope_accounts if wanted is None else wanted))
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key)
        return self._resolved[key]

    def _resolve(self, wanted: tuple[str, ...]) -> list[Account]:
        """resolve_accounts within one scope's deadline (a stalled STS is exit 4, not a hang)."""
        try:
            return within(
                lambda: resolve_accounts(self.config, wanted, self.failures, self.timeouts),
                self.timeouts.deadline,
            )
        except DeadlineExceeded as e:
            raise boundary().error("cannot read the accounts (sts)", e) from e

    def _bounded(
        self, account: Account, what: str, region: str | None, call: Callable[[], T]
    ) -> T | ScopeFailure:
        """``call()`` within the deadline; its failure is recorded as ``what`` of the account."""
        scope = inv.scope_name(account.id, region, what)
        edge = boundary(profile_of(account))
        return edge.attempt(scope, lambda: within(call, self.timeouts.deadline))

    def regions(self, account: Account, wanted: Sequence[str]) -> list[str]:
        """Scope regions, else configured ones, else every region enabled for the account."""
        if wanted or self.config.regions:
            return list(wanted or self.config.regions)
        got = self._bounded(account, "regions", None, lambda: enabled_regions(account))
        if isinstance(got, ScopeFailure):
            self.failures.append(got)
            return []
        return got

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        self.scope_accounts = tuple(scope.accounts)
        accounts = self.accounts()
        targets = [(a, r) for a in accounts for r in self.regions(a, scope.regions)]
        workers, deadline = self.context.max_workers, self.timeouts.deadline
        read = pool_task(self.config, scope.days)
        results = pool_map(read, targets, workers, deadline, _expired_region)
        plans = pool_map(inv.read_savings_plans, accounts, workers, deadline, _expired_plans)
        raws = [r for r in results if isinstance(r, inv.RegionRaw)]
        self.failures.extend(r for r in results if isinstance(r, ScopeFailure))
        self.failures.extend(f for r in raws for f in r.failures)
        catalogs = self._price(raws)
        for raw in raws:
            yield from inv.normalise(raw, catalogs[raw.region])
        for account, got in zip(accounts, plans, strict=True):
            if isinstance(got, ScopeFailure):
                self.failures.append(got)
            else:
                yield from (savings_plan(p, account.id) for p in got)

    def _price(self, raws: list[inv.RegionRaw]) -> dict[str, inv.RegionCatalog]:
        grouped = inv.by_region(raws)
        for region, group in grouped.items():
            self.types_seen.setdefault(region, set()).update(
                i["InstanceType"] for r in group for i in r.instances
            )
        regions = sorted(grouped)
        found = pool_map(
            lambda reg: self._price_one(reg, grouped[reg]),
            regions,
            self.context.max_workers,
        )
        return dict(zip(regions, found, strict=True))

    def _price_one(self, region: str, group: list[inv.RegionRaw]) -> inv.RegionCatalog:
        """One region's specs and prices within the deadline (unpriced, and recorded, if not)."""
        failures: list[ScopeFailure] = []
        got = self._bounded(
            group[0].account, "pricing", region, lambda: inv.price_region(region, group, failures)
        )
        self.failures.extend(failures if not isinstance(got, ScopeFailure) else [got])
        return got if isinstance(got, inv.RegionCatalog) else inv.RegionCatalog()

    def costs(self, period: Period) -> Iterator[CostRecord]:
        cache = ce_cache(self.context)
        cfg = self.config
        for account in self.accounts():
            read = lambda a=account: account_costs(  # noqa: E731
                a, period, cfg.cost_granularity, cfg.cost_by_resource, cache
            )
            got = self._bounded(account, "cost explorer", None, read)
            if isinstance(got, ScopeFailure):
                self.failures.append(got)
            else:
                yield from got

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        accounts = self.accounts()
        if not accounts:
            return
        wanted = list(regions) or self.regions(accounts[0], ())
        found = pool_map(lambda r: self._offer(accounts[0], r), wanted, self.context.max_workers)
        for offers in found:
            if isinstance(offers, ScopeFailure):
                self.failures.append(offers)
            else:
                yield from offers

    def _offer(self, account: Account, region: str) -> list[Offering] | ScopeFailure:
        """Every size of the configured families and of the families in use, priced."""
        families = set(self.config.offering_families)
        families |= {family(t) for t in self.types_seen.get(region, set())}

        def read() -> list[Offering]:
            ec2 = account.client("ec2", region)
            specs = family_specs(ec2, families)
            pricing = account.client("pricing", GLOBAL_REGION)
            prices = offering_prices(pricing, ec2, region, sorted(specs))
            return list(offerings_for(region, specs, prices))

        return self._bounded(account, "offerings", region, read)


def _expired_region(target: tuple[Account, str], error: DeadlineExceeded) -> ReadResult:
    return inv.failure(error, inv.scope_name(target[0].id, target[1]))


def _expired_plans(
    account: Account, error: DeadlineExceeded
) -> list[dict[str, Any]] | ScopeFailure:
    return inv.failure(error, inv.scope_name(account.id, None, "savings plans"))


def pool_task(config: AwsConfig, days: int) -> Callable[[tuple[Account, str]], ReadResult]:
    """``read_region`` bound to one run's config and look-back window."""

    def read(target: tuple[Account, str]) -> ReadResult:
        return inv.read_region(target, config, days)

    return read
