"""No import cycles in domain/, between modules or between packages, and resources never
import domain/flows/.

The graph is read from the AST of every module under src/polytask/domain/, with three kinds
of import, each labelled in a failure:

- module level (class bodies and `try` blocks included: they run at import);
- inside a function: it runs later, but the two modules still need each other, and a
  function-local import is the usual way a cycle gets hidden;
- under `if TYPE_CHECKING:`: it never runs, so it cannot break an import. It counts all
  the same. Decision: a type-only back-edge still means two modules that know each other and
  change together, and here every shared type already lives below the services (schemas.py,
  queries.py, records.py, models/), so such an edge is always avoidable by importing the
  type from there. The label says "TYPE_CHECKING" so nobody hunts a runtime failure.

Two checks read that graph. The first takes modules as nodes. The second takes the packages
directly under domain/ (domain/tasks/, domain/events/, ...), one node each: packages that use
each other through different modules (tasks/service.py -> fields/service.py while
fields/service.py -> tasks/rules.py) form no module cycle, but they are still one tangle,
and the packages are meant to stand in layers (docs/ARCHITECTURE.md). domain/__init__.py
(where lower packages' hooks are plugged in) is above every package and no node.

Importing `a.b.c` also runs the packages `a.b` and `a` (their __init__), so it is an edge
to those too, unless the importer lives inside them (a package is initialised before its
own modules).

Operations that span aggregates live in domain/flows/ (a project with its tasks and
fields, a task into a list, list deletion, field redefinition): flows import resources,
and nothing else in domain/ imports flows, whatever the kind of import.

A function-local import that stays says why on the line above it (`# Imported here: ...`);
the reason cannot be a cycle, since the cycle check sees it anyway.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
DOMAIN = "polytask.domain"
FLOWS = f"{DOMAIN}.flows"
REASON = "# Imported here:"


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str  # "module level", "in a function", "TYPE_CHECKING"
    line: int

    def __str__(self) -> str:
        return f"{short(self.source)} -> {short(self.target)} ({self.kind}, line {self.line})"


@dataclass(frozen=True, slots=True)
class LocalImport:
    module: str
    line: int
    text: str
    reason: str | None


def short(module: str) -> str:
    return module.removeprefix(f"{DOMAIN}.")


def module_files(src: Path, package: str) -> dict[str, Path]:
    """Every module of `package` under `src`, by dotted name (a package by its own name)."""
    root = src.joinpath(*package.split("."))
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, kind: str = "module level") -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Each import statement with the kind of place it sits in."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, kind
        return
    if isinstance(node, ast.If) and _is_type_checking(node.test):
        for statement in node.body:
            yield from _walk(statement, "TYPE_CHECKING")
        for statement in node.orelse:  # the `else:` of TYPE_CHECKING runs
            yield from _walk(statement, kind)
        return
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and kind == "module level":
        kind = "in a function"
    for child in ast.iter_child_nodes(node):
        yield from _walk(child, kind)


def _imported(node: ast.Import | ast.ImportFrom, importer: str, path: Path) -> list[str]:
    """The dotted names an import statement loads (a `from x import y` may load module x.y)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _targets(name: str, importer: str, modules: dict[str, Path]) -> set[str]:
    """The modules of the graph that importing `name` runs: the module and its packages."""
    found = set()
    while name:
        if name in modules and name != importer and not importer.startswith(f"{name}."):
            found.add(name)
        name = name.rpartition(".")[0]
    return found


def import_graph(src: Path, package: str) -> tuple[list[Edge], list[LocalImport]]:
    """The import edges between modules of `package`, and every function-local import in it."""
    modules = module_files(src, package)
    edges: set[Edge] = set()
    local: list[LocalImport] = []
    for module, path in modules.items():
        text = path.read_text()
        lines = text.splitlines()
        for node, kind in _walk(ast.parse(text, str(path))):
            for name in _imported(node, module, path):
                edges.update(Edge(module, t, kind, node.lineno) for t in _targets(name, module, modules))
            if kind == "in a function":
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                reason = above.removeprefix(REASON).strip() if above.startswith(REASON) else None
                local.append(LocalImport(module, node.lineno, lines[node.lineno - 1].strip(), reason))
    return sorted(edges, key=lambda e: (e.source, e.target, e.line)), local


