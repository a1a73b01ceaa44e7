"""Who reaches a webhook endpoint: the one visibility rule for webhooks (its workspace's owners
and admins; another member fetching one by id is refused with a 403)."""

from __future__ import annotations

from polytask.domain.workspaces.access import WorkspaceRows
from polytask.models import Webhook

WEBHOOKS: WorkspaceRows[Webhook] = WorkspaceRows(
    Webhook, "webhook", key=Webhook.id, workspace=Webhook.workspace_id, managers=True
)
