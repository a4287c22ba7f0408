"""Text from inputs is text: never Rich markup, never terminal control sequences."""

from __future__ import annotations

from hostile_case import Case, inv_files, vm

SCAN = ("scan", "-s", "inv.yaml")


def _idle(id_: str, **tags: str) -> dict[str, object]:
    return vm(
        id_,
        utilization={"cpu_p95": 0.01, "memory_p95": 0.1, "days": 14},
        tags={"workload": "web", **tags},
    )


def _shown(name: str, id_: str, word: str | None = None, bad: str = "\x1b") -> Case:
    return Case(f"text-{name}", SCAN, 0, (word or id_,), inv_files([_idle(id_)]), absent=(bad,))


CASES: list[Case] = [
    _shown("closing-tag", "i-1[/]"),
    _shown("brackets", "vm-web[prod]-01"),
    _shown("bold-tag", "[bold red]boom[/bold red]"),
    _shown("link-tag", "[link=http://evil]x[/link]"),
    _shown("emoji-code", "i-:thumbs_up:", "i-:thumbs_up:"),
    _shown("ansi-red", "i-\x1b[31mred", "\\x1b[31mred"),
    _shown("ansi-clear", "i-\x1b[2J\x1b[H", "\\x1b[2J"),
    _shown("osc-title", "i-\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    _shown("osc-link", "i-\x1b]8;;http://evil\x1b\\x", "\\x1b]8;;"),
    _shown("c1-csi", "i-\x9b31m", "\\x9b31m", bad="\x9b"),
    _shown("bidi", "i-\u202eevil", "\\u202e", bad="\u202e"),
    _shown("backspace", "i-abc\x08\x08\x08xyz", "\\x08", bad="\x08"),
    Case("text-markup-in-path", ("scan", "-s", "a[/]b.yaml"), 3, ("a[/]b.yaml",)),
    Case(
        "text-ansi-in-path", ("scan", "-s", "a\x1b[31m.yaml"), 3, ("\\x1b[31m",), absent=("\x1b",)
    ),
    Case(
        "text-markup-workload",
        ("optimize", "-s", "inv.yaml"),
        0,
        ("[bold]w[/]",),
        inv_files([vm("i-1", tags={"workload": "[bold]w[/]"})]),
    ),
    Case(
        "text-ansi-workload",
        ("optimize", "-s", "inv.yaml", "-f", "markdown"),
        0,
        ("\\x1b[5m",),
        inv_files([vm("i-1", tags={"workload": "w\x1b[5m"})]),
        absent=("\x1b",),
    ),
    Case(
        "text-ansi-key-error",
        SCAN,
        3,
        ("inv.yaml",),
        inv_files([vm("i-1", **{"\x1b[2Jx": 1})]),
        absent=("\x1b",),
    ),
    Case(
        "text-markup-in-tag-report",
        ("report", "-s", "inv.yaml", "--by", "tag:team"),
        0,
        ("[red]pay[/]",),
        inv_files([vm("i-1", tags={"team": "[red]pay[/]"})]),
    ),
    Case(
        "negative-money",
        ("plan", "show", "p.yaml"),
        0,
        ("-$",),
        inv_files(),
        setup=lambda t: _negative_plan(t),
    ),
]


def _negative_plan(tmp: object) -> None:
    """A plan whose savings are negative (it costs more than today): shown as -$N."""
    import os
    from pathlib import Path

    import yaml
    from typer.testing import CliRunner

    from lepton_cli.cli.app import app

    root = Path(str(tmp))
    os.chdir(root)
    assert CliRunner().invoke(app, ["optimize", "-s", "inv.yaml", "-o", "p.yaml"]).exit_code == 0
    doc = yaml.safe_load((root / "p.yaml").read_text())
    s = doc["summary"]
    s["monthly_savings"] = -703.87
    s["planned_monthly_cost"] = float(s["current_monthly_cost"]) + 703.87
    (root / "p.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
