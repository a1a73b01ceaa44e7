"""Access as SQL predicates: each resource's visibility rule is declared once.

The rule itself (a member of the row's workspace; a bound credential held to its workspace;
IP allowlists) is written in domain/workspaces/access.py. A resource states how it applies
in its package's access.py, as a `WorkspaceRows` declaration, and its fetches, lists, bulk
operations and feeds use that declaration (`visible`, `by_id`, `get_for`). A module that
joins the caller's membership by hand, or filters on the visible workspaces itself, is a
second copy of the rule, and this fails.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from polytask.core.actor import Actor
from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Membership

SRC = Path(__file__).resolve().parents[2] / "src" / "polytask"
RULE = SRC / "domain" / "workspaces" / "access.py"

# The rule's parts: only the rule's module uses them; resources go through WorkspaceRows.
RULE_PARTS = frozenset({"in_visible_workspace", "visible_workspace_ids", "managed_workspace_ids", "can_see_workspace"})


def _is_caller(node: ast.expr) -> bool:
    """`actor.user_id` (any `<...>actor.user_id`) or a `bindparam(...)`: the caller, in a predicate."""
    if isinstance(node, ast.Call):
        func = node.func
        return (isinstance(func, ast.Name) and func.id == "bindparam") or (
            isinstance(func, ast.Attribute) and func.attr == "bindparam"
        )
    if isinstance(node, ast.Attribute) and node.attr == "user_id":
        base = node.value
        return (isinstance(base, ast.Name) and base.id.endswith("actor")) or (
            isinstance(base, ast.Attribute) and base.attr.endswith("actor")
        )
    return False


def _is_membership_user(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "user_id"
        and isinstance(node.value, ast.Name)
        and node.value.id == "Membership"
    )


# Values a workspace id may come from that are not a fetched row: a filter, an input body.
_GIVEN = frozenset({"flt", "data", "actor"})


def _asks_again(node: ast.Call) -> bool:
    """`membership_for(session, actor, <row>.workspace_id)`: the row's fetch (get_for, by_id,
    get_project_and_membership) already returned the caller's membership."""
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name != "membership_for" or len(node.args) < 3:
        return False
    arg = node.args[2]
    return (
        isinstance(arg, ast.Attribute)
        and arg.attr == "workspace_id"
        and not (isinstance(arg.value, ast.Name) and arg.value.id in _GIVEN)
    )


def copies_of_the_rule(source: str, *, access_module: bool, filename: str = "<source>") -> list[str]:
    """What in `source` restates the visibility rule, as `line: what` strings."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare) and len(node.comparators) == 1:
            left, right = node.left, node.comparators[0]
            if (_is_membership_user(left) and _is_caller(right)) or (_is_membership_user(right) and _is_caller(left)):
                found.append(f"{node.lineno}: joins the caller's membership by hand")
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in RULE_PARTS:
                found.append(f"{node.lineno}: uses {name}")
        elif isinstance(node, ast.alias) and node.name in RULE_PARTS:
            found.append(f"{getattr(node, 'lineno', 0)}: imports {node.name}")
        elif (
            not access_module
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "WorkspaceRows"
        ):
            found.append(f"{node.lineno}: declares WorkspaceRows outside an access.py")
        elif isinstance(node, ast.Call) and _asks_again(node):
            found.append(f"{node.lineno}: asks for the membership of a row it fetched")
    return found


def _modules() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p != RULE and "migrations" not in p.parts]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_copy_of_a_visibility_rule(path: Path) -> None:
    found = copies_of_the_rule(path.read_text(), access_module=path.name == "access.py", filename=str(path))
    assert not found, (
        f"{path.relative_to(SRC)} restates who may see what ({'; '.join(found)}): use the resource's "
        "WorkspaceRows declaration in its domain/<resource>/access.py (visible, by_id, get_for)"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "stmt = select(Risk).where(Risk.workspace_id.in_(visible_workspace_ids(actor)))",
            ["1: uses visible_workspace_ids"],
        ),
        ("q = select(X).join(Membership, Membership.user_id == bindparam('user_id'))", None),
        ("q = exists().where(Membership.user_id == self.actor.user_id)", None),
        ("if not actor.can_see_workspace(ws): raise NotFound()", ["1: uses can_see_workspace"]),
        ("RISKS = WorkspaceRows(Risk, 'risk', key=Risk.id, workspace=Risk.workspace_id)", None),
        ("base = select(Risk).where(RISKS.visible(actor))", []),
        ("member = select(Membership.id).where(Membership.user_id == user_id)", []),
        (
            "require_write(membership_for(session, actor, project.workspace_id))",
            ["1: asks for the membership of a row it fetched"],
        ),
        ("membership_for(session, actor, flt.workspace_id)", []),
    ],
)
def test_the_check_sees_a_copy(source: str, expected: list[str] | None) -> None:
    """Each way of restating the rule is flagged; using the declaration, or asking whether some
    given user is a member, is not."""
    found = copies_of_the_rule(source, access_module=False)
    if expected is None:
        assert len(found) == 1, found
    else:
        assert found == expected


def _declarations() -> list[tuple[str, WorkspaceRows[object]]]:
    found = []
    for path in sorted((SRC / "domain").rglob("access.py")):
        name = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, WorkspaceRows):
                found.append((f"{name}.{attr}", value))
    return found


def test_one_declaration_per_table() -> None:
    """One rule per table (a managers-only reading of the same table aside): a second
    declaration for a table is a second rule."""
    seen: dict[tuple[object, bool], str] = {}
    for name, rows in _declarations():
        key = (rows.model, rows.managers)
        assert key not in seen or seen[key] == name, f"{name} restates {seen[key]}"
        seen.setdefault(key, name)
    assert len(seen) >= 10, sorted(seen.values())


ACTORS = (Actor(1, "user"), Actor(1, "user", workspace_id=7, blocked_workspaces=frozenset({9})))


@pytest.mark.parametrize("actor", ACTORS, ids=("unbound", "bound"))
@pytest.mark.parametrize("declared", _declarations(), ids=lambda d: d[0])
def test_declarations_compile(declared: tuple[str, WorkspaceRows[object]], actor: Actor) -> None:
    """Every declaration's predicate and fetch compile on both dialects, with the actor's values
    as bound parameters (the statement's text does not carry them)."""
    _name, rows = declared
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        listed = str(select(rows.key).where(rows.visible(actor)).compile(dialect=dialect))
        assert "memberships" in listed
        assert " 7" not in listed
        if rows.model is Membership:
            continue  # a predicate only (MEMBERSHIPS): a member is fetched through its workspace
        fetched = str(rows.by_id(select(rows.key)).compile(dialect=dialect))
        assert "JOIN memberships" in fetched
        assert " 7" not in fetched
