"""No import circle inside app/cli or app/importers, counting type-only and in-function imports.

A circle there means two modules each need the other (a command borrowing another command's
private helpers, a reader and the mapping typing each other's rows); the shared piece belongs in
a module both import (cli/context.py, cli/lead_filters.py, importers/rows.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, package: str, known: set[str]) -> set[str]:
    """Every app module ``path`` imports anywhere in its body, as the longest known name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def _graph(folder: str) -> dict[str, set[str]]:
    files = {_module_name(p): p for p in (APP / folder).rglob("*.py")}
    known = set(files)
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = _imports(path, package, known) - {name}
    return graph


def _circle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start → … → start if there is one (depth-first)."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph[node]):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


@pytest.mark.parametrize("folder", ["cli", "importers"])
def test_no_import_circle(folder: str) -> None:
    graph = _graph(folder)
    circles = [" → ".join(c) for name in sorted(graph) if (c := _circle_through(graph, name))]
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_the_circle_finder_sees_a_circle() -> None:
    assert _circle_through({"a": {"b"}, "b": {"a"}}, "a") == ["a", "b", "a"]
