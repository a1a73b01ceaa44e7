"""Taskforce shapes map from the native outputs and the domain: api/taskforce/shapes.py's tables
(Taskforce field -> domain field -> native attribute) name only what exists.

Renaming a domain field (or a native attribute) that a Taskforce field shows fails here, by
name, instead of breaking the Taskforce surface at run time; a table and its shape cannot
part either (every mapped field is a key of the shape, rendered in the shape's order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import inspect

from polytask.api.taskforce.shapes import LIST_MAP, SHAPE_MAPS, TASK_MAP, USER_MAP, Same, ShapeMap
from polytask.api.v1.outputs import OUTPUTS
from polytask.domain.tasks.records import TaskRecord
from polytask.models import Task, TaskList, User

# What each table's renderer is given: every class must have each mapped domain field
# (a task card holds an ORM Task after a write, a TaskRecord after a read).
READS: dict[str, tuple[type, ...]] = {
    "TaskShape": (Task, TaskRecord),
    "ListShape": (TaskList,),
    "UserShape": (User,),
}


def _fields_of(cls: type) -> frozenset[str]:
    if dataclasses.is_dataclass(cls):
        return frozenset(f.name for f in dataclasses.fields(cls))
    return frozenset(inspect(cls).attrs.keys())


def _native(kind: str) -> dict[str, Any]:
    """The attributes of the native outputs of `kind` (a user is rendered as USER and MEMBER:
    an attribute of the first one that has it)."""
    attrs: dict[str, Any] = {}
    for out in OUTPUTS:
        if out.kind == kind:
            for attr in out.attrs:
                attrs.setdefault(attr.name, attr)
    return attrs


def broken_mappings(table: ShapeMap, reads: Iterable[type]) -> list[str]:
    """What in `table` names something that does not exist, as readable lines."""
    problems: list[str] = []
    shape = table.shape.__name__
    for key in table.fields:
        if key not in table.keys:
            problems.append(f"{shape}.{key}: mapped, but not a key of the shape")
    for cls in reads:
        known = _fields_of(cls)
        for key, same in table.fields.items():
            if same.domain not in known:
                problems.append(f"{shape}.{key}: domain field {cls.__name__}.{same.domain} does not exist")
    native = _native(table.native) if table.native is not None else {}
    if table.native is not None and not native:
        problems.append(f"{shape}: no native output of type '{table.native}'")
    for key, same in table.fields.items():
        if same.native is None:
            continue
        if table.native is None:
            problems.append(f"{shape}.{key}: names native '{same.native}' but the shape has no native output")
            continue
        attr = native.get(same.native)
        if attr is None:
            problems.append(f"{shape}.{key}: native attribute {table.native}.{same.native} does not exist")
        elif attr.source is not None and attr.source != same.domain:
            problems.append(
                f"{shape}.{key}: native {table.native}.{same.native} shows {attr.source}, not {same.domain}"
            )
    return problems


@pytest.mark.parametrize("table", SHAPE_MAPS, ids=lambda t: t.shape.__name__)
def test_mapped_fields_exist(table: ShapeMap) -> None:
    assert table.shape.__name__ in READS, f"add {table.shape.__name__}'s domain classes to READS"
    assert broken_mappings(table, READS[table.shape.__name__]) == []


def test_every_shape_with_domain_values_has_a_table() -> None:
    assert {t.shape.__name__ for t in SHAPE_MAPS} == set(READS)


def test_the_tables_show_what_the_native_surface_shows() -> None:
    """The fields the issue names: a task's name, due date and completion are the native ones."""
    assert TASK_MAP.fields["name"].native == "name"
    assert TASK_MAP.fields["due_at"].native == "due_date"
    assert TASK_MAP.fields["completed_at"].native == "completed_at"
    assert USER_MAP.fields["email"].native == "email"
    assert LIST_MAP.native is None


def test_the_check_sees_a_renamed_field() -> None:
    class Shape(dict[str, Any]):
        pass

    Shape.__annotations__ = {"name": str, "due_at": str}
    table = ShapeMap(
        Shape,
        "task",
        {
            "name": Same("title", "name"),  # a domain field renamed away
            "due_at": Same("due_date", "due_on"),  # a native attribute renamed away
            "owner": Same("created_by_id"),  # not a key of the shape
        },
    )
    task = ShapeMap(Shape, "task", {"name": Same("completed_by_id", "completed_by")})
    assert broken_mappings(table, (Task,)) == [
        "Shape.owner: mapped, but not a key of the shape",
        "Shape.name: domain field Task.title does not exist",
        "Shape.name: native task.name shows name, not title",
        "Shape.due_at: native attribute task.due_on does not exist",
    ]
    assert broken_mappings(task, (Task,)) == []
    wrong = ShapeMap(Shape, "task", {"name": Same("name", "description")})
    assert broken_mappings(wrong, (Task,)) == ["Shape.name: native task.description shows description, not name"]
