"""Which executor acts for which provider, built lazily from lepton.yaml's provider sections
(the same sections, credentials and endpoints the providers read with)."""

from __future__ import annotations

from lepton_cli.apply.executor import Executor
from lepton_cli.config import Settings
from lepton_cli.errors import LeptonError


class NoExecutor(LeptonError):
    """A provider lepton can read but not change (a plugin, focus, file)."""


BUILT_IN = ("aws", "azure", "gcp")


def _build(name: str, settings: Settings) -> Executor:
    from lepton_cli.fileio import validate

    section = getattr(settings, name, None) or {}
    where = f"{settings.origin_of(name)} `{name}:` section"
    if name == "aws":
        from lepton_cli.apply.aws import AwsExecutor
        from lepton_cli.providers.aws.config import AwsConfig

        return AwsExecutor(validate(AwsConfig, section, where))
    if name == "azure":
        from lepton_cli.apply.azure import AzureExecutor
        from lepton_cli.providers.azure.config import AzureConfig

        return AzureExecutor(validate(AzureConfig, section, where))
    if name == "gcp":
        from lepton_cli.apply.gcp import GcpExecutor
        from lepton_cli.providers.gcp.config import GcpConfig

        return GcpExecutor(validate(GcpConfig, section, where))
    raise NoExecutor(
        f"lepton apply cannot change {name} resources",
        hint=f"carry out the {name} steps by hand; apply acts on {', '.join(BUILT_IN)}",
    )


class Executors:
    """``executors(name)``: one executor per provider, made on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._made: dict[str, Executor] = {}

    def __call__(self, name: str) -> Executor:
        if name not in self._made:
            self._made[name] = _build(name, self.settings)
        return self._made[name]
