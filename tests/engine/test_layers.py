"""The layers as ARCHITECTURE.md draws them: imports go down only, and never in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("indexer", "search_app")
WEB_FRAMEWORKS = ("fastapi", "starlette", "jinja2", "uvicorn", "markupsafe")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = frozenset(_module(p) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, inside a function) for every import of a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    kept = package[:len(package) - child.level + 1]
                    base = ".".join(kept + ([base] if base else []))
                # `from pkg import mod` depends on pkg.mod; `from mod import name` on mod.
                found.extend((f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES
                              else base, nested) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        graph[name] = {m for m, _ in _imports(path) if m in files and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = walk(node)
            if found:
                return found
    return None


def test_no_import_cycle() -> None:
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("path", sorted((ROOT / "search_app" / "engine").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_engine_knows_nothing_of_the_web(path: Path) -> None:
    above = ("search_app.web", "search_app.cli", "whoosh.query")
    bad = [m for m, _ in _imports(path)
           if m.split(".")[0] in WEB_FRAMEWORKS or m.startswith(above)]
    assert bad == []


@pytest.mark.parametrize("path", sorted((ROOT / "indexer").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_indexer_never_imports_the_app(path: Path) -> None:
    assert [m for m, _ in _imports(path) if m.startswith("search_app")] == []


def test_no_import_hides_in_a_function_outside_the_command_line() -> None:
    # The command line imports lazily so `atlas --help` starts fast; elsewhere an import inside
    # a function would be dodging a cycle.
    hidden = [(str(p.relative_to(ROOT)), m) for p in (ROOT / "search_app").rglob("*.py")
              if p.name != "cli.py" for m, nested in _imports(p)
              if nested and m.startswith(PACKAGES)]
    assert hidden == []
