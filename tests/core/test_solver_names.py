"""One list of solver names: the setting, --solver and the optimizer all take exactly it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lepton_cli.cli.app import app
from lepton_cli.config import Settings
from lepton_cli.errors import UsageError
from lepton_cli.models.optimization import Solver
from lepton_cli.optimizer import SolveOptions

NAMES = ["highs", "cbc", "greedy"]


def test_the_names() -> None:
    assert [s.value for s in Solver] == NAMES
    assert Solver.names() == "highs, cbc or greedy"


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_a_setting_and_a_solve_option(name: str) -> None:
    assert Settings(solver=name).solver is Solver(name)
    assert SolveOptions(solver=name).solver == name


def test_an_unknown_solver_is_refused_everywhere_with_the_list() -> None:
    with pytest.raises(ValidationError, match="'highs', 'cbc' or 'greedy'"):
        Settings(solver="glpk")
    with pytest.raises(UsageError, match="unknown solver 'glpk'") as e:
        SolveOptions(solver="glpk")
    assert e.value.hint == "use highs, cbc or greedy"


def test_the_flag_offers_the_same_list(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli.invoke(app, ["optimize", "--solver", "glpk", "-s", "x.yaml"])
    assert result.exit_code == 2
    assert "'glpk' is not one of 'highs', 'cbc', 'greedy'" in result.output
