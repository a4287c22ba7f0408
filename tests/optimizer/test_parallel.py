"""Many distinct shapes go through the process pool and agree with the one-process solve."""

from __future__ import annotations

import random

from opt_builders import offer, problem, solve, workload

from lepton_cli.optimizer.parallel import PARALLEL_MIN

CATALOG = [
    offer("aws", "gen", 4, 16, "0.20", reserved="0.13"),
    offer("aws", "mem", 2, 16, "0.13"),
    offer("gcp", "cpu", 4, 4, "0.15", perf=1.2),
]


def test_pool_and_sequential_agree() -> None:
    rng = random.Random(1)
    ws = [
        workload(f"w{i:03d}", vcpu=rng.randint(1, 60), memory=rng.randint(1, 200), min_replicas=2)
        for i in range(PARALLEL_MIN + 20)
    ]
    p = problem(ws, CATALOG)
    one = solve(p, workers=1)
    two = solve(p, workers=2)
    assert [w.cost for w in one.workloads] == [w.cost for w in two.workloads]
    assert [w.problem.name for w in two.workloads] == [w.name for w in ws]
