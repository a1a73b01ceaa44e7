"""Who reaches a project: the one visibility rule for projects (and what lives in them by id)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Project

# Project lists narrow by the workspace subquery (their filters pick the index).
PROJECTS: WorkspaceRows[Project] = WorkspaceRows(
    Project, "project", key=Project.id, workspace=Project.workspace_id, among=True
)
