"""Imports follow DESIGN.md's data flow, one direction:

    providers -> models -> pricing -> optimizer -> plan -> report -> cli

Read as "is imported by": a later layer may import an earlier one, never the reverse. The test
reads every module of ``src/lepton_cli`` with ``ast`` (top-level and function-local imports,
relative ones resolved, ``if TYPE_CHECKING:`` ones too), maps each import to the subpackage it
lands in, and fails on any arrow the table below does not allow, and on any import cycle
between subpackages at run time.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import lepton_cli

SRC = Path(lepton_cli.__file__).parent
ROOT = "lepton_cli"

# What everything stands on: the error types, file reading and writing, the on-disk cache,
# the data models, text made in a forked child (forked), and the package root
# (``__version__``). Any part may import these; they import only each other.
FOUNDATION = frozenset({"errors", "fileio", "diskcache", "forked", "models", ROOT})

# Subpackage -> what it may import besides the foundation.
ALLOWED: dict[str, frozenset[str]] = {
    ROOT: frozenset(),
    "errors": frozenset(),
    "fileio": frozenset({"errors", "forked"}),
    "diskcache": frozenset({"fileio"}),
    "forked": frozenset(),
    "models": frozenset({"errors"}),
    "config": frozenset(),
    "notify": frozenset(),
    # The commitments vocabulary (commitments/model.py, document.py, normalise.py): pure data
    # every layer that reads or plans commitments speaks, so it sits with the models. Its
    # document names the planner's types for typing only (TYPE_CHECKING).
    "commitments.model": frozenset({"commitments"}),
    # The price catalog caches live prices under the settings' cache dir.
    "pricing": frozenset({"config"}),
    # The query layer (Ibis): reading FOCUS commitment columns yields commitment models.
    "billing": frozenset({"commitments.model"}),
    # A provider yields models; the focus provider queries through billing/; providers read
    # owned commitments into the commitments vocabulary.
    "providers": frozenset({"billing", "commitments.model"}),
    # Breakdowns, budgets, anomalies query billing data, never a provider's own code.
    "analysis": frozenset({"billing"}),
    # Reading inventory: providers and billing exports, configured by the settings.
    "sources": frozenset({"providers", "billing", "config"}),
    "history": frozenset({"config"}),
    # The optimizer takes models and its own ProblemOptions: never config, plan or report.
    # It shares scan's waste rules (idle, clean-up) from analysis.
    "optimizer": frozenset({"analysis"}),
    # A plan is built from a solution (optimizer) and the fleet's metrics (analysis); verify
    # recomputes the inputs digest from the settings and the catalog; a plan may carry a
    # commitments purchase section. Never report: plan/ makes documents, report/ shows them.
    "plan": frozenset({"optimizer", "analysis", "pricing", "config", "commitments.model"}),
    # Commitments: read from providers and billing exports, sized on a solved or saved plan.
    "commitments": frozenset(
        {"commitments.model", "billing", "providers", "optimizer", "plan", "pricing"}
    ),
    # Apply executes a plan's actions through the providers' SDKs, as configured.
    "apply": frozenset({"plan", "providers", "config", "commitments.model"}),
    # Renderers: views and charts of what the layers below compute (plans, diffs,
    # verifications, apply results, forecasts, the budget sweep's frontier).
    "report": frozenset({"plan", "apply", "analysis", "optimizer", "commitments.model"}),
    # The HTTP API runs the CLI's commands in-process: the one place below cli/ importing it.
    "server": frozenset({"cli"}),
    # The CLI wires every part together.
    "cli": frozenset(
        {
            "config",
            "notify",
            "commitments.model",
            "pricing",
            "billing",
            "providers",
            "analysis",
            "sources",
            "history",
            "optimizer",
            "plan",
            "commitments",
            "apply",
            "report",
            "server",
        }
    ),
    # The console script: the CLI with its error handling.
    "entry": frozenset({"cli"}),
}

COMMITMENTS_VOCABULARY = frozenset(
    f"{ROOT}.commitments.{name}" for name in ("model", "document", "normalise")
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. lepton_cli.plan.diff
    target: str  # the imported module, e.g. lepton_cli.report.render
    typing_only: bool  # under `if TYPE_CHECKING:`
    local: bool  # inside a function: runs when called, not when the module loads
    line: int


def subpackage(module: str) -> str:
    """The part of the package ``module`` belongs to: lepton_cli.plan.diff -> plan."""
    if module in COMMITMENTS_VOCABULARY:
        return "commitments.model"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(
    node: ast.AST, typing_only: bool = False, local: bool = False
) -> Iterator[tuple[ast.AST, bool, bool]]:
    """Every node under ``node`` (function bodies included), whether it is typing-only and
    whether it is inside a function."""
    for child in ast.iter_child_nodes(node):
        guarded = typing_only or (
            isinstance(node, ast.If) and _is_type_checking(node) and child in node.body
        )
        inside = local or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        yield child, guarded, inside
        yield from _walk(child, guarded, inside)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(
    source: str, module: str, is_package: bool, known: frozenset[str] = frozenset()
) -> list[Import]:
    """The lepton_cli imports of one module's source. ``from pkg import name`` counts as an
    import of ``pkg.name`` when that is a module (``known``), else of ``pkg``."""
    out = []
    for node, typing_only, local in _walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            named = [f"{base}.{a.name}" for a in node.names]
            targets = list(dict.fromkeys(n if n in known else base for n in named))
        else:
            continue
        out += [
            Import(module, t, typing_only, local, node.lineno)
            for t in targets
            if t == ROOT or t.startswith(ROOT + ".")
        ]
    return out


def package_modules() -> dict[str, tuple[str, bool]]:
    """Every module of src/lepton_cli: name -> (source, is a package's __init__)."""
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        out[name] = (path.read_text(encoding="utf-8"), is_package)
    return out


def all_imports(modules: Mapping[str, tuple[str, bool]]) -> list[Import]:
    known = frozenset(modules)
    return [i for name, (src, pkg) in modules.items() for i in imports_of(src, name, pkg, known)]


def against_the_flow(found: list[Import]) -> list[str]:
    """Each import whose arrow the table does not allow, as ``module:line imports target``."""
    bad = []
    for i in found:
        a, b = subpackage(i.source), subpackage(i.target)
        if a == b:
            continue
        if a not in ALLOWED:
            bad.append(f"{i.source}: subpackage {a!r} is not in ALLOWED (place it in the flow)")
            continue
        allowed = ALLOWED[a] if a in FOUNDATION else ALLOWED[a] | FOUNDATION
        if b not in allowed:
            bad.append(f"{i.source}:{i.line} imports {i.target} ({a} -> {b})")
    return bad


def cycles(found: list[Import]) -> list[list[str]]:
    """The subpackages that import each other at run time (strongly connected components of
    more than one), each sorted; typing-only imports are not cycles at run time."""
    graph: dict[str, set[str]] = {}
    for i in found:
        a, b = subpackage(i.source), subpackage(i.target)
        if a != b and not i.typing_only:
            graph.setdefault(a, set()).add(b)
            graph.setdefault(b, set())
    return sorted(sorted(c) for c in _components(graph) if len(c) > 1)


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            out.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# ---------------------------------------------------------------------------- the package


def test_every_import_follows_the_flow() -> None:
    found = all_imports(package_modules())
    assert len(found) > 300  # the walk found the package's imports (sanity)
    assert against_the_flow(found) == []


# `lepton serve` (cli) starts the server, and the server answers each request by running the
# CLI's own command in-process, so a plan over HTTP is the CLI's plan byte for byte. The server
# imports the CLI only inside the function that runs a job: loading either never loads the other.
KNOWN_CYCLES = [["cli", "server"]]


def test_no_import_cycle_between_subpackages_but_the_server() -> None:
    found = all_imports(package_modules())
    assert cycles(found) == KNOWN_CYCLES
    into_cli = [
        i for i in found if subpackage(i.source) == "server" and subpackage(i.target) == "cli"
    ]
    assert into_cli and all(i.local for i in into_cli)


def test_the_table_names_every_subpackage() -> None:
    present = {subpackage(name) for name in package_modules()}
    assert present == set(ALLOWED)


# ------------------------------------------------------------------- the test's own teeth


def test_a_plan_module_importing_report_fails() -> None:
    source = "from lepton_cli.report import View\n"
    found = imports_of(source, "lepton_cli.plan.fake", is_package=False)
    assert against_the_flow(found) == [
        "lepton_cli.plan.fake:1 imports lepton_cli.report (plan -> report)"
    ]


def test_function_local_and_relative_imports_count() -> None:
    source = (
        "def solve():\n"
        "    from ..config import Settings\n"
        "    from . import milp\n"
        "    import lepton_cli.plan.io\n"
    )
    known = frozenset({"lepton_cli.optimizer.milp"})
    found = imports_of(source, "lepton_cli.optimizer.fake", False, known)
    assert [(i.target, i.line) for i in found] == [
        ("lepton_cli.config", 2),
        ("lepton_cli.optimizer.milp", 3),
        ("lepton_cli.plan.io", 4),
    ]
    assert against_the_flow(found) == [
        "lepton_cli.optimizer.fake:2 imports lepton_cli.config (optimizer -> config)",
        "lepton_cli.optimizer.fake:4 imports lepton_cli.plan.io (optimizer -> plan)",
    ]


def test_nothing_below_cli_imports_cli_but_the_server() -> None:
    for part in sorted(set(ALLOWED) - {"cli", "server", "entry"}):
        found = imports_of("from lepton_cli.cli import common\n", f"lepton_cli.{part}.x", False)
        assert against_the_flow(found), part


def test_a_cycle_is_found_and_typing_only_imports_are_not_one() -> None:
    back = imports_of("from lepton_cli.plan.model import Plan\n", "lepton_cli.optimizer.x", False)
    forth = imports_of("from lepton_cli.optimizer import Solution\n", "lepton_cli.plan.x", False)
    assert cycles(back + forth) == [["optimizer", "plan"]]
    typed = imports_of(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from lepton_cli.plan.model import Plan\n",
        "lepton_cli.optimizer.x",
        False,
    )
    assert typed[0].typing_only and cycles(typed + forth) == []
