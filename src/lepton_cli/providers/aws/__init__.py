"""The aws provider: EC2/EBS/EIP inventory, CloudWatch utilisation, Cost Explorer costs and
Pricing API offerings, read with boto3.

Importing this package loads no boto3: the work lives in ``provider.py`` and its modules,
imported on the first call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel

from lepton_cli.models import CostRecord, Offering, Period, Resource
from lepton_cli.providers.aws.config import AwsConfig
from lepton_cli.providers.base import Capability, ProviderContext, Scope, ScopeFailure

if TYPE_CHECKING:
    from lepton_cli.providers.aws.provider import AwsScanner

__all__ = ["AwsConfig", "AwsProvider"]


class AwsProvider:
    """Reads AWS accounts x regions concurrently; failed scopes land in ``failures``."""

    name: ClassVar[str] = "aws"
    config_model: ClassVar[type[BaseModel]] = AwsConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.COSTS, Capability.OFFERINGS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = ("boto3",)
    install_extra: ClassVar[str | None] = "aws"

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = (
            config
            if isinstance(config, AwsConfig)
            else AwsConfig.model_validate(config.model_dump())
        )
        self.context = context
        self.failures: list[ScopeFailure] = []
        self._scanner: AwsScanner | None = None

    @property
    def scanner(self) -> AwsScanner:
        if self._scanner is None:
            from lepton_cli.providers.aws.provider import AwsScanner

            self._scanner = AwsScanner(self.config, self.context, self.failures)
        return self._scanner

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        """Instances, volumes, idle Elastic IPs, old snapshots and owned commitments."""
        return self.scanner.inventory(scope)

    def costs(self, period: Period) -> Iterator[CostRecord]:
        """Cost Explorer rows for ``period`` (cached on disk; each live request costs $0.01)."""
        return self.scanner.costs(period)

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        """Priced instance types in ``regions``: the families in use and their neighbours."""
        return self.scanner.offerings(regions)
