"""Who reaches a file: the one visibility rule for stored files (a member of the file's
workspace; a file in a project is listed through the project's rule, rows_in_project)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import StoredFile

FILES: WorkspaceRows[StoredFile] = WorkspaceRows(
    StoredFile, "file", key=StoredFile.id, workspace=StoredFile.workspace_id, project=StoredFile.project_id
)
