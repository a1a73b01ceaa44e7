"""Who sees a custom field definition: the one visibility rule for field definitions across
workspaces (one project's fields are reached through the project, fields/service.py)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import FieldDefinition

FIELDS: WorkspaceRows[FieldDefinition] = WorkspaceRows(
    FieldDefinition, "custom_field", key=FieldDefinition.id, workspace=FieldDefinition.workspace_id, among=True
)
