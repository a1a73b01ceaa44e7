"""Who reaches a template: the one visibility rule for templates (a member of its workspace)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Template

TEMPLATES: WorkspaceRows[Template] = WorkspaceRows(
    Template, "template", key=Template.id, workspace=Template.workspace_id
)
