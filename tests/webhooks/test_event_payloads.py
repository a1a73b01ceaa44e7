"""The catalogue's payload models (domain/events/payloads.py) against the events real flows
record: every surface, the bulk and import paths, the dispatcher, sign-ins and OAuth.

Each test drives a set of flows, then validates every event row in the database against the
model its type declares (strict and closed: a writer that adds, drops or retypes a key fails
here). Together the tests produce every type in the catalogue (the last test checks that).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import select
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import set_api_key_plan
from polytask.domain.events.catalog import CATALOG
from polytask.domain.oauth.clients import find_client, set_client_plan
from polytask.domain.tasks.imports import import_tasks
from polytask.domain.users.service import reset_password
from polytask.models import Event, User
from polytask.worker.automations import run_due
from polytask.worker.dispatcher import Dispatcher
from polytask.worker.importer import run_next_import
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task
from tests.oauth.flow import PASSWORD, REDIRECT, Browser, authorize_url, register, token_request, tokens_for
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import Receiver, Reply, wait_for

Serve = Callable[[ASGIApp], AbstractContextManager[str]]


def validate_recorded(db: Database) -> set[str]:
    """Every event row against its declared model and resource; returns the types seen."""
    with db.unit_of_work(readonly=True) as session:
        events = list(session.scalars(select(Event).order_by(Event.id)))
    problems = []
    for event in events:
        entry = CATALOG.get(event.type)
        if entry is None:
            problems.append(f"event {event.id}: undeclared type {event.type}")
            continue
        if event.resource_type != entry.resource:
            problems.append(f"event {event.id} ({event.type}): resource {event.resource_type}, not {entry.resource}")
        try:
            entry.payload.model_validate(event.snapshot)
        except ValidationError as exc:
            problems.append(f"event {event.id} ({event.type}) {event.snapshot}:\n{exc}")
    assert not problems, "\n".join(problems)
    return {event.type for event in events}


def _ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return r.json() if r.content else {}


WORK = {
    "user.created",
    "workspace.created",
    "workspace.updated",
    "workspace.deleted",
    "api_key.created",
    "project.created",
    "project.updated",
    "project.deleted",
    "section.created",
    "section.updated",
    "section.deleted",
    "task.created",
    "task.updated",
    "task.completed",
    "task.deleted",
    "comment.created",
    "comment.updated",
    "comment.deleted",
    "view.created",
    "view.updated",
    "view.deleted",
    "custom_field.created",
    "custom_field.updated",
    "custom_field.deleted",
    "invite.created",
    "invite.accepted",
    "invite.revoked",
    "member.added",
    "member.updated",
    "member.removed",
}


def test_the_work_and_the_people(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    h = alice.headers
    ws = alice.workspace
    invites = _ok(
        client.post(f"/v1/workspaces/{ws}/invites", json={"emails": [bob.email, "x@example.com"]}, headers=h), 201
    )["data"]
    _ok(client.post("/v1/invites/accept", json={"token": invites[0]["attributes"]["token"]}, headers=bob.headers))
    _ok(client.delete(f"/v1/workspaces/{ws}/invites/{invites[1]['id']}", headers=h), 204)
    member = f"/v1/workspaces/{ws}/users/{bob.id}"
    _ok(
        client.patch(
            member, json={"role": "admin", "department": "Ops", "permissions": {"view_analytics": True}}, headers=h
        )
    )

    project = make_project(client, alice, name="Launch", start_date="2024-01-01")
    _ok(client.patch(f"/v1/projects/{project}", json={"name": "Launch 2", "settings": {"color": "red"}}, headers=h))
    section = _ok(client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=h), 201)["data"]
    _ok(client.patch(f"/v1/projects/{project}/sections/{section['id']}", json={"name": "Done"}, headers=h))
    field = {"name": "Cost", "type": "dropdown", "options": ["low", "high"], "default_value": "low"}
    field_id = _ok(client.post(f"/v1/projects/{project}/custom-fields", json=field, headers=h), 201)["data"]["id"]
    _ok(client.patch(f"/v1/projects/{project}/custom-fields/{field_id}", json={"required": True}, headers=h))
    ws_field = {"name": "Budget", "type": "currency", "currency": "EUR"}
    _ok(client.post(f"/v1/workspaces/{ws}/custom-fields", json=ws_field, headers=h), 201)
    view = {"name": "Open", "filter": {"status": "pending"}, "sort": "-due_date", "layout": "board"}
    view_id = _ok(client.post(f"/v1/projects/{project}/views", json=view, headers=h), 201)["data"]["id"]
    _ok(client.patch(f"/v1/projects/{project}/views/{view_id}", json={"fields": "name,status"}, headers=h))
    _ok(client.delete(f"/v1/projects/{project}/views/{view_id}", headers=h), 204)

    parent = make_task(
        client,
        alice,
        project,
        name="Parent",
        section_id=section["id"],
        due_date="2024-02-01T10:00:00Z",
        estimated_hours=2.5,
        labels=["x"],
        assignee_ids=[bob.id],
    )["id"]
    child = make_task(client, alice, project, name="Child", parent_id=parent, status="completed")["id"]
    other = make_task(client, alice, project, name="Other", dependencies=[parent])["id"]
    _ok(client.patch(f"/v1/tasks/{other}", json={"priority": "high", "progress": 30}, headers=h))
    _ok(client.patch(f"/v1/tasks/{other}", json={"status": "completed"}, headers=h))
    _ok(client.patch(f"/v1/tasks/{other}/custom-fields", json={"cost": "high"}, headers=h))
    comment = _ok(client.post(f"/v1/tasks/{child}/comments", json={"body": "soon"}, headers=h), 201)["data"]["id"]
    _ok(client.patch(f"/v1/tasks/{child}/comments/{comment}", json={"body": "now"}, headers=h))
    _ok(client.delete(f"/v1/tasks/{child}/comments/{comment}", headers=h), 204)
    _ok(client.delete(f"/v1/projects/{project}/custom-fields/{field_id}", headers=h), 204)
    _ok(client.delete(f"/v1/tasks/{other}", headers=h), 204)
    # Bulk-created tasks (one completed) and imported ones: rows written without record_event.
    bulk = [{"name": "Bulk", "labels": ["y"]}, {"name": "Bulk done", "status": "completed", "position": 3}]
    _ok(client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": bulk}, headers=h), 201)
    with db.unit_of_work() as session:
        rows = [{"name": "Imported", "status": "completed", "labels": ["z"], "assignee_ids": [alice.user_id]}]
        import_tasks(session, system_actor(alice.user_id, "user"), project_id=int(project.split("_")[1]), rows=rows)
    _ok(client.delete(f"/v1/projects/{project}/sections/{section['id']}", headers=h), 204)
    _ok(client.delete(f"/v1/workspaces/{ws}/users/{bob.id}", headers=h), 204)
    # A project deleted with its tasks and sections (one event per child).
    doomed = make_project(client, alice, name="Doomed")
    _ok(client.post(f"/v1/projects/{doomed}/sections", json={"name": "Later"}, headers=h), 201)
    make_task(client, alice, doomed, name="Goes too")
    _ok(client.delete(f"/v1/projects/{doomed}", headers=h), 204)
    _ok(client.delete(f"/v1/projects/{project}", headers=h), 204)

    spare = _ok(client.post("/v1/workspaces", json={"name": "Spare"}, headers=h), 201)["data"]["id"]
    _ok(client.patch(f"/v1/workspaces/{spare}", json={"description": "for now"}, headers=h))
    _ok(client.delete(f"/v1/workspaces/{spare}", headers=h), 204)

    seen = validate_recorded(db)
    assert seen >= WORK, sorted(WORK - seen)


LISTS = {
    "list.created",
    "list.updated",
    "list.deleted",
    "list.collaborator_added",
    "list.collaborator_removed",
    "list.task_added",
    "list.task_removed",
    "list.reordered",
    "task.email_linked",
    "task.email_unlinked",
}


def test_lists_and_emails_through_taskforce(base_url: str, client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    invite = {"emails": [bob.email], "role": "member"}
    token = _ok(client.post(f"/v1/workspaces/{alice.workspace}/invites", json=invite, headers=alice.headers), 201)
    _ok(client.post("/v1/invites/accept", json={"token": token["data"][0]["attributes"]["token"]}, headers=bob.headers))
    tf = Taskforce(base_url, alice, "json")
    try:
        errands = tf.post("/lists", {"name": "Errands"})["list_id"]
        tf.post(f"/lists/{errands}", {"name": "Chores", "description": "weekly"})
        tf.post(f"/lists/{errands}/add_collaborator", {"email": bob.email})
        tf.post(f"/lists/{errands}/remove_collaborator", {"email": bob.email})
        first = int(tf.post("/tasks", {"name": "First", "list_id": errands})["task_id"])
        second = int(tf.post("/tasks", {"name": "Second", "list_id": errands})["task_id"])
        other = tf.post("/lists", {"name": "Other"})["list_id"]
        tf.post(f"/tasks/{first}/add_to_list", {"list_id": other})
        tf.post(f"/tasks/{first}/remove_from_list", {"list_id": other})
        tf.post(f"/lists/{errands}/reorder_tasks", {"task_ids": f"{second},{first}"})
        tf.post(f"/tasks/{first}/add_email", {"gmail_thread_id": "t1", "subject": "Hi", "sender": "a@example.com"})
        tf.post(f"/tasks/{first}/add_email", {"gmail_thread_id": "t2"})
        tf.post(f"/tasks/{first}/remove_email", {"gmail_thread_id": "t1"})
        tf.post(f"/lists/{errands}/delete")
    finally:
        tf.close()
    seen = validate_recorded(db)
    assert seen >= LISTS, sorted(LISTS - seen)


WEBHOOKS = {"webhook.created", "webhook.updated", "webhook.deleted", "webhook.disabled"}


def test_webhooks_and_the_dispatcher(client: httpx.Client, db: Database, dispatcher: Dispatcher) -> None:
    alice = make_person(db)
    gone = Receiver().start()
    try:
        gone.default = Reply(410)
        hook = make_webhook(client, alice, gone.url, events=["project.*"], description="dashboard")["id"]
        _ok(client.patch(f"/v1/webhooks/{hook}", json={"events": ["project.created", "list.*"]}, headers=alice.headers))
        _ok(client.patch(f"/v1/webhooks/{hook}", json={"rotate_secret": True}, headers=alice.headers))
        make_project(client, alice)
        wait_for(lambda: not _hook(client, alice, hook)["active"], what="the endpoint disabled by its 410")
        spare = make_webhook(client, alice, gone.url, events=["*"], project_id=make_project(client, alice))["id"]
        _ok(client.delete(f"/v1/webhooks/{spare}", headers=alice.headers), 204)
    finally:
        gone.stop()
    seen = validate_recorded(db)
    assert seen >= WEBHOOKS, sorted(WEBHOOKS - seen)


def _hook(client: httpx.Client, person: Person, hook: str) -> dict[str, Any]:
    attributes: dict[str, Any] = _ok(client.get(f"/v1/webhooks/{hook}", headers=person.headers))["data"]["attributes"]
    return attributes


ACCOUNTS = {
    "user.updated",
    "user.password_reset",
    "user.password_changed",
    "user.password_reset_requested",
    "user.created",
    "api_key.created",
    "api_key.rotated",
    "api_key.revoked",
    "api_key.plan_changed",
    "oauth_client.created",
    "oauth_client.deleted",
    "oauth_client.plan_changed",
    "auth.login_succeeded",
    "auth.login_failed",
    "auth.login_throttled",
    "auth.logout",
    "auth.consent_granted",
    "auth.consent_denied",
    "auth.token_issued",
    "auth.token_revoked",
    "auth.oauth_refused",
    "auth.credential_rejected",
}


def test_accounts_credentials_and_sign_ins(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db, email="alice@example.com", password=PASSWORD)
    # An app of its own: a fresh rejection sampler (api/authaudit.py), and a session cookie
    # that is not Secure so that the client sends it back over http:// for the logout.
    app = create_app(settings.model_copy(update={"session_cookie_secure": False}), db)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30, follow_redirects=False) as http:
        h = alice.headers
        key = _ok(http.post("/v1/api-keys", json={"name": "ci", "scopes": ["users:read"]}, headers=h), 201)["data"]
        rotated = _ok(http.post(f"/v1/api-keys/{key['id']}/rotate", json={"grace_period_seconds": 60}, headers=h), 201)
        _ok(http.delete(f"/v1/api-keys/{rotated['data']['id']}", headers=h), 204)
        assert http.get("/v1/me", headers={"Authorization": "Bearer ptk_nothere_secret"}).status_code == 401

        app_client = register(http, alice)
        issued = tokens_for(url, http, app_client, alice)
        with Browser(url) as browser:
            browser.consent(authorize_url(url, app_client), alice.email, approve=False)
        token_request(http, app_client, grant_type="authorization_code", code="nonsense", redirect_uri=REDIRECT)
        auth = (app_client.client_id, app_client.secret or "")
        _ok(http.post("/oauth/revoke", data={"token": issued["refresh_token"]}, auth=auth))

        login = {"username": "alice", "password": PASSWORD}
        _ok(http.post("/api/auth/login", json=login))
        _ok(http.post("/api/auth/logout"))
        for _ in range(settings.login_max_failures + 1):
            http.post("/api/auth/login", json={**login, "password": "wrong"})
        # Passwords set by their owner (domain/users/passwords.py): changed, and a reset asked for.
        change = {"current_password": PASSWORD, "new_password": "another long passphrase"}
        _ok(http.post("/v1/me/password", json=change, headers=h), 204)
        _ok(http.post("/v1/password-resets", json={"email": "alice@example.com"}), 202)

        with db.unit_of_work() as session:
            set_api_key_plan(session, None, key_id=int(key["id"].split("_")[-1]), rate_plan="bulk")
            client_row = find_client(session, app_client.client_id)
            assert client_row is not None
            set_client_plan(session, None, client=client_row, rate_plan="partner")
            # The operator's `polytask users reset-password` (cli/admin.py) calls this.
            account = session.get(User, alice.user_id)
            assert account is not None
            reset_password(session, None, account)
        _ok(http.delete(f"/v1/oauth/clients/{app_client.pk}", headers=h), 204)
        # A server admin who shares alice's workspace renames her account (TaskFlow's users).
        root = make_person(db, role="admin")
        join(db, alice, root)
        _ok(http.put(f"/api/users/{alice.user_id}", json={"name": "Alice A."}, headers=root.headers))

    seen = validate_recorded(db)
    assert seen >= ACCOUNTS, sorted(ACCOUNTS - seen)


SPENDING = {
    f"{resource}.{action}"
    for resource in ("time_entry", "expense", "risk", "department")
    for action in ("created", "updated", "deleted")
}


def test_spending_risks_and_departments(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    h = alice.headers
    project = make_project(client, alice, budget={"amount": "1000.00"})
    task = make_task(client, alice, project)["id"]
    for path, create, change in (
        (f"/v1/projects/{project}/time-entries", {"minutes": 30, "task_id": task}, {"note": "Reviewed"}),
        (f"/v1/projects/{project}/expenses", {"amount": "12.50", "category": "travel"}, {"amount": "13"}),
        (f"/v1/projects/{project}/risks", {"title": "Vendor late", "severity": "high"}, {"status": "occurred"}),
        (f"/v1/workspaces/{alice.workspace}/departments", {"name": "Ops", "head_user_id": alice.id}, {"name": "Ops+"}),
    ):
        made = _ok(client.post(path, json=create, headers=h), 201)["data"]
        link = {"time_entry": "time-entries", "expense": "expenses", "risk": "risks", "department": "departments"}
        url = f"/v1/{link[made['type']]}/{made['id']}"
        _ok(client.patch(url, json=change, headers=h))
        _ok(client.delete(url, headers=h), 204)
    seen = validate_recorded(db)
    assert seen >= SPENDING, sorted(SPENDING - seen)


FILES = {
    "file.uploaded",
    "file.deleted",
    "discussion.created",
    "discussion.message_added",
    "document.created",
    "document.updated",
    "document.deleted",
}


def test_files_discussions_and_documents(db: Database, tmp_path: Path) -> None:
    """Through the operations the surfaces call (domain/files, discussions, documents)."""
    from polytask.core.actor import Actor
    from polytask.core.files import LocalStore, receive_file
    from polytask.domain.discussions.service import add_message, create_discussion
    from polytask.domain.documents.service import DocumentMeta, create_document, delete_document, update_document
    from polytask.domain.files.service import attach_file, delete_file
    from polytask.domain.flows.projects import create_project
    from polytask.domain.projects.schemas import ProjectCreate

    alice = make_person(db)
    actor = Actor(user_id=alice.user_id, global_role="user")
    store = LocalStore(tmp_path / "files")
    source = tmp_path / "a.txt"
    source.write_text("hello")

    def received() -> Any:
        return receive_file(source, tmp_dir=store.tmp_dir)

    with db.unit_of_work() as session:
        project = create_project(session, actor, workspace_id=alice.workspace_pk, data=ProjectCreate(name="P")).id
        made = attach_file(session, actor, project_id=project, received=received(), store=store)
        delete_file(session, actor, file_id=made.id)
        discussion = create_discussion(
            session, actor, project_id=project, title="T", received_files=[received()], store=store
        )
        add_message(session, actor, discussion_id=discussion.id, body="Hi", received_files=[received()], store=store)
        document = create_document(session, actor, received=received(), store=store)
        update_document(session, actor, document_id=document.id, meta=DocumentMeta(category="c", project_id=project))
        delete_document(session, actor, document_id=document.id)
    seen = validate_recorded(db)
    assert seen >= FILES, sorted(FILES - seen)


PROJECT_ATTRIBUTES = {
    "project.completed",
    "project.tags_changed",
    "project_attribute.created",
    "project_attribute.updated",
    "project_attribute.deleted",
}


def test_project_attributes_and_completion_through_taskip(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    key = {"X-Secret-Key": alice.key}
    base = "/api/public-v1/project"
    project = client.post(base, json={"name": "P", "tags": ["web"], "category": "Ops"}, headers=key).json()["data"]
    tag = project["tags"][0]["id"]
    assert client.put(f"{base}/attribute/{tag}/update", json={"name": "site"}, headers=key).status_code == 200
    assert client.delete(f"{base}/attribute/{project['category']['id']}/delete", headers=key).status_code == 204
    done = client.post(f"{base}/{project['uuid']}/change-status", json={"status": "completed"}, headers=key)
    assert done.status_code == 200, done.text
    seen = validate_recorded(db)
    assert seen >= PROJECT_ATTRIBUTES, sorted(PROJECT_ATTRIBUTES - seen)


AUTOMATIONS = {
    "automation.created",
    "automation.updated",
    "automation.deleted",
    "automation.run_succeeded",
    "automation.run_failed",
}


def test_automations_and_their_runs(client: httpx.Client, db: Database, settings: Settings) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    path = f"/v1/projects/{project}/automations"
    made = []
    # A follow-up for each new task; completing a deleted task fails.
    actions = {
        "task.created": {"type": "create_task", "task": {"name": "Follow-up"}},
        "task.deleted": {"type": "complete"},
    }
    for event, action in actions.items():
        body = {"name": event, "trigger": {"kind": "event", "event": event}, "actions": [action]}
        r = client.post(path, json=body, headers=alice.headers)
        assert r.status_code == 201, r.text
        made.append(r.json()["data"]["id"])
    assert client.patch(f"/v1/automations/{made[0]}", json={"name": "Done"}, headers=alice.headers).status_code == 200
    task = make_task(client, alice, project)["id"]
    assert client.delete(f"/v1/tasks/{task}", headers=alice.headers).status_code == 204
    run_due(db, settings.model_copy(update={"automation_retry_schedule": ""}))
    assert client.delete(f"/v1/automations/{made[1]}", headers=alice.headers).status_code == 204
    seen = validate_recorded(db)
    assert seen >= AUTOMATIONS, sorted(AUTOMATIONS - seen)


TEMPLATES_FEEDS_IMPORTS = {
    "template.created",
    "template.updated",
    "template.deleted",
    "calendar_feed.created",
    "calendar_feed.rotated",
    "calendar_feed.deleted",
    "import.succeeded",
    "import.failed",
}


def test_templates_calendar_feeds_and_imports(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    template = _ok(client.post("/v1/templates", json={"name": "T", "project_id": project}, headers=alice.headers), 201)
    path = f"/v1/templates/{template['data']['id']}"
    _ok(client.patch(path, json={"name": "T2"}, headers=alice.headers))
    assert client.delete(path, headers=alice.headers).status_code == 204
    body = {"name": "Due dates"}
    feed = _ok(client.post(f"/v1/projects/{project}/calendar-feeds", json=body, headers=alice.headers), 201)
    feed_path = f"/v1/calendar-feeds/{feed['data']['id']}"
    _ok(client.post(f"{feed_path}/rotate", headers=alice.headers), 201)
    assert client.delete(feed_path, headers=alice.headers).status_code == 204
    # One import that succeeds, one whose only project fails when the worker runs it.
    fine = {"format": "polytask", "version": 1, "projects": [{"name": "In", "tasks": [{"ref": "a", "name": "A"}]}]}
    broken = {
        "format": "polytask",
        "version": 1,
        "projects": [
            {
                "name": "Broken",
                "fields": [{"key": "size", "name": "Size", "type": "number"}],
                "tasks": [{"ref": "a", "name": "A", "custom_fields": {"size": "huge"}}],
            }
        ],
    }
    for doc in (fine, broken):
        r = client.post(
            f"/v1/workspaces/{alice.workspace}/imports",
            files={"file": ("p.json", json.dumps(doc).encode())},
            data={"format": "polytask"},
            headers=alice.headers,
        )
        assert r.status_code == 202, r.text
    ran = 0
    while run_next_import(db, worker="payloads") is not None:
        ran += 1
        assert ran <= 2
    seen = validate_recorded(db)
    assert seen >= TEMPLATES_FEEDS_IMPORTS, sorted(TEMPLATES_FEEDS_IMPORTS - seen)


def test_the_flows_above_produce_every_catalogued_type() -> None:
    covered = (
        WORK
        | LISTS
        | WEBHOOKS
        | ACCOUNTS
        | SPENDING
        | FILES
        | PROJECT_ATTRIBUTES
        | AUTOMATIONS
        | TEMPLATES_FEEDS_IMPORTS
    )
    assert covered == set(CATALOG), {
        "untested": sorted(set(CATALOG) - covered),
        "unknown": sorted(covered - set(CATALOG)),
    }
