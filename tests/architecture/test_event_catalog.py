"""Every event type written anywhere in src/ is declared in the catalogue, and every declared
type is written somewhere (domain/events/catalog.py).

The scan follows the type from each `record_event(type=...)` back to its literals: through
conditional expressions, module constants, helpers that pass their own parameter on (`_record`,
`_audit`), and f-strings built from a parameter (`record_update`: `f"{resource_type}.updated"`).
A type it cannot follow to literals fails the test: every event type must be visible in the
source. Writers that insert event rows themselves (bulk paths) must name their types through
`declared(...)`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from polytask.domain.events.catalog import CATALOG, PUBLIC_EVENTS, PUBLIC_RESOURCES, markdown_table

SRC = Path(__file__).resolve().parents[2] / "src" / "polytask"
ROOT = SRC.parents[1]
EVENT_SHAPE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
# The one place an Event row is built from Python objects.
RECORDER = SRC / "domain" / "events" / "service.py"


@dataclass(frozen=True)
class Writer:
    """A function whose call writes an event whose type is `template(argument)`."""

    name: str
    param: str
    position: int | None  # positional index of the parameter, None when keyword-only
    module: Path | None  # a private helper is only called from its own module
    template: Callable[[str], str] = field(compare=False)


@dataclass
class Scan:
    types: dict[str, list[str]] = field(default_factory=dict)  # type -> where written
    problems: list[str] = field(default_factory=list)


class _Module:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(), str(path))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.constants = {
            target.id: node.value.value
            for node in self.tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }

    def where(self, node: ast.AST) -> str:
        shown = self.path.relative_to(SRC) if self.path.is_relative_to(SRC) else self.path.name
        return f"{shown}:{getattr(node, 'lineno', '?')}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        current = self.parents.get(node)
        while current is not None and not isinstance(current, ast.FunctionDef):
            current = self.parents.get(current)
        return current

    def calls(self) -> Iterator[tuple[str, ast.Call]]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                if isinstance(node.func, ast.Name):
                    yield node.func.id, node
                elif isinstance(node.func, ast.Attribute):
                    yield node.func.attr, node


def _argument(call: ast.Call, writer: Writer) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == writer.param:
            return keyword.value
    if writer.position is not None and writer.position < len(call.args):
        return call.args[writer.position]
    return None


def _parameter(function: ast.FunctionDef, name: str) -> tuple[str, int | None] | None:
    positional = [*function.args.posonlyargs, *function.args.args]
    for index, arg in enumerate(positional):
        if arg.arg == name:
            return name, index
    if any(arg.arg == name for arg in function.args.kwonlyargs):
        return name, None
    return None


def scan(paths: list[Path]) -> Scan:
    modules = [_Module(path) for path in paths]
    result = Scan()
    pending = [
        Writer("record_event", "type", None, None, lambda t: t),
        Writer("declared", "name", 0, None, lambda t: t),
    ]
    seen: set[Writer] = set()
    while pending:
        writer = pending.pop()
        if writer in seen:
            continue
        seen.add(writer)
        for module in modules:
            if writer.module is not None and module.path != writer.module:
                continue
            for called, call in module.calls():
                if called != writer.name:
                    continue
                _follow(module, call, writer, result, pending)
    return result


def _follow(module: _Module, call: ast.Call, writer: Writer, result: Scan, pending: list[Writer]) -> None:
    where = module.where(call)
    value = _argument(call, writer)
    if value is None:
        result.problems.append(f"{where}: {writer.name}() without `{writer.param}`")
        return
    for expr, template in _alternatives(value, writer.template):
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            result.types.setdefault(template(expr.value), []).append(where)
            continue
        if isinstance(expr, ast.Name) and expr.id in module.constants:
            result.types.setdefault(template(module.constants[expr.id]), []).append(where)
            continue
        function = module.function_of(call)
        name = _passed_parameter(expr)
        found = _parameter(function, name[0]) if function is not None and name is not None else None
        if function is None or name is None or found is None:
            result.problems.append(f"{where}: cannot follow the event type {ast.unparse(expr)!r} to a literal")
            continue
        prefix, suffix = name[1], name[2]
        pending.append(
            Writer(
                function.name,
                found[0],
                found[1],
                module.path if function.name.startswith("_") else None,
                lambda t, inner=template, a=prefix, b=suffix: inner(f"{a}{t}{b}"),
            )
        )


def _alternatives(expr: ast.expr, template: Callable[[str], str]) -> Iterator[tuple[ast.expr, Callable[[str], str]]]:
    if isinstance(expr, ast.IfExp):
        yield from _alternatives(expr.body, template)
        yield from _alternatives(expr.orelse, template)
    else:
        yield expr, template


def _passed_parameter(expr: ast.expr) -> tuple[str, str, str] | None:
    """(parameter, text before, text after) for `name` or an f-string around one name."""
    if isinstance(expr, ast.Name):
        return expr.id, "", ""
    if isinstance(expr, ast.JoinedStr):
        names = [v for v in expr.values if isinstance(v, ast.FormattedValue)]
        if len(names) != 1 or not isinstance(names[0].value, ast.Name) or names[0].format_spec is not None:
            return None
        index = expr.values.index(names[0])
        texts = [v.value if isinstance(v, ast.Constant) else "" for v in expr.values]
        return names[0].value.id, "".join(texts[:index]), "".join(texts[index + 1 :])
    return None


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


SCAN = scan(_sources())


def test_the_scan_sees_the_writers() -> None:
    """Guard against a scan that silently finds nothing (a moved tree, a renamed function)."""
    assert len(SCAN.types) >= 50
    for name in ("task.created", "project.updated", "list.task_added", "auth.login_failed", "auth.credential_rejected"):
        assert name in SCAN.types, name


def test_every_event_type_is_followed_to_a_literal() -> None:
    assert not SCAN.problems, "\n".join(SCAN.problems)


def test_every_written_event_type_is_declared() -> None:
    undeclared = {name: where for name, where in SCAN.types.items() if name not in CATALOG}
    assert not undeclared, f"declare these in domain/events/catalog.py: {undeclared}"


def test_every_declared_event_type_is_written() -> None:
    dead = sorted(set(CATALOG) - set(SCAN.types))
    assert not dead, f"nothing records these catalogue entries (remove them or record them): {dead}"


def _direct_writers() -> list[Path]:
    """Modules that put rows in the events table without record_event."""
    found = []
    for path in _sources():
        if path == RECORDER:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func, args = node.func, node.args
            builds_event = isinstance(func, ast.Name) and func.id == "Event"
            inserts_event = (
                isinstance(func, ast.Name) and func.id == "insert" and args and ast.unparse(args[0]) == "Event"
            )
            writes_table = (
                isinstance(func, ast.Attribute)
                and func.attr == "insert"
                and args
                and isinstance(args[0], ast.Constant)
                and args[0].value == "events"
            )
            if builds_event or inserts_event or writes_table:
                found.append(path)
                break
    return found


def test_the_direct_writers_are_found() -> None:
    names = {p.relative_to(SRC).as_posix() for p in _direct_writers()}
    assert {"domain/tasks/imports.py", "domain/tasks/created.py"} <= names


@pytest.mark.parametrize("path", _direct_writers(), ids=lambda p: str(p.relative_to(SRC)))
def test_direct_writers_name_their_types_through_declared(path: Path) -> None:
    """A string shaped like an event type in such a module must be the argument of declared()."""
    module = _Module(path)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    bare = []
    for node in ast.walk(module.tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and EVENT_SHAPE.match(node.value)):
            continue
        parent = module.parents.get(node)
        inside_declared = isinstance(parent, ast.Call) and ast.unparse(parent.func).endswith("declared")
        if id(node) not in docstrings and not inside_declared:
            bare.append(f"{module.where(node)}: {node.value!r}")
    assert not bare, f"write these as declared('...'): {bare}"


def test_the_scan_catches_an_undeclared_type(tmp_path: Path) -> None:
    """The rules above on a made-up module: literal, helper parameter, f-string, unfollowable."""
    source = tmp_path / "sample.py"
    source.write_text(
        "def _record(session, kind):\n"
        "    record_event(session, None, type=kind, resource_type='task')\n"
        "def record_change(session, *, resource_type):\n"
        "    record_event(session, None, type=f'{resource_type}.changed', resource_type=resource_type)\n"
        "def go(session, anything):\n"
        "    record_event(session, None, type='task.exploded' if anything else 'task.created')\n"
        "    _record(session, 'task.vanished')\n"
        "    record_change(session, resource_type='gizmo')\n"
        "    record_event(session, None, type=anything.upper())\n"
    )
    found = scan([source])
    assert set(found.types) == {"task.exploded", "task.created", "task.vanished", "gizmo.changed"}
    [problem] = found.problems
    assert "anything.upper()" in problem


def test_public_events_are_named_after_their_resource() -> None:
    """`<resource>.*` subscribes to a resource's events, so a public type's prefix is its resource."""
    for name in PUBLIC_EVENTS:
        assert CATALOG[name].resource == name.partition(".")[0], name
    assert set(PUBLIC_RESOURCES) >= {"task", "list", "view", "custom_field"}


DOCS = ROOT / "docs" / "webhooks.md"


@pytest.mark.parametrize("public", [True, False], ids=["public", "audit-only"])
def test_docs_list_the_catalogue(public: bool) -> None:
    """docs/webhooks.md's tables are generated from the catalogue, between marker comments."""
    marker = "public" if public else "audit-only"
    text = DOCS.read_text()
    begin, end = f"<!-- events:{marker} -->\n", f"\n<!-- /events:{marker} -->"
    assert begin in text, f"docs/webhooks.md lacks the {marker} markers"
    assert end in text, f"docs/webhooks.md lacks the {marker} markers"
    shown = text.split(begin, 1)[1].split(end, 1)[0]
    assert shown == markdown_table(public=public), "regenerate it: .venv/bin/python scripts/event_docs.py"
