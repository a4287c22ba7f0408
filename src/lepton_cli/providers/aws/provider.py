"""AwsProvider's work, loaded on first use (this module imports boto3)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from lepton_cli.models import CostRecord, Offering, Period, Resource
from lepton_cli.providers.aws import inventory as inv
from lepton_cli.providers.aws.config import AwsConfig
from lepton_cli.providers.aws.costs import account_costs, ce_cache
from lepton_cli.providers.aws.normalize import savings_plan
from lepton_cli.providers.aws.prices import family, family_specs, offering_prices, offerings_for
from lepton_cli.providers.aws.session import (
    GLOBAL_REGION,
    Account,
    enabled_regions,
    resolve_accounts,
)
from lepton_cli.providers.base import ProviderContext, Scope, ScopeFailure
from lepton_cli.providers.pool import pool_map

ReadResult = inv.RegionRaw | ScopeFailure


class AwsScanner:
    """One run's state: the accounts resolved, and the instance types seen (for offerings)."""

    def __init__(self, config: AwsConfig, context: ProviderContext, failures: list[ScopeFailure]):
        self.config = config
        self.context = context
        self.failures = failures
        self.types_seen: dict[str, set[str]] = {}  # region -> instance types in use
        self.scope_accounts: tuple[str, ...] = ()  # the last inventory scope's accounts
        self._resolved: dict[tuple[str, ...], list[Account]] = {}

    def accounts(self, wanted: Sequence[str] | None = None) -> list[Account]:
        """The accounts to read (``wanted``, else the last inventory scope's), resolved once
        per run: a failing profile or role is reported once and STS is not asked again."""
        key = tuple(sorted(self.scope_accounts if wanted is None else wanted))
        if key not in self._resolved:
            self._resolved[key] = resolve_accounts(self.config, key, self.failures)
        return self._resolved[key]

    def regions(self, account: Account, wanted: Sequence[str]) -> list[str]:
        """Scope regions, else configured ones, else every region enabled for the account."""
        if wanted or self.config.regions:
            return list(wanted or self.config.regions)
        try:
            return enabled_regions(account)
        except inv.SDK_ERRORS as e:
            self.failures.append(inv.failure(e, inv.scope_name(account.id, None, "regions")))
            return []

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        self.scope_accounts = tuple(scope.accounts)
        accounts = self.accounts()
        targets = [(a, r) for a in accounts for r in self.regions(a, scope.regions)]
        workers = self.context.max_workers
        read = pool_task(self.config, scope.days)
        results = pool_map(read, targets, workers)
        plans = pool_map(inv.read_savings_plans, accounts, workers)
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
            lambda reg: inv.price_region(reg, grouped[reg], self.failures),
            regions,
            self.context.max_workers,
        )
        return dict(zip(regions, found, strict=True))

    def costs(self, period: Period) -> Iterator[CostRecord]:
        cache = ce_cache(self.context)
        cfg = self.config
        for account in self.accounts():
            try:
                yield from account_costs(
                    account, period, cfg.cost_granularity, cfg.cost_by_resource, cache
                )
            except inv.SDK_ERRORS as e:
                self.failures.append(
                    inv.failure(e, inv.scope_name(account.id, None, "cost explorer"))
                )

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        accounts = self.accounts()
        if not accounts:
            return
        wanted = list(regions) or self.regions(accounts[0], ())
        found = pool_map(lambda r: self._offer(accounts[0], r), wanted, self.context.max_workers)
        for offers in found:
            yield from offers

    def _offer(self, account: Account, region: str) -> list[Offering]:
        """Every size of the configured families and of the families in use, priced."""
        families = set(self.config.offering_families)
        families |= {family(t) for t in self.types_seen.get(region, set())}
        try:
            ec2 = account.client("ec2", region)
            specs = family_specs(ec2, families)
            pricing = account.client("pricing", GLOBAL_REGION)
            prices = offering_prices(pricing, ec2, region, sorted(specs))
        except inv.SDK_ERRORS as e:
            self.failures.append(inv.failure(e, inv.scope_name(account.id, region, "offerings")))
            return []
        return list(offerings_for(region, specs, prices))


def pool_task(config: AwsConfig, days: int) -> Callable[[tuple[Account, str]], ReadResult]:
    """``read_region`` bound to one run's config and look-back window."""

    def read(target: tuple[Account, str]) -> ReadResult:
        return inv.read_region(target, config, days)

    return read
