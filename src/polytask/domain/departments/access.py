"""Who reaches a department: the one visibility rule for departments (a member of its workspace)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Department

DEPARTMENTS: WorkspaceRows[Department] = WorkspaceRows(
    Department, "department", key=Department.id, workspace=Department.workspace_id
)
