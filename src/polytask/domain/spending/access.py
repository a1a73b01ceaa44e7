"""Who sees spending (the one visibility rule for time entries and expenses), and who may log,
change and remove it on a project."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import PermissionDenied
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.workspaces.access import WorkspaceRows, effective_permissions, require_write
from polytask.models import Expense, Membership, Project, TimeEntry

TIME_ENTRIES: WorkspaceRows[TimeEntry] = WorkspaceRows(
    TimeEntry, "time_entry", key=TimeEntry.id, workspace=TimeEntry.workspace_id, project=TimeEntry.project_id
)
EXPENSES: WorkspaceRows[Expense] = WorkspaceRows(
    Expense, "expense", key=Expense.id, workspace=Expense.workspace_id, project=Expense.project_id
)


def writable_project(session: Session, actor: Actor, project_id: int) -> tuple[Project, Membership]:
    """The project and the actor's membership, when the actor may write to it (not a viewer)."""
    project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    return project, membership


def manages_people(membership: Membership) -> bool:
    return effective_permissions(membership).get("manage_users", False)


def require_own_or_manager(membership: Membership, *owners: int | None) -> None:
    """Someone's own record (theirs, or one they created), or a member with manage_users."""
    if membership.user_id in owners or manages_people(membership):
        return
    raise PermissionDenied(
        "Only its author or a member with the manage_users permission can change this",
        {"required_permission": "manage_users"},
    )
