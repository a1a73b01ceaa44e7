"""Bulk update and delete of the tasks a filter matches (the developer API's `operations`).

A filter object goes through the same query engine as the task list's query string:
`{"assignee_id": "user_4"}` is `assignee_id=user_4`, a list is the parameter repeated,
`{"due_date": {"lt": "2024-01-01"}}` is `due_date[lt]=2024-01-01`, and `"filter"` holds an
expression. Only tasks in the credential's visible workspaces can ever match. Every
matched task is changed through update_task / delete_task, so each gets its own event.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.query import Node, conjunction, parse_expression, parse_params
from polytask.core.query.fields import compile_tree
from polytask.core.query.values import Context
from polytask.domain.fields.service import task_field_resolver
from polytask.domain.tasks import service as tasks
from polytask.domain.tasks.queries import TASK_FIELDS, TaskFilter, filtered_tasks
from polytask.domain.tasks.rules import descendant_ids, task_snapshot
from polytask.domain.tasks.schemas import TaskUpdate
from polytask.models import Task


class BulkOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Literal["update", "delete"]
    filter: dict[str, Any] = Field(min_length=1, description="Task list filters, as an object.")
    data: dict[str, Any] | None = Field(default=None, description="For `update`: the fields to set.")


def filter_pairs(flt: dict[str, Any], where: str) -> tuple[list[tuple[str, str]], list[str]]:
    """A filter object as query-string pairs (and `filter` expressions)."""
    pairs: list[tuple[str, str]] = []
    expressions: list[str] = []
    for key, value in flt.items():
        if key == "filter":
            for text in value if isinstance(value, list) else [value]:
                expressions.append(_scalar(text, f"{where}.filter"))
        elif isinstance(value, dict):
            for op, inner in value.items():
                for one in inner if isinstance(inner, list) else [inner]:
                    pairs.append((f"{key}[{op}]", _scalar(one, f"{where}.{key}.{op}")))
        elif isinstance(value, list):
            if not value:
                raise ValidationFailed.field(f"{where}.{key}", "an empty list matches nothing")
            pairs += [(key, _scalar(v, f"{where}.{key}")) for v in value]
        else:
            pairs.append((key, _scalar(value, f"{where}.{key}")))
    return pairs, expressions


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValidationFailed.field(where, "must be a string, number or boolean (or a list of them)")


def _tree(flt: dict[str, Any], where: str) -> Node | None:
    pairs, expressions = filter_pairs(flt, where)
    try:
        nodes: list[Node] = list(parse_params(pairs))
        nodes += [parse_expression(text, "filter") for text in expressions]
    except ValidationFailed as exc:
        field = exc.details.get("field")
        raise ValidationFailed(exc.message, {**exc.details, "field": f"{where}.{field}" if field else where}) from None
    return conjunction(nodes)


def matching_task_ids(session: Session, actor: Actor, flt: dict[str, Any], *, where: str = "filter") -> list[int]:
    """Ids of the visible tasks a filter object matches, in id order."""
    tree = _tree(flt, where)
    registry = TASK_FIELDS.with_custom(task_field_resolver(session, actor, None))
    try:
        clause = compile_tree(tree, registry, Context(now=utcnow(), user_id=actor.user_id))
        tasks.check_named_containers(session, actor, tree)
    except ValidationFailed as exc:
        field = exc.details.get("field")
        raise ValidationFailed(exc.message, {**exc.details, "field": f"{where}.{field}" if field else where}) from None
    stmt = filtered_tasks(actor, TaskFilter()).where(clause).with_only_columns(Task.id).order_by(Task.id)
    return list(session.scalars(stmt))


def run_operations(
    session: Session, actor: Actor, *, operations: list[BulkOperation], dry_run: bool, maximum: int
) -> list[dict[str, Any]]:
    """Run each operation in order, in the caller's transaction; with `dry_run`, report and undo."""
    updates: list[TaskUpdate | None] = []
    for n, op in enumerate(operations):
        if op.operation == "update":
            if not op.data:
                raise ValidationFailed.field(f"operations[{n}].data", "is required for an update")
            try:
                updates.append(TaskUpdate.model_validate(op.data))
            except ValidationError as exc:
                err = exc.errors()[0]
                name = ".".join(str(p) for p in err["loc"])
                raise ValidationFailed.field(f"operations[{n}].data.{name}", str(err["msg"])) from None
        else:
            if op.data is not None:
                raise ValidationFailed.field(f"operations[{n}].data", "is not allowed for a delete")
            updates.append(None)
    # A savepoint lets a dry run do the real work (every rule checked, exact counts) and undo it.
    savepoint = session.begin_nested() if dry_run else None
    results = []
    try:
        for n, (op, data) in enumerate(zip(operations, updates, strict=True)):
            ids = matching_task_ids(session, actor, op.filter, where=f"operations[{n}].filter")
            if len(ids) > maximum:
                raise ValidationFailed.field(
                    f"operations[{n}].filter", f"matches {len(ids)} tasks; at most {maximum} per operation"
                )
            result: dict[str, Any] = {"index": n, "operation": op.operation, "matched": len(ids)}
            if data is not None:
                result["updated"] = _update(session, actor, ids, data)
            else:
                result["deleted"] = _delete(session, actor, ids)
            result["task_ids"] = [f"task_{i}" for i in ids]
            results.append(result)
    finally:
        if savepoint is not None:
            savepoint.rollback()
    return results


def _update(session: Session, actor: Actor, ids: list[int], data: TaskUpdate) -> int:
    changed = 0
    for task_id in ids:
        view = tasks.get_task_for(session, actor, task_id)
        before = task_snapshot(view.task, view.relations)
        after = tasks.update_task(session, actor, task_id=task_id, data=data)
        changed += task_snapshot(after.task, after.relations) != before
    return changed


def _delete(session: Session, actor: Actor, ids: list[int]) -> int:
    """Delete each matched task (with its subtasks); returns how many tasks were removed."""
    gone: set[int] = set()
    for task_id in ids:
        if task_id in gone:
            continue  # already removed as a subtask of an earlier match
        doomed = [task_id, *descendant_ids(session, task_id)]
        tasks.delete_task(session, actor, task_id=task_id)
        gone.update(doomed)
    return len(gone)
