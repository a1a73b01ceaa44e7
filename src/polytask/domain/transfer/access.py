"""Who reaches an import job: the one visibility rule for import jobs (a member of its workspace)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import ImportJob

IMPORTS: WorkspaceRows[ImportJob] = WorkspaceRows(
    ImportJob, "import", key=ImportJob.id, workspace=ImportJob.workspace_id
)