def cycles(edges: list[Edge]) -> list[set[str]]:
    """The groups of modules that import each other, round and round (Tarjan's strongly
    connected components of more than one module)."""
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for edge in out.get(node, []):
            if edge.target not in index:
                visit(edge.target)
                low[node] = min(low[node], low[edge.target])
            elif edge.target in stack:
                low[node] = min(low[node], index[edge.target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(out):
        if node not in index:
            visit(node)
    return groups


def shortest_cycle(group: set[str], edges: list[Edge]) -> list[Edge]:
    """The shortest way round from the group's first module back to itself."""
    out: dict[str, list[Edge]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge)
    start = min(group)
    paths: dict[str, list[Edge]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in out.get(node, []):
            if edge.target not in group:
                continue
            if edge.target == start:
                return [*paths[node], edge]
            if edge.target not in paths:
                paths[edge.target] = [*paths[node], edge]
                queue.append(edge.target)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def _describe(group: set[str], edges: list[Edge]) -> str:
    inside = [e for e in edges if e.source in group and e.target in group]
    return "\n    ".join(
        [
            ", ".join(sorted(map(short, group))),
            "for example:",
            *(f"  {e}" for e in shortest_cycle(group, edges)),
            "every import between them:",
            *(f"  {e}" for e in inside),
        ]
    )


EDGES, LOCAL = import_graph(SRC, DOMAIN)


def test_the_graph_sees_the_tree() -> None:
    """Guard against the checks below passing on an empty or moved tree."""
    modules = module_files(SRC, DOMAIN)
    assert len(modules) >= 50
    assert FLOWS in modules
    assert len(EDGES) >= 100
    assert any(edge.target == f"{DOMAIN}.tasks.service" for edge in EDGES)


def test_no_import_cycles_in_domain() -> None:
    found = cycles(EDGES)
    assert not found, "import cycles in domain/:\n  " + "\n  ".join(f"- {_describe(g, EDGES)}" for g in found)


def package_of(module: str, root: str) -> str | None:
    """The package directly under `root` that `module` belongs to (None for `root` itself)."""
    if not module.startswith(f"{root}."):
        return None
    return f"{root}.{module.removeprefix(f'{root}.').split('.')[0]}"


def package_edges(edges: list[Edge], root: str) -> list[Edge]:
    """The module edges that cross from one package under `root` to another, named by package
    (each keeps the importing module's line, shown in a failure)."""
    # One edge per import statement and package: `from x.y import z` also runs x and x.y.
    deepest: dict[tuple[str, str, str, int], Edge] = {}
    for edge in edges:
        source, target = package_of(edge.source, root), package_of(edge.target, root)
        key = (source or "", target or "", edge.source, edge.line)
        if source and target and source != target and (key not in deepest or edge.target > deepest[key].target):
            deepest[key] = edge
    return [
        Edge(source, target, f"{e.kind}, {short(e.source)} -> {short(e.target)}", e.line)
        for (source, target, _, _), e in sorted(deepest.items())
    ]


def test_no_import_cycles_between_domain_packages() -> None:
    edges = package_edges(EDGES, DOMAIN)
    found = cycles(edges)
    assert not found, "packages of domain/ that import each other:\n  " + "\n  ".join(
        f"- {_describe(g, edges)}" for g in found
    )


def into_flows(edges: list[Edge], flows: str) -> list[Edge]:
    """Imports of the flows package from outside it."""

    def within(module: str) -> bool:
        return module == flows or module.startswith(f"{flows}.")

    return [e for e in edges if not within(e.source) and within(e.target)]


def test_resources_never_import_flows() -> None:
    upward = into_flows(EDGES, FLOWS)
    assert not upward, "only domain/flows/ may import domain/flows/:\n  " + "\n  ".join(map(str, upward))


def test_function_local_imports_say_why() -> None:
    silent = [f"{short(i.module)} line {i.line}: {i.text}" for i in LOCAL if not i.reason]
    assert not silent, (
        f"a function-local import in domain/ needs `{REASON} <why>` on the line above "
        "(and the reason cannot be a cycle):\n  " + "\n  ".join(silent)
    )


# --- the checker checks itself, on a small tree written for the purpose ----------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> tuple[list[Edge], list[LocalImport]]:
    for name, text in {"pkg/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return import_graph(tmp_path, "pkg")


@pytest.mark.parametrize(
    ("b_text", "kind"),
    [
        ("from pkg.a import x\n", "module level"),
        ("def f():\n    from pkg.a import x\n", "in a function"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n", "TYPE_CHECKING"),
        ("import typing\nif typing.TYPE_CHECKING:\n    import pkg.a\n", "TYPE_CHECKING"),
        ("from . import a\n", "module level"),
    ],
)
def test_a_cycle_is_found_whatever_the_kind_of_import(tmp_path: Path, b_text: str, kind: str) -> None:
    edges, _ = _tree(tmp_path, {"pkg/a.py": "from pkg.b import y\nx = 1\n", "pkg/b.py": b_text + "y = 2\n"})
    [group] = cycles(edges)
    assert group == {"pkg.a", "pkg.b"}
    cycle = shortest_cycle(group, edges)
    assert {(e.source, e.target) for e in cycle} == {("pkg.a", "pkg.b"), ("pkg.b", "pkg.a")}
    assert next(e for e in cycle if e.source == "pkg.b").kind == kind


def test_a_package_init_is_part_of_the_cycle(tmp_path: Path) -> None:
    """`from pkg.sub.c import z` runs pkg/sub/__init__.py, which may import back."""
    edges, _ = _tree(
        tmp_path,
        {
            "pkg/sub/__init__.py": "from pkg.a import x\n",
            "pkg/sub/c.py": "z = 3\n",
            "pkg/a.py": "from pkg.sub.c import z\nx = 1\n",
        },
    )
    assert cycles(edges) == [{"pkg.a", "pkg.sub"}]


def test_a_package_cycle_through_different_modules_is_found(tmp_path: Path) -> None:
    """a/x -> b/y and b/z -> a/w: no module cycle, but a package cycle."""
    edges, _ = _tree(
        tmp_path,
        {
            "pkg/a/__init__.py": "",
            "pkg/a/x.py": "from pkg.b.y import y\n",
            "pkg/a/w.py": "w = 1\n",
            "pkg/b/__init__.py": "",
            "pkg/b/y.py": "y = 2\n",
            "pkg/b/z.py": "def f():\n    from pkg.a.w import w\n",
            "pkg/c.py": "from pkg.a import x\n",  # above both: not in the cycle
        },
    )
    assert cycles(edges) == []
    by_package = package_edges(edges, "pkg")
    [group] = cycles(by_package)
    assert group == {"pkg.a", "pkg.b"}
    described = _describe(group, by_package)
    assert "pkg.a -> pkg.b (module level, pkg.a.x -> pkg.b.y, line 1)" in described
    assert "pkg.b -> pkg.a (in a function, pkg.b.z -> pkg.a.w, line 2)" in described


def test_layered_packages_pass(tmp_path: Path) -> None:
    edges, _ = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.b import y\n",  # the root's hooks: no node
            "pkg/a/__init__.py": "",
            "pkg/a/x.py": "from pkg.b.y import y\n",
            "pkg/b/__init__.py": "",
            "pkg/b/y.py": "import pkg\ny = 2\n",
        },
    )
    assert cycles(package_edges(edges, "pkg")) == []


def test_a_resource_importing_flows_is_found(tmp_path: Path) -> None:
    edges, _ = _tree(
        tmp_path,
        {
            "pkg/flows/__init__.py": "",
            "pkg/flows/f.py": "from pkg.a import x\n",  # flows import resources: fine
            "pkg/a.py": "x = 1\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.flows import f\n",
        },
    )
    assert {(e.source, e.target) for e in into_flows(edges, "pkg.flows")} == {
        ("pkg.b", "pkg.flows"),
        ("pkg.b", "pkg.flows.f"),
    }


def test_no_cycle_no_complaint(tmp_path: Path) -> None:
    edges, local = _tree(
        tmp_path,
        {
            "pkg/sub/__init__.py": "",
            "pkg/sub/c.py": "from pkg.sub import d\n",  # its own package: no edge to the __init__
            "pkg/sub/d.py": "import pkg.a\n",
            "pkg/a.py": "def f():\n    # Imported here: only the CLI needs it\n    import json\n",
        },
    )
    assert cycles(edges) == []
    assert [i.reason for i in local] == ["only the CLI needs it"]


def test_recorded_events_reach_the_outbox_whatever_is_imported_first() -> None:
    """domain/events/ does not import webhooks; domain/__init__.py plugs the outbox in (and the
    blob reaper's wake-up, and the automations' runs), so it is there even in a process that
    imports nothing but the event service."""
    probe = (
        "from polytask.domain.events import service\n"
        "from polytask.domain.automations.runner import queue_runs\n"
        "from polytask.domain.files.blobs import wake_on_deletions\n"
        "from polytask.domain.webhooks.outbox import queue_deliveries\n"
        "assert service._FAN_OUTS == [queue_deliveries, wake_on_deletions, queue_runs], service._FAN_OUTS\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=SRC.parent, timeout=60)
