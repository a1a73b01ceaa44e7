"""Who reaches an automation: the one visibility rule for automations (its workspace's owners
and admins, like webhook endpoints; another member fetching one by id is refused with a 403)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Automation

AUTOMATIONS: WorkspaceRows[Automation] = WorkspaceRows(
    Automation,
    "automation",
    key=Automation.id,
    workspace=Automation.workspace_id,
    project=Automation.project_id,
    managers=True,
)
