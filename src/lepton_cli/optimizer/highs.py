"""HiGHS on a :class:`direct.Matrix`: the LP relaxation and the MILP, one reused instance."""

from __future__ import annotations

from typing import Any

import numpy as np

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer import direct
from lepton_cli.optimizer.direct import SMALL_MODELS, Matrix, Result

FEASIBLE_POINT = 2  # HiGHS kSolutionStatusFeasible


class Highs:
    """One highspy.Highs reused model after model (creating one costs more than a small LP)."""

    def __init__(self) -> None:
        import highspy

        self._hs = highspy
        self.h = highspy.Highs()  # type: ignore[no-untyped-call]
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)  # parallelism comes from workloads side by side

    def _pass(self, m: Matrix, integer: bool) -> None:
        hs = self._hs
        lp = hs.HighsLp()
        rows, cols = m.a.shape
        lp.num_col_ = cols
        lp.num_row_ = rows
        lp.col_cost_ = m.cost
        lp.col_lower_ = m.lower
        lp.col_upper_ = np.where(np.isinf(m.upper), hs.kHighsInf, m.upper)
        lp.row_lower_ = np.where(np.isinf(m.row_lower), -hs.kHighsInf, m.row_lower)
        lp.row_upper_ = np.where(np.isinf(m.row_upper), hs.kHighsInf, m.row_upper)
        at = m.a.T  # column-wise storage
        nz = at != 0
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int32)
        lp.a_matrix_.index_ = np.nonzero(nz)[1].astype(np.int32)
        lp.a_matrix_.value_ = at[nz]
        if integer:
            kind = hs.HighsVarType
            lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in m.integer]
        self.h.clearModel()
        self.h.passModel(lp)

    def _options(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            self.h.setOptionValue(key, value)

    def lp(self, m: Matrix) -> Result:
        """The LP relaxation: its optimum is a proven lower bound on the MILP's."""
        self._pass(m, integer=False)
        self._options({"time_limit": 1e6, "presolve": "on"})
        self.h.run()
        if self.h.getModelStatus() != self._hs.HighsModelStatus.kOptimal:
            status = self._infeasible_or_not()
            return Result(status, None, None, None)
        x = np.array(self.h.getSolution().col_value)[: m.n_x]
        value = float(self.h.getInfo().objective_function_value)
        return Result(SolverStatus.OPTIMAL, x, value, value)

    def mip(self, m: Matrix, time_limit: float, gap: float, nodes: int | None = None) -> Result:
        """The MILP within ``time_limit`` seconds, relative ``gap`` and ``nodes`` nodes."""
        self._pass(m, integer=True)
        limits = {"time_limit": max(time_limit, 0.01), "mip_rel_gap": gap}
        self._options({**limits, "mip_max_nodes": nodes if nodes is not None else 2**31 - 1})
        self._options(SMALL_MODELS)
        self.h.run()
        ms = self._hs.HighsModelStatus
        info = self.h.getInfo()
        status = self.h.getModelStatus()
        if status == ms.kOptimal:
            code = SolverStatus.OPTIMAL
        elif int(info.primal_solution_status) == FEASIBLE_POINT:
            code = SolverStatus.FEASIBLE
        else:
            return Result(self._infeasible_or_not(), None, None, None)
        x = np.round(np.array(self.h.getSolution().col_value)[: m.n_x])
        value = direct.value(m, x)
        # When presolve alone solves a model HiGHS leaves its dual bound at 0: an optimal
        # status proves the requested gap (and HiGHS's absolute gap, 1e-6) itself.
        bound = float(info.mip_dual_bound)
        if code is SolverStatus.OPTIMAL:
            bound = max(bound, value - max(gap * abs(value), 1e-6))
        return Result(code, x, value, min(bound, value))

    def _infeasible_or_not(self) -> SolverStatus:
        ms = self._hs.HighsModelStatus
        if self.h.getModelStatus() in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
            return SolverStatus.INFEASIBLE
        return SolverStatus.NOT_SOLVED
