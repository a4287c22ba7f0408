"""The inputs digest sees every setting the problem reads (built in one place, plan.io)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from lepton_cli.config import Migration, Settings, problem_options
from lepton_cli.models import Inventory
from lepton_cli.models.optimization import ProblemOptions
from lepton_cli.plan.io import digest_options, inputs_digest

BASE = Settings()


def _digest(options: ProblemOptions, commitments: str | None = None) -> str:
    made = digest_options("cost", Decimal(8000), options, commitments=commitments)
    return inputs_digest(Inventory(), [], made)


def _of(settings: Settings = BASE, use_perf: bool = True) -> str:
    return _digest(problem_options(settings, use_perf=use_perf))


@pytest.mark.parametrize(
    "changed",
    [
        {"headroom": 0.5},
        {"idle_threshold": 0.5},
        {"idle_min_days": 30},
        {"migration": Migration(horizon_months=24)},
        {"migration": Migration(per_instance=5)},
        {"migration": Migration(egress_per_gib={"aws": 0.05})},
        {"max_changes": 3},
    ],
)
def test_each_setting_changes_the_digest(changed: dict[str, object]) -> None:
    assert _of(BASE.model_copy(update=changed)) != _of()


# A value other than the default for every field of ProblemOptions: a field added there
# without a place in the digest fails here.
OTHER = {
    "headroom": 0.5,
    "idle_threshold": 0.5,
    "idle_min_days": 30,
    "migration": Migration(per_instance=5),
    "max_changes": 3,
    "use_perf": False,
}


def test_every_problem_option_is_in_the_digest() -> None:
    base = problem_options(BASE)
    assert set(OTHER) == {f.name for f in dataclasses.fields(ProblemOptions)}
    for name, value in OTHER.items():
        assert getattr(base, name) != value, name
        assert _digest(dataclasses.replace(base, **{name: value})) != _digest(base), name


def test_no_perf_and_pooled_commitments_change_the_digest() -> None:
    assert _of(use_perf=False) != _of()
    assert _digest(problem_options(BASE), commitments="plan") != _of()


def test_the_options_are_the_settings_values() -> None:
    s = Settings(headroom=0.3, idle_threshold=0.1, idle_min_days=9, max_changes=2)
    assert problem_options(s, use_perf=False) == ProblemOptions(
        headroom=0.3,
        idle_threshold=0.1,
        idle_min_days=9,
        migration=Migration(),
        max_changes=2,
        use_perf=False,
    )


def test_the_same_settings_give_the_same_digest() -> None:
    assert _of(Settings()) == _of(BASE)
