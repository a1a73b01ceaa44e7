"""Conditions: a `filter=` expression of the query engine, evaluated as SQL against the one row
the event is about (the same registry, operators and values a list of that resource takes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.core.query import Node
from polytask.core.query.fields import Registry, compile_tree
from polytask.core.query.syntax import parse_expression
from polytask.core.query.values import Context
from polytask.domain.projects.service import PROJECT_FIELDS_REGISTRY
from polytask.domain.risks.service import RISK_FIELDS_REGISTRY
from polytask.domain.tasks.queries import TASK_FIELDS
from polytask.models import Project, Risk, Task

# The resources whose events can carry conditions: registry and key column.
_TARGETS: dict[str, tuple[Registry, Any]] = {
    "task": (TASK_FIELDS, Task.id),
    "project": (PROJECT_FIELDS_REGISTRY, Project.id),
    "risk": (RISK_FIELDS_REGISTRY, Risk.id),
}
CONDITION_RESOURCES = tuple(_TARGETS)


def resource_of(event_pattern: str) -> str:
    return event_pattern.partition(".")[0]


def parse(text: str, event_pattern: str, field: str = "conditions") -> Node:
    """The expression as a tree, checked against the trigger's resource (422 naming `field`)."""
    resource = resource_of(event_pattern)
    target = _TARGETS.get(resource)
    if target is None:
        raise ValidationFailed.field(
            field, f"conditions apply to {', '.join(CONDITION_RESOURCES)} events, not {resource} events"
        )
    try:
        tree = parse_expression(text, field)
        # Compiled once to refuse unknown fields, operators and values now rather than at run time.
        compile_tree(tree, target[0], Context(now=utcnow()))
    except ValidationFailed as exc:
        issue = exc.details.get("issue", exc.message) if isinstance(exc.details, dict) else exc.message
        raise ValidationFailed(
            f"Invalid value for '{field}': {issue}", {**(exc.details or {}), "field": field}
        ) from exc
    return tree


def matches(session: Session, text: str | None, event_pattern: str, resource_id: int, *, user_id: int | None) -> bool:
    """Whether the resource, as it is now, satisfies the conditions (no conditions: yes; gone: no)."""
    resource = resource_of(event_pattern)
    target = _TARGETS.get(resource)
    if text is None:
        return True
    if target is None:
        return False
    registry, key = target
    tree = parse_expression(text, "conditions")
    clause = compile_tree(tree, registry, Context(now=utcnow(), user_id=user_id))
    return session.scalar(select(key).where(key == resource_id, clause)) is not None
