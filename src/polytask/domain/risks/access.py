"""Who reaches a risk: the one visibility rule for risks (a member of the project's workspace)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Risk

RISKS: WorkspaceRows[Risk] = WorkspaceRows(
    Risk, "risk", key=Risk.id, workspace=Risk.workspace_id, project=Risk.project_id
)
