"""Bulk task creation: validate every item first, then insert them all in a few statements.

All or none: any invalid item makes the whole request a 422 whose `details.errors` names
each failing item by its `index` in the request (and `details.source.pointer` the first one
as a JSON pointer into the body). Each created task still gets its own `task.created` event
(and `task.completed` when created completed), as a single create does.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.domain.fields.service import check_values, definitions_for
from polytask.domain.members.people import resolve_people
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.tasks.created import NewTaskView, ValidTask, write_tasks
from polytask.domain.tasks.rules import (
    check_dependencies,
    check_parent,
    check_section,
)
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.workspaces.access import require_write
from polytask.models import Membership, Project


class ItemErrors:
    """Errors collected per item index, raised together as one 422."""

    def __init__(self, collection: str) -> None:
        self.collection = collection
        self.items: list[dict[str, Any]] = []

    def add(self, index: int, field: str, issue: str, value: Any = None) -> None:
        item: dict[str, Any] = {"index": index, "field": field, "issue": issue}
        if value is not None and isinstance(value, str | int | float | bool):
            item["provided_value"] = value
        self.items.append(item)

    def add_domain(self, index: int, error: ValidationFailed | NotFound) -> None:
        details = error.details
        name = str(details.get("field") or details.get("resource") or "item")
        self.add(index, name, str(details.get("issue") or error.message), details.get("provided_value"))

    def add_pydantic(self, index: int, error: ValidationError) -> None:
        for err in error.errors():
            name = ".".join(str(p) for p in err.get("loc", ()) if not str(p).startswith(("list[", "function-")))
            kind = err.get("type", "")
            issue = "unknown field" if kind == "extra_forbidden" else "is required" if kind == "missing" else err["msg"]
            self.add(index, name or "item", str(issue), err.get("input") if kind != "missing" else None)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        where = f"{self.collection}[{first['index']}].{first['field']}"
        # `a.b`, `a[0]` and `a.0` spell a path inside the item; the pointer's steps are `/`.
        steps = re.sub(r"\[(\d+)\]", r".\1", first["field"]).strip(".").replace(".", "/")
        pointer = f"/{self.collection}/{first['index']}/{steps}"
        raise ValidationFailed(
            f"Invalid value for '{where}': {first['issue']} ({len(self.items)} error(s); nothing was written)",
            {**first, "field": where, "source": {"pointer": pointer}, "errors": self.items},
        )


def check_count(items: list[Any], *, collection: str, maximum: int) -> None:
    if not items:
        raise ValidationFailed.field(collection, "must hold at least one item")
    if len(items) > maximum:
        raise ValidationFailed.field(collection, f"holds {len(items)} items; at most {maximum} per request")


# The flat form's item without a project: what to do instead (docs/compat/native.md).
NO_PROJECT = "is required: name a project_id on each task, or once at the top level of the body for every task"


def create_tasks(
    session: Session,
    actor: Actor,
    *,
    project_id: int | None,
    items: list[Any],
    maximum: int,
    default_project_id: int | None = None,
) -> list[NewTaskView]:
    """Create many tasks at once, all or none. `project_id` (the nested route's path) holds for
    every item; otherwise each item names its own `project_id`, else `default_project_id` (the
    flat form's top-level one) applies."""
    check_count(items, collection="tasks", maximum=maximum)
    errors = ItemErrors("tasks")
    parsed: list[tuple[int, TaskCreate]] = []
    for index, raw in enumerate(items):
        try:
            parsed.append((index, TaskCreate.model_validate(raw)))
        except ValidationError as exc:
            errors.add_pydantic(index, exc)
    errors.raise_if_any()

    projects: dict[int, Project] = {}
    memberships: dict[int, Membership] = {}
    valid: list[ValidTask] = []
    for index, data in parsed:
        target = project_id if project_id is not None else data.project_id
        if target is None:
            target = default_project_id
        if target is None:
            errors.add(index, "project_id", NO_PROJECT)
            continue
        if project_id is not None and data.project_id is not None and data.project_id != project_id:
            errors.add(index, "project_id", "does not match the project in the path", f"project_{data.project_id}")
            continue
        project = projects.get(target)
        if project is None:
            try:
                project, membership = get_project_and_membership(session, actor, target)
            except NotFound:
                if project_id is not None:
                    raise  # the path's own project: a 404 like every nested route
                if data.project_id is None:  # the top-level one: said once, for the body
                    raise ValidationFailed.field("project_id", "was not found", f"project_{target}") from None
                errors.add(index, "project_id", "was not found", f"project_{target}")
                continue
            projects[target] = project
            if project.workspace_id not in memberships:
                require_write(membership)
                memberships[project.workspace_id] = membership
        valid.append(ValidTask(index, data, project))
    errors.raise_if_any()

    _resolve_people(session, valid, errors)
    defined = {pid: bool(definitions_for(session, p)) for pid, p in projects.items()}
    # Each project's ids read once: an ORM attribute read per item was about 2% of a bulk create.
    places = {id(p): (p.id, p.workspace_id) for p in projects.values()}
    for item in valid:
        data = item.data
        project_id, workspace_id = places[id(item.project)]
        # Most items name no section, parent or dependency: no check is called for them.
        if data.section_id is not None or data.parent_id is not None or data.dependencies:
            try:
                check_section(session, project_id, data.section_id)
                check_parent(session, None, project_id, data.parent_id)
                if data.dependencies:
                    item.deps = check_dependencies(session, None, workspace_id, data.dependencies)
            except ValidationFailed as exc:
                errors.add_domain(item.index, exc)
                continue
        if data.custom_fields or defined[project_id]:
            _check_custom(session, item, errors)
    errors.raise_if_any()
    return write_tasks(
        session, actor, valid, {p.workspace_id: memberships[p.workspace_id].role for p in projects.values()}
    )


def _check_custom(session: Session, item: ValidTask, errors: ItemErrors) -> None:
    try:
        item.custom = check_values(session, item.project, item.data.custom_fields or {}, current=None)
    except ValidationFailed as exc:
        errors.add_domain(item.index, exc)


def _resolve_people(session: Session, items: list[ValidTask], errors: ItemErrors) -> None:
    """Resolve each distinct person reference once per workspace, not once per task."""
    cache: dict[tuple[int, str], int | ValidationFailed] = {}
    for item in items:
        people = item.data.people()
        if not people:
            continue
        resolved: list[int] = []
        for ref in people:
            key = (item.project.workspace_id, str(ref))
            if key not in cache:
                try:
                    cache[key] = resolve_people(session, item.project.workspace_id, [ref], "assignee_id")[0]
                except ValidationFailed as exc:
                    cache[key] = exc
            found = cache[key]
            if isinstance(found, ValidationFailed):
                errors.add_domain(item.index, found)
                break
            if found not in resolved:
                resolved.append(found)
        item.assignees = resolved
