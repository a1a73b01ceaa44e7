"""Redefining custom fields: a changed or deleted definition rewrites the task values it governs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.fields import service as fields
from polytask.domain.fields.schemas import FieldDefinitionUpdate
from polytask.domain.tasks.service import replace_custom_value
from polytask.models import FieldDefinition


def update_field(
    session: Session, actor: Actor, *, project_id: int, field_id: int, data: FieldDefinitionUpdate
) -> FieldDefinition:
    """Change a project's field; values its new options no longer fit are migrated, or the change refused."""
    scope, defn = fields.field_for_change(session, actor, project_id=project_id, field_id=field_id, action="change")
    return _redefine(session, actor, scope, defn, data)


def update_workspace_field(
    session: Session, actor: Actor, *, workspace_id: int, field_id: int, data: FieldDefinitionUpdate
) -> FieldDefinition:
    """Change a workspace field, in every project that inherits it."""
    scope, defn = fields.workspace_field_for_change(session, actor, workspace_id=workspace_id, field_id=field_id)
    return _redefine(session, actor, scope, defn, data)


def delete_field(session: Session, actor: Actor, *, project_id: int, field_id: int) -> None:
    """Delete the field and remove its values from the project's tasks."""
    scope, defn = fields.field_for_change(session, actor, project_id=project_id, field_id=field_id, action="delete")
    _remove(session, actor, scope, defn)


def delete_workspace_field(session: Session, actor: Actor, *, workspace_id: int, field_id: int) -> None:
    """Delete a workspace field and its values in every project that inherited it."""
    scope, defn = fields.workspace_field_for_change(session, actor, workspace_id=workspace_id, field_id=field_id)
    _remove(session, actor, scope, defn)


def _redefine(
    session: Session, actor: Actor, scope: fields.Scope, defn: FieldDefinition, data: FieldDefinitionUpdate
) -> FieldDefinition:
    # Values first (one task.updated each), then the definition (custom_field.updated).
    for rewrite in fields.option_rewrites(session, scope, defn, data):
        replace_custom_value(session, actor, rewrite.task, defn.key, rewrite.value)
    return fields.update_definition(session, actor, scope, defn, data)


def _remove(session: Session, actor: Actor, scope: fields.Scope, defn: FieldDefinition) -> None:
    for task in fields.tasks_with_key(session, scope, defn.key):
        replace_custom_value(session, actor, task, defn.key, None)
    fields.delete_definition(session, actor, scope, defn)
