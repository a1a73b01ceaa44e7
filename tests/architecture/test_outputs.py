"""A native resource's output is declared once (api/v1/outputs.py), and everything follows it:

- every renderer produces exactly the declared attributes and relationships, each of the
  declared type (its closed attribute model validates the rendering);
- every resource schema of /openapi.json is closed and requires every attribute that is
  always rendered;
- every field of a resource's event snapshot is shown by some attribute (`source`), so a new
  domain field cannot be written into events and forgotten by the API.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import ValidationError

from polytask.api.app import create_app
from polytask.api.v1 import api_usage, audit, events, oauth_clients, outputs, resources, webhooks
from polytask.api.v1.outputs import Output
from polytask.api.v1.render import Resource
from polytask.core.settings import Settings
from polytask.domain.automations.history import Evaluation
from polytask.domain.automations.service import AUTOMATION_FIELDS
from polytask.domain.calendars.service import FEED_FIELDS
from polytask.domain.changes.feed import FeedItem
from polytask.domain.departments.service import DEPARTMENT_FIELDS
from polytask.domain.fields.service import DEFINITION_FIELDS
from polytask.domain.members.service import Member
from polytask.domain.projects.service import PROJECT_FIELDS, SECTION_FIELDS
from polytask.domain.reports.analytics import Analytics, Bucket, CycleTime, Figures, Group
from polytask.domain.risks.service import RISK_FIELDS
from polytask.domain.spending.expenses import EXPENSE_FIELDS
from polytask.domain.spending.time_entries import TIME_ENTRY_FIELDS
from polytask.domain.tasks.comments import COMMENT_SNAPSHOT_FIELDS
from polytask.domain.tasks.queries import TaskRelations, TaskView
from polytask.domain.tasks.rules import SNAPSHOT_FIELDS
from polytask.domain.tasks.views import VIEW_FIELDS
from polytask.domain.templates.service import TEMPLATE_FIELDS
from polytask.domain.transfer.jobs import IMPORT_FIELDS
from polytask.domain.usage.report import Figures as UsageFigures
from polytask.domain.usage.report import UsageReport, UsageSeries
from polytask.domain.users.service import USER_FIELDS
from polytask.domain.webhooks.service import WEBHOOK_FIELDS, DeliveryLog
from polytask.domain.workspaces.service import WORKSPACE_FIELDS
from polytask.models import (
    ApiKey,
    Automation,
    AutomationRun,
    CalendarFeed,
    Comment,
    Department,
    Event,
    Expense,
    FieldDefinition,
    ImportJob,
    Invite,
    Membership,
    OAuthClient,
    Project,
    Risk,
    SavedView,
    Section,
    Task,
    Template,
    TimeEntry,
    User,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    Workspace,
)
from polytask.models.usage import LATENCY_COLUMNS

NOW = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
STAMPS = {"created_at": NOW, "updated_at": NOW}


def _user() -> User:
    return User(id=3, username="ada", email="ada@example.com", name="Ada", role="user", department="R&D", **STAMPS)


def _feed() -> CalendarFeed:
    return CalendarFeed(
        id=5, user_id=3, kind="project", project_id=7, workspace_id=1, name="Launch", created_at=NOW, rotated_at=NOW
    )


def _task() -> TaskView:
    task = Task(
        id=42,
        workspace_id=1,
        project_id=2,
        section_id=5,
        parent_id=41,
        name="Write the spec",
        description="",
        status="completed",
        priority="high",
        due_date=NOW,
        start_date=NOW,
        progress=100,
        estimated_hours=2.5,
        completed_at=NOW,
        completed_by_id=3,
        position=1.0,
        custom_fields={"budget": 10},
        created_by_id=3,
        **STAMPS,
    )
    return TaskView(task, TaskRelations(assignee_ids=[3, 4], labels=["spec"], dependency_ids=[40]))


def _hook() -> Webhook:
    return Webhook(
        id=7,
        workspace_id=1,
        project_id=2,
        created_by_id=3,
        url="https://example.com/hook",
        events=["task.*"],
        description="",
        secret="whsec_x",
        previous_secret="whsec_old",
        previous_secret_expires_at=NOW + timedelta(days=3650),
        active=True,
        disabled_reason=None,
        failing_since=None,
        **STAMPS,
    )


def _delivery() -> DeliveryLog:
    delivery = WebhookDelivery(
        id=9,
        webhook_id=7,
        message_id="msg_1",
        event_id=100,
        event_type="task.created",
        body="{}",
        status="pending",
        attempts=1,
        next_attempt_at=NOW,
        last_status_code=500,
        last_error="HTTP 500",
        created_at=NOW,
        delivered_at=None,
    )
    attempt = WebhookAttempt(
        id=1,
        delivery_id=9,
        number=1,
        started_at=NOW,
        duration_ms=12,
        request_headers={"webhook-id": "msg_1"},
        response_status=500,
        response_headers={"content-type": "text/plain"},
        response_body="no",
        error=None,
    )
    return DeliveryLog(delivery, [attempt])


def _event() -> Event:
    return Event(
        id=100,
        type="task.updated",
        workspace_id=1,
        project_id=2,
        resource_type="task",
        resource_id=42,
        actor_user_id=3,
        credential_kind="api_key",
        credential_id=4,
        client_ip="203.0.113.7",
        occurred_at=NOW,
        changes={"name": {"from": "a", "to": "b"}},
        snapshot={"name": "b"},
    )


def _field() -> FieldDefinition:
    return FieldDefinition(
        id=11,
        workspace_id=1,
        project_id=2,
        key="budget",
        name="Budget",
        type="money",
        required=False,
        default_value=None,
        options=[],
        position=0.0,
        config={"currency": "EUR"},
        **STAMPS,
    )


# Each output with the ways it is rendered: (renderer call, whether the `always=False`
# attributes are in that rendering).
RENDERINGS: dict[str, list[tuple[Callable[[], Resource], bool]]] = {
    "Workspace": [
        (
            lambda: resources.workspace(Workspace(id=1, name="W", description="", settings={}, security={}, **STAMPS)),
            True,
        )
    ],
    "Project": [
        (
            lambda: resources.project(
                Project(
                    id=2,
                    workspace_id=1,
                    name="P",
                    description="",
                    type="list",
                    status="active",
                    start_date=date(2026, 1, 1),
                    due_date=None,
                    settings={},
                    custom_field_definitions={},
                    custom_fields={},
                    budget_minor=5_000_000,
                    currency="USD",
                    uuid="0b9a6c3e-4f1d-4c55-9d7e-2a1f0c3b8e11",
                    priority="high",
                    category_id=4,
                    created_by_id=3,
                    **STAMPS,
                )
            ),
            True,
        )
    ],
    "Task": [(lambda: resources.task(_task()), True)],
    "User": [(lambda: resources.user(_user()), True)],
    "AdminUser": [(lambda: resources.admin_user(_user()), True)],
    "Person": [(lambda: resources.person(_user()), True)],
    "Member": [
        (
            lambda: resources.member(
                Member(_user(), Membership(workspace_id=1, user_id=3, role="admin", permissions={}, **STAMPS))
            ),
            True,
        )
    ],
    "Invite": [
        (lambda: resources.invite(_invite()), False),
        (lambda: resources.invite(_invite(), "tok"), True),
    ],
    "Comment": [(lambda: resources.comment(Comment(id=8, task_id=42, author_id=3, body="Looks good", **STAMPS)), True)],
    "Section": [(lambda: resources.section(Section(id=5, project_id=2, name="Now", position=1.0, **STAMPS)), True)],
    "CustomField": [(lambda: resources.custom_field(_field()), True)],
    "View": [
        (
            lambda: resources.view(
                SavedView(
                    id=6,
                    workspace_id=1,
                    project_id=2,
                    name="Mine",
                    filter={"params": [["status", "pending"], ["status", "completed"]]},
                    sort="-due_date",
                    fields=None,
                    layout="board",
                    created_by_id=3,
                    **STAMPS,
                )
            ),
            True,
        )
    ],
    "TimeEntry": [
        (
            lambda: resources.time_entry(
                TimeEntry(
                    id=7,
                    workspace_id=1,
                    project_id=2,
                    task_id=None,
                    user_id=3,
                    minutes=90,
                    spent_on=date(2026, 7, 1),
                    note="",
                    created_by_id=3,
                    **STAMPS,
                )
            ),
            True,
        )
    ],
    "Expense": [
        (
            lambda: resources.expense(
                Expense(
                    id=8,
                    workspace_id=1,
                    project_id=2,
                    amount_minor=125_000,
                    currency="USD",
                    spent_on=date(2026, 7, 1),
                    category="software",
                    note="",
                    created_by_id=3,
                    **STAMPS,
                )
            ),
            True,
        )
    ],
    "Risk": [
        (
            lambda: resources.risk(
                Risk(
                    id=9,
                    workspace_id=1,
                    project_id=2,
                    title="Scope creep",
                    description="",
                    severity="high",
                    probability="medium",
                    impact="schedule",
                    mitigation_plan="",
                    status="active",
                    actual_impact=None,
                    resolution_notes=None,
                    owner_id=3,
                    created_by_id=3,
                    **STAMPS,
                )
            ),
            True,
        )
    ],
    "Import": [
        (
            lambda: resources.import_job(
                ImportJob(
                    id=5,
                    workspace_id=1,
                    created_by_id=3,
                    format="trello",
                    filename="board.json",
                    status="running",
                    total=10,
                    done=4,
                    created={"0": 7, "1": None},
                    errors=[{"project": 1, "issue": "boom"}],
                    warnings=[],
                    started_at=STAMPS["created_at"],
                    finished_at=None,
                    **STAMPS,
                )
            ),
            True,
        )
    ],
    "Template": [
        (
            lambda: resources.template(
                Template(
                    id=5,
                    workspace_id=1,
                    name="Onboarding",
                    description="",
                    content={"version": 1, "tasks": [{"name": "Kickoff"}]},
                    task_count=1,
                    source_project_id=2,
                    created_by_id=3,
                    **STAMPS,
                )
            ),
            True,
        ),
        (
            lambda: resources.template(
                Template(
                    id=6,
                    workspace_id=1,
                    name="Written",
                    description="",
                    content={"version": 1},
                    task_count=0,
                    source_project_id=None,
                    created_by_id=None,
                    **STAMPS,
                ),
                content=False,
            ),
            False,
        ),
    ],
    "Department": [
        (
            lambda: resources.department(
                Department(id=4, workspace_id=1, name="QA", description="", head_user_id=None, **STAMPS)
            ),
            True,
        )
    ],
    "ApiKey": [
        (lambda: resources.api_key(_key()), False),
        (lambda: resources.api_key(_key(), "ptk_secret"), True),
    ],
    "CalendarFeed": [
        (lambda: resources.calendar_feed(_feed()), False),
        (lambda: resources.calendar_feed(_feed(), "http://x/v1/ical/cal_x.ics"), True),
    ],
    "Webhook": [
        (lambda: webhooks._webhook(_hook()), False),
        (lambda: webhooks._webhook(_hook(), "whsec_new"), True),
    ],
    "WebhookDelivery": [(lambda: webhooks._delivery(_delivery()), True)],
    "OAuthClient": [
        (lambda: oauth_clients.render(_client()), False),
        (lambda: oauth_clients.render(_client(), "secret"), True),
    ],
    "AuditEvent": [
        (lambda: audit._event(_event(), audit=False), False),
        (lambda: audit._event(_event(), audit=True), True),
    ],
    "FeedEvent": [(lambda: events._event(FeedItem(_event(), {"task": {"id": "task_42", "name": "b"}})), True)],
    "Analytics": [
        (lambda: resources.analytics(_analytics("none")), True),
        (lambda: resources.analytics(_analytics("assignee")), True),
    ],
    "ApiUsage": [
        (lambda: api_usage.bucket(_usage(), _usage().series[0]), True),
        (lambda: api_usage.bucket(_usage(), _usage().series[1]), True),
    ],
    "Automation": [
        (lambda: resources.automation(_automation()), False),
        (lambda: resources.automation(_automation(), "ahk_token"), True),
    ],
    "AutomationRun": [
        (
            lambda: resources.automation_run(
                AutomationRun(
                    id=5,
                    automation_id=4,
                    workspace_id=1,
                    trigger_kind="event",
                    event_id=77,
                    event_type="task.created",
                    payload={},
                    depth=0,
                    status="succeeded",
                    attempts=1,
                    next_attempt_at=NOW,
                    matched=True,
                    actions_done=[{"type": "assign", "task_id": "task_42", "assignee_id": "user_3"}],
                    error=None,
                    created_at=NOW,
                    started_at=NOW,
                    finished_at=NOW,
                    duration_ms=12,
                )
            ),
            True,
        )
    ],
    "AutomationTest": [
        (
            lambda: resources.automation_test(
                4,
                Evaluation("task.created", 77, "task", 42, True, "priority = high", True, [{"type": "assign"}], []),
            ),
            True,
        )
    ],
}


def _analytics(group_by: str) -> Analytics:
    cycles = CycleTime(2, 5400, 3600, 7200)
    bucket = Bucket(date(2026, 1, 12), date(2026, 1, 18), 3, 2, Decimal("66.7"), 1, cycles)
    empty = Bucket(date(2026, 1, 19), date(2026, 1, 19), 0, 0, Decimal("0.0"), 0, CycleTime(0, None, None, None))
    figures = Figures(3, 2, Decimal("66.7"), 1, Decimal("1.00"), cycles)
    groups = (
        (Group("assignee", 3, "Ada", figures, (bucket, empty)), Group("assignee", None, None, figures, (bucket, empty)))
        if group_by != "none"
        else ()
    )
    return Analytics(
        workspace_id=1,
        project_id=2 if group_by == "none" else None,
        assignee_id=None,
        start=date(2026, 1, 12),
        end=date(2026, 1, 19),
        interval="week",
        group_by=group_by,
        time_zone="UTC",
        as_of=NOW,
        totals=figures,
        series=(bucket, empty),
        groups=groups,
    )


def _usage() -> UsageReport:
    busy = UsageFigures()
    busy.add(200, SimpleNamespace(requests=3, rate_limited=0, latency_us=4200, **_latencies(3)))
    busy.add(429, SimpleNamespace(requests=1, rate_limited=1, latency_us=300, **_latencies(1)))
    series = [
        UsageSeries(1_800_000_000, "native", 12, None, busy),
        UsageSeries(1_800_000_000, "oauth", None, 3, UsageFigures()),
    ]
    return UsageReport("hour", 1_800_000_000, 1_800_003_600, None, series, busy)


def _latencies(n: int) -> dict[str, int]:
    return {column: (n if i == 3 else 0) for i, column in enumerate(LATENCY_COLUMNS)}


def _automation() -> Automation:
    return Automation(
        id=4,
        workspace_id=1,
        project_id=2,
        owner_id=3,
        name="Triage",
        enabled=True,
        trigger_kind="event",
        event_type="task.created",
        trigger={"kind": "event", "event": "task.created"},
        conditions="priority = high",
        actions=[{"type": "assign", "assignee": "user_3"}],
        hook_digest=None,
        next_run_at=None,
        **STAMPS,
    )


def _invite() -> Invite:
    return Invite(
        id=12,
        workspace_id=1,
        email="bo@example.com",
        role="member",
        message="",
        token_hash="x",
        status="pending",
        invited_by_id=3,
        expires_at=NOW,
        accepted_at=None,
        **STAMPS,
    )


def _key() -> ApiKey:
    return ApiKey(
        id=4,
        user_id=3,
        workspace_id=1,
        name="CI",
        prefix="abcd",
        key_hash="x",
        scopes=["tasks:read"],
        expires_at=None,
        last_used_at=None,
        revoked_at=None,
        created_at=NOW,
        rate_plan=None,
    )


def _client() -> OAuthClient:
    return OAuthClient(
        id=2,
        client_id="cl_1",
        owner_id=3,
        name="Dashboard",
        is_public=False,
        redirect_uris=["https://example.com/cb"],
        scopes=["tasks:read"],
        created_at=NOW,
    )


def test_every_output_has_its_renderings_here() -> None:
    assert sorted(RENDERINGS) == sorted(out.name for out in outputs.OUTPUTS)


@pytest.mark.parametrize("out", outputs.OUTPUTS, ids=lambda out: out.name)
def test_the_renderer_produces_exactly_the_declared_attributes(out: Output) -> None:
    model = out.attributes_model()
    for render, with_optional in RENDERINGS[out.name]:
        rendered = render()
        assert rendered["type"] == out.kind
        expected = set(out.keys) if with_optional else set(out.keys) - out.optional
        assert set(rendered["attributes"]) == expected
        # The order of the declaration is the order of the document (a secret shown once comes last).
        shown = [k for k in rendered["attributes"] if k not in out.optional]
        assert shown == [k for k in out.keys if k not in out.optional]
        model.model_validate(rendered["attributes"], strict=True)
        assert set(rendered.get("relationships", {})) == set(out.relationships)


def test_an_attribute_of_the_wrong_type_or_an_extra_one_fails_the_model() -> None:
    model = outputs.TASK.attributes_model()
    good = resources.task(_task())["attributes"]
    with pytest.raises(ValidationError):
        model.model_validate({**good, "progress": "most"}, strict=True)
    with pytest.raises(ValidationError):
        model.model_validate({**good, "colour": "red"}, strict=True)
    with pytest.raises(ValidationError):
        model.model_validate({k: v for k, v in good.items() if k != "name"}, strict=True)


def _document() -> dict[str, Any]:
    app = create_app(Settings(home=Path(tempfile.mkdtemp(prefix="polytask-arch-"))))
    return app.openapi()


def test_every_resource_schema_in_the_document_is_closed_and_requires_its_attributes() -> None:
    schemas = _document()["components"]["schemas"]
    declared = {out.name: out for out in outputs.OUTPUTS}
    resources_seen = [name for name in schemas if name.endswith("Resource") and name != "IncludedResource"]
    assert sorted(resources_seen) == sorted(f"{name}Resource" for name in declared)
    for name, out in declared.items():
        resource = schemas[f"{name}Resource"]
        assert resource.get("additionalProperties") is False, name
        assert resource["x-resource-type"] == out.kind
        members = {"id", "type", "attributes"} | ({"relationships"} if out.relationships else set())
        assert set(resource["required"]) == members, name
        attributes = schemas[f"{name}Attributes"]
        assert attributes.get("additionalProperties") is False, name
        assert attributes["x-resource-type"] == out.kind
        assert list(attributes["properties"]) == list(out.keys), name
        assert set(attributes["required"]) == set(out.keys) - out.optional, name
        if out.relationships:
            rels = schemas[f"{name}Relationships"]
            assert rels.get("additionalProperties") is False, name
            assert set(rels["required"]) == set(out.relationships), name
    # The documents carrying them are closed too.
    refs = {f"#/components/schemas/{name}Resource" for name in declared}
    carrying = [name for name, schema in schemas.items() if refs & _refs(schema.get("properties", {}).get("data", {}))]
    assert len(carrying) > 20
    for name in carrying:
        assert schemas[name].get("additionalProperties") is False, name


def _refs(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["$ref"]} if isinstance(schema.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_refs(v) for v in schema))
    return set()


# The domain's snapshot field lists (the event payloads' content) and the outputs showing them.
SNAPSHOTS: list[tuple[tuple[str, ...], Output]] = [
    (SNAPSHOT_FIELDS, outputs.TASK),
    (PROJECT_FIELDS, outputs.PROJECT),
    (IMPORT_FIELDS, outputs.IMPORT),
    (SECTION_FIELDS, outputs.SECTION),
    (COMMENT_SNAPSHOT_FIELDS, outputs.COMMENT),
    (WORKSPACE_FIELDS, outputs.WORKSPACE),
    (VIEW_FIELDS, outputs.VIEW),
    (WEBHOOK_FIELDS, outputs.WEBHOOK),
    (DEFINITION_FIELDS, outputs.CUSTOM_FIELD),
    (TIME_ENTRY_FIELDS, outputs.TIME_ENTRY),
    (EXPENSE_FIELDS, outputs.EXPENSE),
    (RISK_FIELDS, outputs.RISK),
    (DEPARTMENT_FIELDS, outputs.DEPARTMENT),
    (USER_FIELDS, outputs.PERSON),
    (FEED_FIELDS, outputs.CALENDAR_FEED),
    (TEMPLATE_FIELDS, outputs.TEMPLATE),
    (AUTOMATION_FIELDS, outputs.AUTOMATION),
]


@pytest.mark.parametrize(("fields", "out"), SNAPSHOTS, ids=[out.name for _, out in SNAPSHOTS])
def test_every_snapshot_field_is_shown_by_an_attribute(fields: tuple[str, ...], out: Output) -> None:
    sources = {a.source for a in out.attrs if a.source}
    assert set(fields) - sources == set(), f"{out.name}: snapshot fields no attribute shows"
    assert sources - set(fields) == set(), f"{out.name}: attributes naming a field the snapshot lacks"
