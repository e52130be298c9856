"""The import graph of `surveys`, drawn from the code (every import statement, at module level,
inside functions or under TYPE_CHECKING): no cycles, and imports only go down the floors
app/blueprints → services → models → reading, with small support modules at the bottom."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "surveys"
TOP = ("surveys", "surveys.cli", "surveys.worker")  # the app factory and its two entry points
FLOORS = (
    ("surveys.blueprints", 4),
    ("surveys.http", 4),
    ("surveys.openapi", 4),
    ("surveys.services", 3),
    ("surveys.models", 2),
    ("surveys.reading", 1),
)
PURE_FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "sqlalchemy", "werkzeug")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """Every name `name` imports: modules of the package (resolved) and outside ones (as written)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    resolved = set()
    for target in targets:
        while target not in modules and "." in target and target.startswith("surveys."):
            target = target.rpartition(".")[0]
        if target != name:
            resolved.add(target)
    return resolved


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _floor(name: str) -> int:
    if name in TOP:
        return 5
    return next((floor for prefix, floor in FLOORS if name == prefix or name.startswith(prefix + ".")), 0)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root] & graph.keys())))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root), on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child), on_stack.add(child)
                    work.append((child, iter(sorted(graph[child] & graph.keys()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_package_has_no_import_cycles():
    graph = _graph()
    assert len(graph) > 90 and sum(map(len, graph.values())) > 300  # the graph really was drawn
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_never_climb_back_up_a_floor():
    graph = _graph()
    climbing = sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        for target in targets
        if target.startswith("surveys") and _floor(target) > _floor(name)
    )
    assert climbing == []


def test_reading_imports_no_framework_no_database_and_nothing_above_it():
    graph = _graph()
    reading = {name: targets for name, targets in graph.items() if name.startswith("surveys.reading")}
    assert len(reading) >= 10
    bad = sorted(
        f"{name} -> {target}"
        for name, targets in reading.items()
        for target in targets
        if target.split(".")[0] in PURE_FORBIDDEN
        or target.startswith(("surveys.services", "surveys.blueprints", "surveys.models"))
    )
    assert bad == []
