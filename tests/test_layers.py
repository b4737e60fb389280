"""The package's imports point down the layers and never go round in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "claude_tui"
# What each layer may import from the package besides itself; the top-level modules
# (errors, paths, interrupts, config) are foundations any layer may use.
ALLOWED = {
    "core": set(),
    "api": {"core"},
    "store": {"core"},
    "app": {"core", "api", "store"},
    "ui": {"core", "api", "store", "app"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every claude_tui module this file imports, at any depth, TYPE_CHECKING included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("claude_tui")}


def _graph() -> dict[str, set[str]]:
    return {_module(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def test_layers_import_only_downwards() -> None:
    """core imports no other layer; api and store only core; app not ui; only api the SDK."""
    problems = []
    for path in PACKAGE.rglob("*.py"):
        inside = path.relative_to(PACKAGE).parts
        layer = inside[0] if len(inside) > 1 else None
        text = path.read_text()
        if ("import anthropic" in text or "from anthropic" in text) and layer != "api":
            problems.append(f"{path.name} imports anthropic")
        if layer not in ALLOWED:
            continue
        for name in _imports(path):
            target = name.split(".")[1] if "." in name else ""
            if target in ALLOWED and target != layer and target not in ALLOWED[layer]:
                problems.append(f"{_module(path)} imports {name}")
    assert problems == []


def test_there_is_no_import_cycle() -> None:
    """No module reaches itself through its imports (ui.repl and ui.slash_commands did)."""
    graph = _graph()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for name in graph.get(start, set()):
            if name == goal or (name not in seen and reaches(name, goal, seen | {name})):
                return True
        return False

    assert [name for name in graph if reaches(name, name, {name})] == []
