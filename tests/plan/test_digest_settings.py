"""The inputs digest sees every setting the problem reads (built in one place, plan.io)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lepton_cli.config import Migration, Settings
from lepton_cli.models import Inventory
from lepton_cli.plan.io import digest_options, inputs_digest

BASE = Settings()


def _digest(settings: Settings = BASE, **options: object) -> str:
    kwargs = {"max_changes": None, "no_perf": False, "commitments": None, **options}
    made = digest_options("cost", Decimal(8000), settings, **kwargs)  # type: ignore[arg-type]
    return inputs_digest(Inventory(), [], made)


@pytest.mark.parametrize(
    "changed",
    [
        {"headroom": 0.5},
        {"idle_threshold": 0.5},
        {"idle_min_days": 30},
        {"migration": Migration(horizon_months=24)},
        {"migration": Migration(per_instance=5)},
        {"migration": Migration(egress_per_gib={"aws": 0.05})},
    ],
)
def test_each_setting_changes_the_digest(changed: dict[str, object]) -> None:
    assert _digest(BASE.model_copy(update=changed)) != _digest()


@pytest.mark.parametrize("option", [{"max_changes": 3}, {"no_perf": True}, {"commitments": "plan"}])
def test_each_option_changes_the_digest(option: dict[str, object]) -> None:
    assert _digest(**option) != _digest()


def test_the_same_settings_give_the_same_digest() -> None:
    assert _digest(Settings()) == _digest(BASE)
