"""The core's modules import one another without a circle, and at the top of the module.

The graph is read from the source with `ast`, not from what Python happened to import: an import
inside a function (or under TYPE_CHECKING) counts like any other, since hiding one there is how a
circle is usually dodged. Cycles inside grants/, relocation/ and alerts/ alone are their owners'
business; a cycle through the core, however long, fails here."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("protect", "grants", "relocation", "alerts")

# Imports that may stay inside a function, and why: Celery task modules load their services when
# the task runs (STYLE rule 6); AppConfig.ready runs once the app registry is ready; the Celery app
# is imported by protect/__init__ before Django is configured; Pillow is loaded only by the one
# function that re-encodes images.
LOCAL_IMPORTS_ALLOWED = {
    ("protect/celery.py", "django.db"),
    ("protect/crypto/files.py", "PIL"),
}


def _modules(packages: Iterable[str]) -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement may load (a `from x import y` may load module x.y)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        parent = module.split(".") if is_package else module.split(".")[:-1]
        parent = parent[: len(parent) - (node.level - 1)]
        base = ".".join([*parent, *([node.module] if node.module else [])])
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """module → the first-party modules it imports anywhere in its body. `sources` maps a module
    to (source text, is_package)."""
    graph: dict[str, set[str]] = {}
    for module, (text, is_package) in sources.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(module, is_package, node):
                while target and target not in sources:  # `from pkg import name`: the module pkg
                    target = target.rpartition(".")[0]
                # A submodule importing its own package's __init__ is not a circle of its making.
                if target and target != module and not module.startswith(f"{target}."):
                    edges.add(target)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph.get(node, ())):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _project_graph() -> dict[str, set[str]]:
    return import_graph({name: (path.read_text(), is_package) for name, (path, is_package) in _modules(PACKAGES).items()})


def test_the_graph_sees_imports_inside_functions_and_relative_ones():
    graph = import_graph({
        "app": ("", True),
        "app.a": ("from .b import thing\n", False),
        "app.b": ("def f():\n    from app import c\n", False),
        "app.c": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n", False),
    })
    assert graph == {"app": set(), "app.a": {"app.b"}, "app.b": {"app.c"}, "app.c": {"app.a"}}
    assert cycles(graph) == [["app.a", "app.b", "app.c"]]


def test_accounts_and_crypto_have_no_import_circle():
    graph = _project_graph()
    assert [c for c in cycles(graph) if any(m.startswith(("protect.accounts", "protect.crypto")) for m in c)] == []


def test_no_import_circle_runs_through_the_core():
    graph = _project_graph()
    assert [c for c in cycles(graph) if any(m.split(".")[0] == "protect" for m in c)] == []


def test_the_core_imports_at_the_top_of_its_modules():
    """An import inside a function is allowed only for the reasons in LOCAL_IMPORTS_ALLOWED, in a
    Celery task module, or in an AppConfig; fix a circle instead of hiding an import from it."""
    hidden = []
    for name, (path, is_package) in _modules(["protect"]).items():
        relative = str(path.relative_to(ROOT))
        if path.name in {"tasks.py", "apps.py"}:
            continue
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    target = _targets(name, is_package, node)[0]
                    if not any(file == relative and (target == allowed or target.startswith(f"{allowed}."))
                               for file, allowed in LOCAL_IMPORTS_ALLOWED):
                        hidden.append(f"{relative}:{node.lineno} {target}")
    assert hidden == []
