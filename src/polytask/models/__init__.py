"""SQLAlchemy 2 typed models, one module per aggregate."""

from polytask.models.base import Base
from polytask.models.events import Event
from polytask.models.projects import Project, Section
from polytask.models.tasks import Comment, Task, TaskAssignee, TaskDependency, TaskLabel
from polytask.models.users import ApiKey, User
from polytask.models.webhooks import Webhook, WebhookAttempt, WebhookDelivery
from polytask.models.workspaces import Invite, Membership, Workspace

__all__ = [
    "ApiKey",
    "Base",
    "Comment",
    "Event",
    "Invite",
    "Membership",
    "Project",
    "Section",
    "Task",
    "TaskAssignee",
    "TaskDependency",
    "TaskLabel",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "Workspace",
]
