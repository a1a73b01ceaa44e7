"""SQLAlchemy 2 typed models, one module per aggregate."""

from polytask.models.automations import Automation, AutomationRun
from polytask.models.base import Base
from polytask.models.calendars import CalendarFeed
from polytask.models.departments import Department
from polytask.models.events import Event, PrunedEventCount
from polytask.models.fields import FieldDefinition, SavedView
from polytask.models.files import BlobDeletion, Discussion, DiscussionMessage, StoredFile
from polytask.models.idempotency import IdempotencyKey
from polytask.models.imports import ImportJob
from polytask.models.lists import TaskEmailLink, TaskList, TaskListCollaborator, TaskListItem, TaskSeen
from polytask.models.mail import MailAttempt, MailMessage, PasswordReset
from polytask.models.oauth import LoginFailure, OAuthClient, OAuthCode, OAuthToken
from polytask.models.projects import Project, ProjectAttribute, ProjectTag, Section
from polytask.models.risks import Risk
from polytask.models.sessions import BrowserSession
from polytask.models.spending import Expense, TimeEntry
from polytask.models.tasks import Comment, Task, TaskAssignee, TaskDependency, TaskLabel
from polytask.models.templates import Template
from polytask.models.usage import ApiUsage
from polytask.models.users import ApiKey, User
from polytask.models.webhooks import Webhook, WebhookAttempt, WebhookDelivery
from polytask.models.workspaces import Invite, Membership, Workspace

__all__ = [
    "ApiKey",
    "ApiUsage",
    "Automation",
    "AutomationRun",
    "Base",
    "BlobDeletion",
    "BrowserSession",
    "CalendarFeed",
    "Comment",
    "Department",
    "Discussion",
    "DiscussionMessage",
    "Event",
    "Expense",
    "FieldDefinition",
    "IdempotencyKey",
    "ImportJob",
    "Invite",
    "LoginFailure",
    "MailAttempt",
    "MailMessage",
    "Membership",
    "OAuthClient",
    "OAuthCode",
    "OAuthToken",
    "PasswordReset",
    "Project",
    "ProjectAttribute",
    "ProjectTag",
    "PrunedEventCount",
    "Risk",
    "SavedView",
    "Section",
    "StoredFile",
    "Task",
    "TaskAssignee",
    "TaskDependency",
    "TaskEmailLink",
    "TaskLabel",
    "TaskList",
    "TaskListCollaborator",
    "TaskListItem",
    "TaskSeen",
    "Template",
    "TimeEntry",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "Workspace",
]
