"""Flags: out-of-range, NaN and infinite values are usage errors (exit 2) naming the flag."""

from __future__ import annotations

from hostile_case import Case, inv_files

OPT = ("optimize", "-s", "inv.yaml")


def _opt(flag: str, value: str) -> Case:
    return Case(f"optimize{flag}={value}", (*OPT, flag, value), 2, (flag,), inv_files())


CASES: list[Case] = [
    *(_opt("--gap", v) for v in ("2", "1", "-0.1", "nan", "inf", "-inf", "abc")),
    *(_opt("--budget", v) for v in ("inf", "nan", "0", "-5", "-inf", "1e309", "many")),
    *(_opt("--time-limit", v) for v in ("0", "-1", "nan", "inf")),
    *(_opt("--fail-on-savings", v) for v in ("nan", "inf", "-inf")),
    _opt("--budget", "1e300"),
    _opt("--time-limit", "1e300"),
    _opt("--solver", "gurobi"),
    Case(
        "scan--days-huge",
        ("scan", "-s", "inv.yaml", "--days", "100000000"),
        2,
        ("--days",),
        inv_files(),
    ),
    _opt("--objective", "speed"),
    Case(
        "efficiency-needs-budget",
        (*OPT, "--objective", "efficiency"),
        2,
        ("--budget",),
        inv_files(),
    ),
    *(
        Case(
            f"scan--idle-threshold={v}",
            ("scan", "-s", "inv.yaml", "--idle-threshold", v),
            2,
            ("--idle-threshold",),
            inv_files(),
        )
        for v in ("nan", "2", "-1", "inf")
    ),
    Case("scan--days=0", ("scan", "-s", "inv.yaml", "--days", "0"), 2, ("--days",), inv_files()),
    Case("scan-period-13", ("scan", "-p", "aws", "--period", "2026-13"), 2, ("2026-13",)),
    Case(
        "report-period-00",
        ("report", "-s", "inv.yaml", "--period", "2026-00"),
        2,
        ("2026-00",),
        inv_files(),
    ),
    Case("report-empty-by", ("report", "-s", "inv.yaml", "--by", ","), 2, ("--by",), inv_files()),
    Case("catalog-min-vcpus-nan", ("catalog", "list", "--min-vcpus", "nan"), 2, ("--min-vcpus",)),
    Case("history-last-0", ("history", "--last", "0"), 2, ("--last",)),
    Case(
        "plan-show-fail-nan",
        ("plan", "show", "p.yaml", "--fail-on-savings", "nan"),
        2,
        ("--fail-on-savings",),
    ),
    Case("unknown-flag", ("scan", "--sauce", "x"), 2, ("--sauce",)),
    Case("unknown-command", ("scna",), 2, ("scna",)),
    Case("bad-format", ("scan", "-s", "inv.yaml", "-f", "pdf"), 2, ("pdf",), inv_files()),
    Case("no-source", ("scan",), 2, ("--source",)),
    Case("report-no-source", ("report",), 2, ("--source",)),
    Case("verify-bad-plan-first", ("plan", "verify", "p.yaml"), 3, ("p.yaml",), {"p.yaml": "x"}),
    Case(
        "quiet-after-subcommand",
        ("scan", "-s", "inv.yaml", "-q", "--no-history"),
        0,
        ("resources",),
        inv_files(),
    ),
    Case(
        "debug-after-subcommand",
        ("scan", "--debug", "-s", "inv.yaml"),
        0,
        ("resources",),
        inv_files(),
    ),
    Case("quiet-after-dashdash", ("scan", "-s", "inv.yaml", "--", "-q"), 2, (), inv_files()),
    Case("solver-greedy-ok", (*OPT, "--solver", "greedy"), 0, ("Plan",), inv_files()),
]
