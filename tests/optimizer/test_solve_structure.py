"""optimizer/ has no import cycle and shares no mutable module state with its workers."""

from __future__ import annotations

import ast
from pathlib import Path

import lepton_cli.optimizer as pkg

ROOT = Path(pkg.__file__).parent


def _imports(path: Path) -> set[str]:
    """Sibling optimizer modules ``path`` imports, at any depth (function-local ones too)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("lepton_cli.optimizer."):
                out.add(node.module.rsplit(".", 1)[1])
            elif node.module == "lepton_cli.optimizer":
                out |= {a.name for a in node.names if (ROOT / f"{a.name}.py").exists()}
    return out


def test_no_import_cycle_in_the_optimizer() -> None:
    graph = {p.stem: _imports(p) for p in ROOT.glob("*.py") if p.stem != "__init__"}
    assert "efficiency" not in graph["solve"]  # the cycle that was

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' -> '.join((*path, node))}"
        for nxt in graph.get(node, ()):
            visit(nxt, (*path, node))

    for module in graph:
        visit(module, ())


def test_no_module_globals_are_rebound() -> None:
    for path in ROOT.glob("*.py"):
        tree = ast.parse(path.read_text())
        rebinds = [n for n in ast.walk(tree) if isinstance(n, ast.Global)]
        assert not rebinds, f"{path.name} rebinds a module global"
