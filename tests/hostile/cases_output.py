"""-o targets: only regular files, never devices, FIFOs or directories; format from -f or
the extension, the same on every command."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import yaml
from hostile_case import Case, inv_files

SCAN = ("scan", "-s", "inv.yaml")
OPT = ("optimize", "-s", "inv.yaml")


def _fifo(tmp: Path) -> None:
    os.mkfifo(tmp / "out.yaml")


def _link_to_null(tmp: Path) -> None:
    (tmp / "out.yaml").symlink_to("/dev/null")


def _dir(tmp: Path) -> None:
    (tmp / "out.yaml").mkdir()


def _is(name: str, check: Callable[[str], object]) -> Callable[[Path], None]:
    def after(tmp: Path) -> None:
        assert check((tmp / name).read_text())

    return after


def _link_kept(tmp: Path) -> None:
    assert (tmp / "link.yaml").is_symlink() and (tmp / "real.yaml").is_file()


def _no_folder_made(tmp: Path) -> None:
    assert not (tmp / "no").exists()


def _untouched(tmp: Path) -> None:
    assert Path("/dev/null").is_char_device() and Path("/dev/full").is_char_device()
    assert not list(tmp.glob(".*.tmp")), "a temp file was left behind"


def _plan_copy(tmp: Path) -> None:
    from typer.testing import CliRunner

    from lepton_cli.cli.app import app

    os.chdir(tmp)
    assert CliRunner().invoke(app, [*OPT, "-o", "p.yaml"]).exit_code == 0


def _targets(cmd: str, args: tuple[str, ...], files: dict[str, str | bytes]) -> list[Case]:
    setup_plan = _plan_copy if cmd.startswith("plan") else None

    def both(extra: Callable[[Path], None] | None) -> Callable[[Path], None] | None:
        if setup_plan is None:
            return extra

        def run(tmp: Path) -> None:
            setup_plan(tmp)
            if extra:
                extra(tmp)

        return run

    return [
        Case(
            f"{cmd}-o-dev-null",
            (*args, "-o", "/dev/null"),
            2,
            ("/dev/null", "regular"),
            files,
            setup=both(None),
            after=_untouched,
        ),
        Case(
            f"{cmd}-o-dev-full",
            (*args, "-o", "/dev/full"),
            2,
            ("/dev/full",),
            files,
            setup=both(None),
            after=_untouched,
        ),
        Case(
            f"{cmd}-o-dev-stdout",
            (*args, "-o", "/dev/stdout"),
            2,
            ("/dev/stdout",),
            files,
            setup=both(None),
        ),
        Case(f"{cmd}-o-dir", (*args, "-o", "out.yaml"), 2, ("directory",), files, setup=both(_dir)),
        Case(f"{cmd}-o-fifo", (*args, "-o", "out.yaml"), 2, ("FIFO",), files, setup=both(_fifo)),
        Case(
            f"{cmd}-o-link-null",
            (*args, "-o", "out.yaml"),
            2,
            ("regular",),
            files,
            setup=both(_link_to_null),
            after=_untouched,
        ),
        Case(
            f"{cmd}-o-missing-dir",
            (*args, "-o", "no/such/out.yaml"),
            2,
            ("does not exist",),
            files,
            setup=both(None),
            after=_no_folder_made,
        ),
        Case(
            f"{cmd}-o-no-extension", (*args, "-o", "out"), 2, ("--format",), files, setup=both(None)
        ),
        Case(
            f"{cmd}-o-under-file",
            (*args, "-o", "inv.yaml/x.yaml"),
            2,
            ("x.yaml",),
            inv_files(),
            setup=both(None),
        ),
    ]


CASES: list[Case] = [
    Case(
        "report-o-dash-is-stdout",
        ("report", "-s", "inv.yaml", "-o", "-", "-f", "csv"),
        0,
        ("provider,",),
        inv_files(),
        after=lambda t: None if not (t / "-").exists() else 1 / 0,
    ),
    *_targets("scan", SCAN, inv_files()),
    *_targets("optimize", OPT, inv_files()),
    *_targets("plan-show", ("plan", "show", "p.yaml"), inv_files()),
    *_targets("report", ("report", "-s", "inv.yaml"), inv_files()),
    Case(
        "optimize-o-json-by-extension",
        (*OPT, "-o", "plan.json"),
        0,
        ("Summary",),
        inv_files(),
        absent=("Allocations",),
        after=_is("plan.json", lambda t: json.loads(t)["kind"] == "Plan"),
    ),
    Case(
        "optimize-o-json-by-flag",
        (*OPT, "-o", "plan.json", "-f", "json"),
        0,
        (),
        inv_files(),
        after=_is("plan.json", lambda t: json.loads(t)["kind"] == "Plan"),
    ),
    Case(
        "optimize-o-md",
        (*OPT, "-o", "plan.md"),
        0,
        (),
        inv_files(),
        after=_is("plan.md", lambda t: t.startswith("<!-- lepton-plan -->")),
    ),
    Case(
        "optimize-o-yaml-wide",
        (*OPT, "-o", "plan.yaml", "--wide"),
        0,
        ("Actions", "reason"),
        inv_files(),
        after=_is("plan.yaml", lambda t: yaml.safe_load(t)["kind"] == "Plan"),
    ),
    Case(
        "scan-o-md-by-flag",
        (*SCAN, "-f", "markdown", "-o", "x.md"),
        0,
        (),
        inv_files(),
        after=_is("x.md", lambda t: "| resource |" in t or "**Findings" in t),
    ),
    Case(
        "scan-o-json-inventory",
        (*SCAN, "-o", "x.json"),
        0,
        (),
        inv_files(),
        after=_is("x.json", lambda t: json.loads(t)["kind"] == "Inventory"),
    ),
    Case(
        "scan-o-csv",
        (*SCAN, "-o", "x.csv"),
        0,
        (),
        inv_files(),
        after=_is("x.csv", lambda t: t.startswith("resource,")),
    ),
    Case(
        "report-o-csv",
        ("report", "-s", "inv.yaml", "-o", "r.csv"),
        0,
        (),
        inv_files(),
        after=_is("r.csv", lambda t: t.startswith("provider,")),
    ),
    Case(
        "report-o-txt-table",
        ("report", "-s", "inv.yaml", "-o", "r.txt"),
        0,
        (),
        inv_files(),
        after=_is("r.txt", lambda t: "Cost by" in t and "\x1b" not in t),
    ),
    Case(
        "scan-o-symlink-to-file",
        (*SCAN, "-o", "link.yaml"),
        0,
        (),
        inv_files(),
        setup=lambda t: (t / "link.yaml").symlink_to(t / "real.yaml"),
        after=_link_kept,
    ),
]
