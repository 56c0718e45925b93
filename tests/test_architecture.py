"""The house has floors and imports only point down them.

Every module of `campuseval/` is parsed with `ast`; every import (function-local ones included)
of another part of the package is an edge between two apps. The test fails on an import up the
floors and on any cycle between apps, so a shared thing has to move down to where both can reach
it instead of being imported sideways or from inside a function."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "campuseval"

#: Lowest first. An app may import its own floor (without a cycle) and any floor below.
FLOORS: list[set[str]] = [
    {"engine"},
    {"spreadsheets", "audit", "orgs", "accounts", "files", "listing"},
    {"access"},
    {"notifications", "units", "people"},
    {"campaigns"},
    {"applications"},
    {"reviews"},
    {"cultivation"},
    {"reports"},
    {"shell", "urls", "settings", "wsgi", "cli"},
]
FLOOR_OF = {app: index for index, floor in enumerate(FLOORS) for app in floor}


def app_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, name: str | None = None) -> list[tuple[str, int]]:
    """Absolute names of the campuseval modules a file imports, with line numbers."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found.extend((f"{target}.{alias.name}", node.lineno) for alias in node.names)
    return [(m, line) for m, line in found if m.startswith("campuseval.")]


def app_edges() -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = app_of(module_name(path))
        for target_module, line in imported_modules(path):
            target = app_of(target_module)
            is_part = (PACKAGE / target).is_dir() or (PACKAGE / f"{target}.py").exists()
            if is_part and target != source:
                edges[(source, target)].append(f"{path.relative_to(PACKAGE)}:{line}")
    return edges


def test_every_app_has_a_floor() -> None:
    apps = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    apps |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert apps - set(FLOOR_OF) == set()


def test_no_import_goes_up_a_floor() -> None:
    upward = [
        f"{source} → {target} ({', '.join(where[:3])})"
        for (source, target), where in sorted(app_edges().items())
        if FLOOR_OF[target] > FLOOR_OF[source]
    ]
    assert upward == []


def test_no_cycle_between_apps() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in app_edges():
        graph[source].add(target)
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt == path[0]:
                cycles.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


@pytest.mark.parametrize("private", ["_xlsx", "_below", "_in_scope", "_role_units"])
def test_no_private_helper_is_imported_from_another_app(private: str) -> None:
    for path in PACKAGE.rglob("*.py"):
        for module, line in imported_modules(path):
            assert not module.endswith(f".{private}"), f"{path}:{line} imports {module}"


def test_the_engine_imports_no_django() -> None:
    for path in (PACKAGE / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path


def test_the_walker_sees_function_local_and_relative_imports(tmp_path: Path) -> None:
    """An import inside a function (the way cycles used to hide) and a relative one both count."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    from campuseval.reviews import models\n    from ..applications import queries\n",
        encoding="utf-8",
    )
    found = {m for m, _ in imported_modules(probe, "campuseval.campaigns.probe")}
    assert {"campuseval.reviews.models", "campuseval.applications.queries"} <= found
