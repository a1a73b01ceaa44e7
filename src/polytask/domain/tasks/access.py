"""Who reaches a task or a saved view: the one visibility rule for each."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import SavedView, Task

# A list without a narrowing filter uses `visible` (a bound credential walks
# ix_tasks_workspace_due in order); one narrowed by project, section, parent, assignee or
# label uses `among_visible` (domain/tasks/queries.py filtered_tasks says why).
TASKS: WorkspaceRows[Task] = WorkspaceRows(Task, "task", key=Task.id, workspace=Task.workspace_id)
VIEWS: WorkspaceRows[SavedView] = WorkspaceRows(SavedView, "view", key=SavedView.id, workspace=SavedView.workspace_id)
