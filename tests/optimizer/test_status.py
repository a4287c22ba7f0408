"""The solver's true status: a time-limited incumbent is feasible, never optimal."""

from __future__ import annotations

import random

import highspy
import pulp

from lepton_cli.optimizer import milp
from lepton_cli.optimizer.milp import SolveOptions, cbc_status, highs_status
from lepton_cli.plan.model import SolverStatus


def _hard_model(rows: int = 5, n: int = 40) -> pulp.LpProblem:
    """A market-split instance with slacks: any point is feasible, proving the best is not."""
    rng = random.Random(5)
    prob = pulp.LpProblem("market_split", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{j}", cat=pulp.LpBinary) for j in range(n)]
    slack = []
    for i in range(rows):
        a = [rng.randint(0, 99) for _ in range(n)]
        up, down = pulp.LpVariable(f"u{i}", 0), pulp.LpVariable(f"d{i}", 0)
        slack += [up, down]
        prob += pulp.lpSum(ai * xj for ai, xj in zip(a, x, strict=True)) + up - down == sum(a) // 2
    prob += pulp.lpSum(slack)
    return prob


def test_time_limited_run_reads_feasible_from_highs_own_status() -> None:
    prob = _hard_model()
    with milp.native_output_silenced():
        outcome = milp.run(prob, SolveOptions(time_limit=0.2, gap=0))
    model_status = prob.solverModel.getModelStatus()
    # market split is notoriously hard: 0.2 s never proves the optimum
    assert model_status == highspy.HighsModelStatus.kTimeLimit
    pulp_says, _ = pulp.HiGHS(msg=False).findSolutionValues(prob)
    assert pulp_says == pulp.LpStatusOptimal  # what PuLP's wrapper alone would have said
    assert outcome.status is SolverStatus.FEASIBLE
    assert outcome.bound is not None and outcome.objective is not None
    assert outcome.bound < outcome.objective


def test_status_mapping() -> None:
    ms = highspy.HighsModelStatus
    assert highs_status(ms.kOptimal, 2) is SolverStatus.OPTIMAL
    assert highs_status(ms.kTimeLimit, 2) is SolverStatus.FEASIBLE
    assert highs_status(ms.kTimeLimit, 0) is SolverStatus.NOT_SOLVED
    assert highs_status(ms.kInfeasible, 0) is SolverStatus.INFEASIBLE
    assert cbc_status(pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible) is SolverStatus.FEASIBLE
    assert cbc_status(pulp.LpStatusOptimal, pulp.LpSolutionOptimal) is SolverStatus.OPTIMAL
    assert cbc_status(pulp.LpStatusInfeasible, 0) is SolverStatus.INFEASIBLE


def test_native_output_never_reaches_stdout(capfd: object) -> None:
    import os

    with milp.native_output_silenced():
        os.write(1, b"native banner\n")
    out, err = capfd.readouterr()  # type: ignore[attr-defined]
    assert "native banner" not in out and "native banner" not in err
    os.write(1, b"after\n")  # fd 1 is restored afterwards
    assert capfd.readouterr()[0] == "after\n"  # type: ignore[attr-defined]
