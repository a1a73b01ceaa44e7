"""Who reaches a discussion: a member of its project's workspace (lists go through the
project's rule, rows_in_project); messages are reached through their discussion."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Discussion, DiscussionMessage

DISCUSSIONS: WorkspaceRows[Discussion] = WorkspaceRows(
    Discussion, "discussion", key=Discussion.id, workspace=Discussion.workspace_id, project=Discussion.project_id
)
MESSAGES: WorkspaceRows[DiscussionMessage] = WorkspaceRows(
    DiscussionMessage, "discussion_message", key=DiscussionMessage.id, workspace=DiscussionMessage.workspace_id
)
