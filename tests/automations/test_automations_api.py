"""What the CRUD contract does not cover: the dry run, enable/disable, incoming URLs,
schedules, the webhook and mail actions, and actions naming another workspace's things."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import Automation, AutomationRun, Event, MailMessage
from tests.automations.helpers import comments_of, drain, make_automation, runs
from tests.contracts.resource import WEBHOOK_URL
from tests.factories.people import join, make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import deliveries, make_webhook

ON_CREATE = {"kind": "event", "event": "task.created"}
COMMENT = {"type": "add_comment", "body": "hi"}


def _count(db: Database, model: type) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_dry_run_reports_and_changes_nothing(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    automation = make_automation(
        client, owner, name="Urgent", trigger=ON_CREATE, conditions="priority = high", actions=[COMMENT]
    )
    path = f"/v1/automations/{automation['id']}/test"
    # No event yet: nothing to evaluate against.
    r = client.post(path, json={}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["trigger_matched"] is False
    high = make_task(client, owner, project, priority="high")["id"]
    low = make_task(client, owner, project, priority="low")["id"]
    runs_before, events_before = _count(db, AutomationRun), _count(db, Event)
    # The most recent matching event: the low one.
    shown = client.post(path, json={}, headers=owner.headers).json()["data"]["attributes"]
    assert (shown["event"], shown["resource_id"], shown["trigger_matched"]) == ("task.created", low, True)
    assert (shown["conditions_matched"], shown["would_run"]) == (False, [])
    # A given body naming the high task.
    body = {"event": {"event": "task.created", "data": {"task": {"id": high}}}}
    shown = client.post(path, json=body, headers=owner.headers).json()["data"]["attributes"]
    assert (shown["conditions_matched"], shown["would_run"]) == (True, [{"type": "add_comment"}])
    # Another event type does not trigger it.
    body = {"event": {"event": "task.deleted", "data": {"task": {"id": high}}}}
    assert client.post(path, json=body, headers=owner.headers).json()["data"]["attributes"]["trigger_matched"] is False
    assert (_count(db, AutomationRun), _count(db, Event)) == (runs_before, events_before)
    assert comments_of(client, owner, high) == []
    for bad, field in (
        ({"event": {"event": "task.exploded"}}, "event.event"),
        ({"event": {"event": "task.created", "resource_id": "project_1"}}, "event.resource_id"),
        ({"event_id": "banana"}, "event_id"),
        ({"colour": "red"}, "colour"),
    ):
        r = client.post(path, json=bad, headers=owner.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == field
    stranger = make_person(db)
    assert client.post(path, json={}, headers=stranger.headers).status_code == 404


def test_disabled_automations_queue_nothing_and_skip_what_was_queued(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    automation = make_automation(client, owner, name="Hello", trigger=ON_CREATE, actions=[COMMENT])
    queued = make_task(client, owner, project)["id"]
    r = client.post(f"/v1/automations/{automation['id']}/disable", headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["enabled"] is False
    make_task(client, owner, project)
    drain(db, settings)
    assert [(r.status, r.error) for r in runs(db)] == [("skipped", "the automation is disabled")]
    assert comments_of(client, owner, queued) == []
    r = client.post(f"/v1/automations/{automation['id']}/enable", headers=owner.headers)
    assert r.json()["data"]["attributes"]["enabled"] is True
    later = make_task(client, owner, project)["id"]
    drain(db, settings)
    assert comments_of(client, owner, later) == ["hi"]
    member = make_person(db)
    join(db, owner, member, role="member")
    r = client.post(f"/v1/automations/{automation['id']}/disable", headers=member.headers)
    assert r.status_code == 403


def test_an_incoming_url_queues_a_run_with_its_body(client: httpx.Client, db: Database, settings: Settings) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    automation = make_automation(
        client,
        owner,
        f"/v1/projects/{project}/automations",
        name="From the form",
        trigger={"kind": "webhook"},
        actions=[{"type": "create_task", "task": {"name": "Form sent", "priority": "high"}}],
    )
    hook = automation["attributes"]["hook_url"]
    assert hook.startswith("/v1/automations/hooks/ahk_")
    shown = client.get(f"/v1/automations/{automation['id']}", headers=owner.headers).json()["data"]
    assert "hook_url" not in shown["attributes"]
    r = client.post(hook, json={"who": "a visitor"})  # no credentials: the token is the secret
    assert r.status_code == 202, r.text
    assert client.post(hook + "x", json={}).status_code == 404
    drain(db, settings)
    [run] = runs(db)
    assert (run.trigger_kind, run.payload, run.status) == ("webhook", {"who": "a visitor"}, "succeeded")
    tasks = client.get(f"/v1/projects/{project}/tasks", headers=owner.headers).json()["data"]
    assert [(t["attributes"]["name"], t["attributes"]["priority"]) for t in tasks] == [("Form sent", "high")]
    client.post(f"/v1/automations/{automation['id']}/disable", headers=owner.headers)
    assert client.post(hook, json={}).status_code == 404


def test_a_schedule_fires_when_due_and_moves_on(client: httpx.Client, db: Database, settings: Settings) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    automation = make_automation(
        client,
        owner,
        f"/v1/projects/{project}/automations",
        name="Weekly review",
        trigger={"kind": "schedule", "cron": "0 9 * * 1"},
        actions=[{"type": "create_task", "task": {"name": "Review"}}],
    )
    due = automation["attributes"]["next_run_at"]
    assert due is not None
    drain(db, settings)
    assert runs(db) == []  # not due yet
    with db.unit_of_work() as session:  # its time comes (moved back by hand, no sleep)
        session.execute(update(Automation).values(next_run_at=utcnow() - timedelta(minutes=1)))
    drain(db, settings)
    [run] = runs(db)
    assert (run.trigger_kind, run.status) == ("schedule", "succeeded")
    names = [
        t["attributes"]["name"]
        for t in client.get(f"/v1/projects/{project}/tasks", headers=owner.headers).json()["data"]
    ]
    assert names == ["Review"]
    again = client.get(f"/v1/automations/{automation['id']}", headers=owner.headers).json()["data"]["attributes"]
    assert again["next_run_at"] is not None
    assert again["next_run_at"] > utcnow().isoformat()[:19]


def test_webhook_and_mail_actions_go_through_their_outboxes(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner, x = make_person(db), make_person(db)
    join(db, owner, x)
    project = make_project(client, owner)
    hook = make_webhook(client, owner, WEBHOOK_URL, events=["project.deleted"], workspace_id=owner.workspace)
    make_automation(
        client,
        owner,
        name="Tell everyone",
        trigger=ON_CREATE,
        actions=[
            {"type": "send_webhook", "webhook_id": hook["id"], "payload": {"say": "hello"}},
            {"type": "send_mail", "to": x.id, "subject": "New task", "body": "A task was made."},
        ],
    )
    mail_before = _count(db, MailMessage)
    make_task(client, owner, project)
    drain(db, settings)
    [delivery] = deliveries(client, owner, hook["id"])
    assert delivery["attributes"]["event"] == "automation.webhook"
    assert '"say":"hello"' in delivery["attributes"]["request_body"]
    with db.unit_of_work(readonly=True) as session:
        mail = session.scalars(select(MailMessage).where(MailMessage.kind == "automation")).all()
        assert [(m.to_address, m.subject) for m in mail] == [(x.email, "New task")]
    assert _count(db, MailMessage) == mail_before + 1


def test_actions_cannot_name_another_workspaces_things(client: httpx.Client, db: Database) -> None:
    owner, stranger = make_person(db), make_person(db)
    theirs = make_project(client, stranger)
    r = client.post(f"/v1/projects/{theirs}/sections", json={"name": "Theirs"}, headers=stranger.headers)
    their_section = r.json()["data"]["id"]
    their_hook = make_webhook(client, stranger, WEBHOOK_URL, events=["project.deleted"])
    for action, field in (
        ({"type": "move_to_section", "section_id": their_section}, "actions[0].section_id"),
        ({"type": "assign", "assignee": stranger.email}, "actions[0].assignee"),
        ({"type": "send_mail", "to": stranger.id, "subject": "s", "body": "b"}, "actions[0].to"),
        ({"type": "send_webhook", "webhook_id": their_hook["id"]}, "actions[0].webhook_id"),
        ({"type": "create_task", "task": {"name": "t", "project_id": theirs}}, "actions[0].task.project_id"),
    ):
        body = {"name": "x", "trigger": ON_CREATE, "actions": [action]}
        r = client.post(f"/v1/workspaces/{owner.workspace}/automations", json=body, headers=owner.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == field
    # Their project as the automation's scope: a 404, as for any foreign id.
    body = {"name": "x", "trigger": ON_CREATE, "actions": [COMMENT]}
    assert client.post(f"/v1/projects/{theirs}/automations", json=body, headers=owner.headers).status_code == 404
    assert _count(db, Automation) == 0


def test_the_workspace_limits_hold(
    db: Database, settings: Settings, serve_app: Callable[[ASGIApp], AbstractContextManager[str]]
) -> None:
    owner = make_person(db)
    tight = settings.model_copy(update={"automation_max_per_workspace": 1, "automation_max_actions": 2})
    with serve_app(create_app(tight, db)) as url, httpx.Client(base_url=url, timeout=30) as client:
        path = f"/v1/workspaces/{owner.workspace}/automations"
        body = {"name": "x", "trigger": ON_CREATE, "actions": [COMMENT] * 3}
        r = client.post(path, json=body, headers=owner.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == "actions"
        assert client.post(path, json={**body, "actions": [COMMENT]}, headers=owner.headers).status_code == 201
        r = client.post(path, json={**body, "actions": [COMMENT]}, headers=owner.headers)
        assert r.status_code == 429, r.text
        assert r.json()["error"]["code"] == "QUOTA_EXCEEDED"
    assert _count(db, Automation) == 1


def test_a_project_from_a_template_is_made_once_per_trigger(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner, stranger = make_person(db), make_person(db)
    content = {"sections": [{"key": "a", "name": "Backlog"}], "tasks": [{"name": "Kickoff {{who}}", "section": "a"}]}
    r = client.post(
        "/v1/templates",
        json={"name": "Onboarding", "workspace_id": owner.workspace, "content": content},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    template = r.json()["data"]["id"]
    r = client.post(
        "/v1/templates",
        json={"name": "Theirs", "workspace_id": stranger.workspace, "content": content},
        headers=stranger.headers,
    )
    theirs = r.json()["data"]["id"]
    # Another workspace's template, or one that does not exist, is refused naming the field.
    for ref in (theirs, "template_999999"):
        action = {"type": "create_project_from_template", "template_id": ref}
        body = {"name": "x", "trigger": ON_CREATE, "actions": [action]}
        r = client.post(f"/v1/workspaces/{owner.workspace}/automations", json=body, headers=owner.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == "actions[0].template_id"
    source = make_project(client, owner)
    make_automation(
        client,
        owner,
        f"/v1/projects/{source}/automations",
        name="Onboard",
        trigger=ON_CREATE,
        conditions="priority = high",
        actions=[
            {
                "type": "create_project_from_template",
                "template_id": template,
                "name": "Onboarding {{who}}",
                "variables": {"who": "Ada"},
            }
        ],
    )
    make_task(client, owner, source, name="hire", priority="high")
    make_task(client, owner, source, name="later", priority="low")
    assert drain(db, settings) == 2
    assert drain(db, settings) == 0
    assert sorted(r.status for r in runs(db)) == ["skipped", "succeeded"]
    (done,) = [r for r in runs(db) if r.status == "succeeded"]
    made = done.actions_done[0]["project_id"]
    project = client.get(f"/v1/projects/{made}", headers=owner.headers).json()["data"]["attributes"]
    assert project["name"] == "Onboarding Ada"
    tasks = client.get(f"/v1/projects/{made}/tasks", headers=owner.headers).json()["data"]
    assert [t["attributes"]["name"] for t in tasks] == ["Kickoff Ada"]
    # The new project's own task.created matched nothing (not high priority): no chain.
    assert len(runs(db)) == 2


def test_a_cron_schedule_keeps_the_workspaces_time(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    trigger = {"kind": "schedule", "cron": "0 9 * * *"}
    # Without a time zone the workspace's clock is UTC: nine o'clock UTC.
    utc = make_automation(
        client,
        owner,
        f"/v1/projects/{project}/automations",
        name="Standup",
        trigger=trigger,
        actions=[{"type": "create_task", "task": {"name": "Standup notes"}}],
    )
    assert utc["attributes"]["next_run_at"][11:19] == "09:00:00"
    # Kolkata is UTC+05:30 all year: nine o'clock there is 03:30 UTC, whenever this runs.
    r = client.patch(
        f"/v1/workspaces/{owner.workspace}", json={"settings": {"timezone": "Asia/Kolkata"}}, headers=owner.headers
    )
    assert r.status_code == 200, r.text
    r = client.patch(f"/v1/automations/{utc['id']}", json={"trigger": trigger}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["next_run_at"][11:19] == "03:30:00"


def test_ids_are_shown_with_their_prefixes_and_can_be_sent_back(client: httpx.Client, db: Database) -> None:
    """Whichever form an id was sent in, the automation shows it as /v1 shows ids everywhere;
    what was read, sent back unchanged, changes nothing."""
    owner = make_person(db)
    project = make_project(client, owner)
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=owner.headers)
    section = r.json()["data"]["id"]
    hook = make_webhook(client, owner, WEBHOOK_URL, events=["project.deleted"], workspace_id=owner.workspace)
    task = make_task(client, owner, project)["id"]
    bare = {
        name: int(value.rsplit("_", 1)[1])
        for name, value in (("section", section), ("hook", hook["id"]), ("project", project))
    }
    made = make_automation(
        client,
        owner,
        name="Sort",
        trigger=ON_CREATE,
        actions=[
            {"type": "move_to_section", "section_id": bare["section"]},
            {"type": "send_webhook", "webhook_id": bare["hook"]},
            {
                "type": "create_task",
                "task": {
                    "name": "Follow up",
                    "project_id": bare["project"],
                    "section_id": section,
                    "dependencies": [task],
                },
            },
            {"type": "update_fields", "fields": {"section_id": str(bare["section"])}},
        ],
    )
    expected = [
        {"type": "move_to_section", "section_id": section},
        {"type": "send_webhook", "webhook_id": hook["id"]},
        {
            "type": "create_task",
            "task": {"name": "Follow up", "project_id": project, "section_id": section, "dependencies": [task]},
        },
        {"type": "update_fields", "fields": {"section_id": section}},
    ]
    assert made["attributes"]["actions"] == expected
    assert made["attributes"]["trigger"] == ON_CREATE
    path = f"/v1/automations/{made['id']}"
    shown = client.get(path, headers=owner.headers).json()["data"]["attributes"]
    assert shown["actions"] == expected
    listed = client.get(f"/v1/workspaces/{owner.workspace}/automations", headers=owner.headers).json()["data"]
    assert [a["attributes"]["actions"] for a in listed] == [expected]
    r = client.patch(path, json={"actions": shown["actions"], "trigger": shown["trigger"]}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["actions"] == expected
    with db.unit_of_work(readonly=True) as session:
        stored = session.scalars(select(Automation.actions)).one()
    assert stored[0] == {"type": "move_to_section", "section_id": bare["section"]}  # kept as keys
