"""Who reaches a project: the one visibility rule for projects (and what lives in them by id)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Project, ProjectAttribute

Row = TypeVar("Row")

# Project lists narrow by the workspace subquery (their filters pick the index).
PROJECTS: WorkspaceRows[Project] = WorkspaceRows(
    Project, "project", key=Project.id, workspace=Project.workspace_id, among=True
)


def rows_in_project(
    session: Session, actor: Actor, rows: WorkspaceRows[Row], *, project_id: int | None
) -> Select[tuple[Row]]:
    """A list's base: the rows of `rows`'s table the actor sees, or those of one project
    (NotFound for a project the actor cannot see, as in a path)."""
    base: Select[Any] = select(rows.model).where(rows.visible(actor))
    if project_id is not None:
        assert rows.project is not None, f"{rows.kind} rows do not live in a project"
        PROJECTS.get_for(session, actor, project_id)
        base = base.where(rows.project == project_id)
    return base


# A workspace's project tags and categories (TaskIP's project attributes).
ATTRIBUTES: WorkspaceRows[ProjectAttribute] = WorkspaceRows(
    ProjectAttribute, "project_attribute", key=ProjectAttribute.id, workspace=ProjectAttribute.workspace_id
)
