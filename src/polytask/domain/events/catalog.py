"""The event catalogue: every event type the log records, declared once.

Each entry names the type (`<resource>.<action>`), the resource its rows are about, a
one-line description and the model of its snapshot (payloads.py). `record_event` refuses a
type that is not here (a programming error), and so do the bulk writers through
`declared()`; tests/architecture/test_event_catalog.py fails on a write of an undeclared
literal and on an entry that nothing records.

Public events are the workspace's shared work and its administration: they are delivered
to webhooks, may be subscribed to (exact name, `<resource>.*` or `*`) and are listed in
docs/webhooks.md (generated from here: scripts/event_docs.py). Audit-only events (sign-ins,
credentials, API keys, OAuth clients, user accounts) belong to a person or to the server
rather than to a workspace's work: they are in the audit logs and nowhere else, as the
changes feed already decided for users and API keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from polytask.domain.events import payloads as p

# Sent only by POST /v1/webhooks/{id}/test: never recorded, never subscribed to.
PING_EVENT: Final = "webhook.ping"


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    resource: str
    description: str
    payload: type[p.Payload]
    public: bool = True

    @property
    def action(self) -> str:
        return self.name.partition(".")[2]


class UndeclaredEvent(LookupError):
    """An event type missing from the catalogue, or recorded for another resource: a bug."""


def _public(name: str, description: str, payload: type[p.Payload]) -> EventType:
    return EventType(name, name.partition(".")[0], description, payload)


def _audit(name: str, resource: str, description: str, payload: type[p.Payload]) -> EventType:
    return EventType(name, resource, description, payload, public=False)


_ENTRIES: Final = (
    _public("task.created", "A task was created (also each task of a bulk create or import).", p.TaskSnapshot),
    _public("task.updated", "A task's fields, assignees, labels, dependencies or project changed.", p.TaskSnapshot),
    _public("task.completed", "A change made a task completed (instead of `task.updated`).", p.TaskSnapshot),
    _public("task.deleted", "A task was deleted, or went with its parent task or project.", p.TaskSnapshot),
    _public(
        "task.email_linked", "An email thread was linked to a task (or its subject or sender changed).", p.TaskEmail
    ),
    _public("task.email_unlinked", "An email thread was unlinked from a task.", p.TaskEmailRemoved),
    _public("project.created", "A project was created.", p.ProjectSnapshot),
    _public("project.updated", "A project's fields, settings or custom values changed.", p.ProjectSnapshot),
    _public("project.deleted", "A project was deleted with its sections, tasks and comments.", p.ProjectSnapshot),
    _public(
        "project.completed", "A change made a project completed (instead of `project.updated`).", p.ProjectSnapshot
    ),
    _public("project.tags_changed", "A project's tags were set, added to or removed.", p.ProjectTagsChanged),
    _public(
        "project_attribute.created", "A project tag or category was added to a workspace.", p.ProjectAttributeSnapshot
    ),
    _public("project_attribute.updated", "A project tag or category was renamed.", p.ProjectAttributeSnapshot),
    _public(
        "project_attribute.deleted",
        "A project tag or category was deleted (projects lose it).",
        p.ProjectAttributeSnapshot,
    ),
    _public("section.created", "A section (board column) was added to a project.", p.SectionSnapshot),
    _public("section.updated", "A section was renamed or moved.", p.SectionSnapshot),
    _public("section.deleted", "A section was deleted, or went with its project.", p.SectionSnapshot),
    _public(
        "time_entry.created", "Time was logged on a project (or a task's actual hours were set).", p.TimeEntrySnapshot
    ),
    _public("time_entry.updated", "A time entry's minutes, date, task or note changed.", p.TimeEntrySnapshot),
    _public("time_entry.deleted", "A time entry was deleted.", p.TimeEntrySnapshot),
    _public("expense.created", "An expense was recorded on a project.", p.ExpenseSnapshot),
    _public("expense.updated", "An expense's amount, date, category or note changed.", p.ExpenseSnapshot),
    _public("expense.deleted", "An expense was deleted.", p.ExpenseSnapshot),
    _public(
        "import.succeeded",
        "An import job finished: every project of its file was created (each with its own events).",
        p.ImportSnapshot,
    ),
    _public(
        "import.failed",
        "An import job finished with errors: the projects that failed were rolled back, the others kept.",
        p.ImportSnapshot,
    ),
    _public("risk.created", "A risk was raised on a project.", p.RiskSnapshot),
    _public(
        "risk.updated", "A risk's assessment, plan or status (mitigated, closed, occurred) changed.", p.RiskSnapshot
    ),
    _public("risk.deleted", "A risk was deleted.", p.RiskSnapshot),
    _public("file.uploaded", "A file was attached to a task or a project.", p.FileSnapshot),
    _public(
        "file.deleted",
        "A task's or project's file was deleted (files that go with their owner have none).",
        p.FileSnapshot,
    ),
    _public("discussion.created", "A discussion was opened on a project (with its files).", p.DiscussionSnapshot),
    _public(
        "discussion.message_added",
        "A message (maybe with files) was added to a discussion.",
        p.DiscussionMessageSnapshot,
    ),
    _public("document.created", "A document was uploaded to the workspace.", p.FileSnapshot),
    _public("document.updated", "A document's title, description, category or project changed.", p.FileSnapshot),
    _public("document.deleted", "A document was deleted.", p.FileSnapshot),
    _public("department.created", "A department was added to the workspace.", p.DepartmentSnapshot),
    _public("department.updated", "A department's name, description or head changed.", p.DepartmentSnapshot),
    _public("department.deleted", "A department was deleted; its members keep no department.", p.DepartmentSnapshot),
    _public(
        "template.created", "A project template was made (from a project or written directly).", p.TemplateSnapshot
    ),
    _public("template.updated", "A template's name, description or content changed.", p.TemplateSnapshot),
    _public("template.deleted", "A template was deleted (projects made from it stay).", p.TemplateSnapshot),
    _public("comment.created", "A comment was added to a task.", p.CommentSnapshot),
    _public("comment.updated", "A comment's body changed.", p.CommentSnapshot),
    _public("comment.deleted", "A comment was deleted.", p.CommentRemoved),
    _public("list.created", "A list was created (a person's default list on first use too).", p.ListSnapshot),
    _public("list.updated", "A list was renamed, described, or given its home project.", p.ListSnapshot),
    _public("list.deleted", "A list was deleted with the tasks that were in no other list.", p.ListDeleted),
    _public("list.collaborator_added", "A list was shared with a member.", p.ListCollaborator),
    _public("list.collaborator_removed", "A list stopped being shared with someone.", p.ListCollaborator),
    _public("list.task_added", "A task was put in a list.", p.ListTask),
    _public("list.task_removed", "A task was taken out of a list.", p.ListTask),
    _public("list.reordered", "A list's active tasks were put in a new order.", p.ListOrder),
    _public("view.created", "A saved view was added to a project.", p.ViewSnapshot),
    _public("view.updated", "A saved view's name, filter, sort, fields or layout changed.", p.ViewSnapshot),
    _public("view.deleted", "A saved view was deleted.", p.ViewSnapshot),
    _public("custom_field.created", "A custom field was defined on a project or workspace.", p.FieldDefinitionScoped),
    _public("custom_field.updated", "A custom field's definition changed.", p.FieldDefinition),
    _public("custom_field.deleted", "A custom field was deleted with its values.", p.FieldDefinitionScoped),
    _public("workspace.created", "A workspace was created.", p.WorkspaceSnapshot),
    _public(
        "workspace.updated", "A workspace's name, description, settings or allowlist changed.", p.WorkspaceSnapshot
    ),
    _public(
        "workspace.deleted", "A workspace was deleted (never delivered: its webhooks go with it).", p.WorkspaceSnapshot
    ),
    _public("member.added", "Someone joined the workspace by accepting an invite.", p.MemberSnapshot),
    _public("member.updated", "A member's role, permission flags or department changed.", p.MemberUpdated),
    _public("member.removed", "Someone was removed from the workspace, or left it.", p.MemberSnapshot),
    _public("invite.created", "Someone was invited to the workspace.", p.InviteSnapshot),
    _public("invite.accepted", "An invite was accepted.", p.InviteAccepted),
    _public("invite.revoked", "An invite was revoked.", p.Empty),
    _public("automation.created", "An automation was created.", p.AutomationSnapshot),
    _public(
        "automation.updated",
        "An automation's trigger, conditions, actions or name changed, or it was enabled or disabled.",
        p.AutomationSnapshot,
    ),
    _public("automation.deleted", "An automation was deleted with its run history.", p.AutomationSnapshot),
    _public("automation.run_succeeded", "An automation ran its actions for a trigger.", p.AutomationRunResult),
    _public(
        "automation.run_failed",
        "An automation run gave up after its retries; nothing of it was kept.",
        p.AutomationRunResult,
    ),
    _public("webhook.created", "A webhook endpoint was registered.", p.WebhookSnapshot),
    _public("webhook.updated", "A webhook endpoint changed, or its secret was rotated.", p.WebhookSnapshot),
    _public("webhook.deleted", "A webhook endpoint was deleted.", p.WebhookSnapshot),
    _public("webhook.disabled", "A webhook endpoint was switched off after failures (or a 410).", p.WebhookSnapshot),
    _audit("user.created", "user", "A user account was created.", p.UserSnapshot),
    _audit("user.updated", "user", "A user's server-wide role, name or active flag changed.", p.UserSnapshot),
    _audit(
        "user.password_reset",
        "user",
        "A user's password was replaced by the operator or a server admin (a generated one, or one the admin chose).",
        p.PasswordReset,
    ),
    _audit(
        "user.password_changed",
        "user",
        "A user set a new password: knowing the old one (POST /v1/me/password) or with a mailed reset token.",
        p.PasswordChanged,
    ),
    _audit(
        "user.password_reset_requested",
        "user",
        "A password-reset token was mailed to a user (asked for by them, or by a server admin).",
        p.PasswordResetRequested,
    ),
    _audit("api_key.created", "api_key", "An API key was issued.", p.ApiKeyCreated),
    _audit("api_key.rotated", "api_key", "An API key was replaced by a new one.", p.ApiKeyRotated),
    _audit("api_key.revoked", "api_key", "An API key was revoked.", p.Empty),
    _audit("api_key.plan_changed", "api_key", "An API key was put on another rate-limit plan.", p.ApiKeyPlanChanged),
    _audit("calendar_feed.created", "calendar_feed", "A calendar feed URL was made.", p.CalendarFeedSnapshot),
    _audit(
        "calendar_feed.rotated",
        "calendar_feed",
        "A calendar feed got a new URL; the old one stopped working.",
        p.CalendarFeedSnapshot,
    ),
    _audit("calendar_feed.deleted", "calendar_feed", "A calendar feed was deleted.", p.CalendarFeedSnapshot),
    _audit("oauth_client.created", "oauth_client", "An OAuth client was registered.", p.OAuthClientCreated),
    _audit("oauth_client.deleted", "oauth_client", "An OAuth client was deleted.", p.OAuthClientDeleted),
    _audit(
        "oauth_client.plan_changed",
        "oauth_client",
        "An OAuth client was put on another rate-limit plan.",
        p.OAuthClientPlanChanged,
    ),
    _audit("auth.login_succeeded", "user", "Someone signed in with a password.", p.SignIn),
    _audit("auth.login_failed", "user", "A password sign-in failed.", p.SignIn),
    _audit("auth.login_throttled", "user", "A sign-in was refused: too many recent failures.", p.SignInThrottled),
    _audit("auth.logout", "user", "A browser session was ended.", p.Logout),
    _audit("auth.consent_granted", "oauth_client", "A user authorised an OAuth client.", p.Consent),
    _audit("auth.consent_denied", "oauth_client", "A user refused an OAuth client.", p.Consent),
    _audit("auth.token_issued", "oauth_token", "An OAuth access token was issued.", p.TokenIssued),
    _audit("auth.token_revoked", "oauth_token", "An OAuth token was revoked.", p.TokenRevoked),
    _audit("auth.oauth_refused", "oauth_client", "A request to an OAuth endpoint was refused.", p.OAuthRefused),
    _audit(
        "auth.credential_rejected",
        "credential",
        "A request's credential was rejected (never its secret).",
        p.CredentialRejected,
    ),
)


def _index(entries: Iterable[EventType]) -> Mapping[str, EventType]:
    out: dict[str, EventType] = {}
    for entry in entries:
        if entry.name in out:
            raise ValueError(f"event type {entry.name} is declared twice")
        out[entry.name] = entry
    return MappingProxyType(out)


CATALOG: Final[Mapping[str, EventType]] = _index(_ENTRIES)
PUBLIC_EVENTS: Final[tuple[str, ...]] = tuple(e.name for e in _ENTRIES if e.public)
PUBLIC_RESOURCES: Final[tuple[str, ...]] = tuple(dict.fromkeys(e.resource for e in _ENTRIES if e.public))
# What a webhook may subscribe to, as the OpenAPI document lists it.
SUBSCRIPTION_PATTERNS: Final[tuple[str, ...]] = ("*", *(f"{r}.*" for r in PUBLIC_RESOURCES), *PUBLIC_EVENTS)


def event_type(name: str, resource: str | None = None) -> EventType:
    """The declaration of `name` (recorded for `resource`, when given); UndeclaredEvent otherwise."""
    entry = CATALOG.get(name)
    if entry is None:
        raise UndeclaredEvent(f"event type {name!r} is not declared in domain/events/catalog.py")
    if resource is not None and resource != entry.resource:
        raise UndeclaredEvent(f"event type {name!r} is declared for {entry.resource!r}, not {resource!r}")
    return entry


def declared(name: str) -> str:
    """`name` itself, once checked: for writers that insert event rows without record_event."""
    return event_type(name).name


def check_pattern(raw: str, *, resources: Iterable[str] | None = None) -> str:
    """A subscription pattern, stripped: a public event name, `<resource>.*` or `*`
    (limited to `resources` when given); ValueError naming only what was given otherwise."""
    name = raw.strip()
    allowed = set(PUBLIC_RESOURCES if resources is None else resources) & set(PUBLIC_RESOURCES)
    resource, _, action = name.partition(".")
    entry = CATALOG.get(name)
    if name == "*" or (action == "*" and resource in allowed) or (entry and entry.public and resource in allowed):
        return name
    raise ValueError(f"unknown event '{raw}': use an event name listed in docs/webhooks.md, '<resource>.*' or '*'")


def matches(patterns: Iterable[object], name: str) -> bool:
    """Whether a webhook subscribed to `patterns` hears `name` (never an audit-only event)."""
    entry = CATALOG.get(name)
    if entry is None or not entry.public:
        return False
    wildcard = f"{name.partition('.')[0]}.*"
    return any(pattern in ("*", name, wildcard) for pattern in patterns)


def markdown_table(*, public: bool) -> str:
    """The docs' table of public (or audit-only) events, one row per type."""
    rows = ["| event | resource | when |", "|---|---|---|"]
    rows += [f"| `{e.name}` | {e.resource} | {e.description} |" for e in _ENTRIES if e.public is public]
    return "\n".join(rows)
