"""Subscriptions against the event catalogue (domain/events/catalog.py), through HTTP: every
public event can be subscribed to and is delivered, anything else is a 422 naming the item,
audit-only events reach no webhook, and the OpenAPI document lists what the catalogue says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.domain.events.catalog import CATALOG, SUBSCRIPTION_PATTERNS, UndeclaredEvent, declared
from polytask.domain.events.service import record_event
from polytask.models import Event
from polytask.worker.dispatcher import Dispatcher
from tests.api.taskforce.client import Taskforce
from tests.factories.people import make_person
from tests.factories.work import make_project
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, wait_for

NEW_RESOURCES = ["list.*", "view.*", "custom_field.*", "task.email_linked"]


def _created(r: httpx.Response) -> str:
    assert r.status_code == 201, r.text
    return str(r.json()["data"]["id"])


def test_lists_views_custom_fields_and_email_links_are_delivered(
    base_url: str, client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    h = alice.headers
    hook = make_webhook(client, alice, receiver.url, events=NEW_RESOURCES)
    assert hook["attributes"]["events"] == NEW_RESOURCES
    project = make_project(client, alice, name="Launch")

    view = _created(client.post(f"/v1/projects/{project}/views", json={"name": "Mine"}, headers=h))
    assert client.patch(f"/v1/projects/{project}/views/{view}", json={"name": "Ours"}, headers=h).status_code == 200
    assert client.delete(f"/v1/projects/{project}/views/{view}", headers=h).status_code == 204
    body = {"name": "Budget", "type": "number"}
    field = _created(client.post(f"/v1/projects/{project}/custom-fields", json=body, headers=h))
    r = client.patch(f"/v1/projects/{project}/custom-fields/{field}", json={"name": "Budget (EUR)"}, headers=h)
    assert r.status_code == 200, r.text
    assert client.delete(f"/v1/projects/{project}/custom-fields/{field}", headers=h).status_code == 204

    tf = Taskforce(base_url, alice, "json")
    try:
        errands = tf.post("/lists", {"name": "Errands"})["list_id"]
        task = int(tf.post("/tasks", {"name": "Call Bob", "list_id": errands})["task_id"])
        email = {"gmail_thread_id": "thread-1", "subject": "Re: call", "sender": "bob@example.com"}
        tf.post(f"/tasks/{task}/add_email", email)
        tf.post(f"/tasks/{task}/remove_email", {"gmail_thread_id": "thread-1"})  # not subscribed
        tf.post(f"/lists/{errands}/delete")
    finally:
        tf.close()

    expected = [
        "view.created",
        "view.updated",
        "view.deleted",
        "custom_field.created",
        "custom_field.updated",
        "custom_field.deleted",
        "list.created",  # the person's default list, made on first use
        "list.created",
        "list.updated",  # the default list gets its home project for tasks made in lists
        "list.task_added",
        "task.email_linked",
        "list.deleted",
    ]
    wait_for(lambda: len(receiver.requests) >= len(expected), what="the subscribed events")
    # Deliveries are written in the commit that records their events, so these rows are all
    # that will ever be sent (no waiting to see that nothing else comes).
    assert len(deliveries(client, alice, hook["id"])) == len(expected)  # and nothing else
    got = receiver.in_event_order()
    assert [r.json["event"] for r in got] == expected
    by_event = {r.json["event"]: r.json["data"] for r in got}
    assert by_event["view.created"]["view"]["name"] == "Mine"
    assert by_event["view.created"]["view"]["project_id"] == project
    assert by_event["custom_field.updated"]["custom_field"]["name"] == "Budget (EUR)"
    linked = by_event["task.email_linked"]
    assert linked["task"]["id"] == f"task_{task}"
    assert linked["task"]["name"] == "Call Bob"  # the task's name, though the event records the email
    assert linked["task"]["gmail_thread_id"] == "thread-1"
    assert linked["project"]["name"] == "Taskforce"  # the home project of tasks made in lists
    added = by_event["list.task_added"]
    assert added["list"] == {"id": f"list_{errands}", "name": "Errands", "task_id": f"task_{task}"}
    assert by_event["list.deleted"]["list"]["name"] == "Errands"


def test_a_project_filter_covers_its_views_and_custom_fields(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    h = alice.headers
    mine, other = make_project(client, alice, name="Mine"), make_project(client, alice, name="Other")
    hook = make_webhook(client, alice, receiver.url, events=["view.*", "custom_field.*"], project_id=mine)["id"]
    body = {"name": "Budget", "type": "number"}
    _created(client.post(f"/v1/workspaces/{alice.workspace}/custom-fields", json=body, headers=h))
    _created(client.post(f"/v1/projects/{other}/views", json={"name": "Theirs"}, headers=h))
    _created(client.post(f"/v1/projects/{mine}/custom-fields", json={"name": "Cost", "type": "number"}, headers=h))
    _created(client.post(f"/v1/projects/{mine}/views", json={"name": "Ours"}, headers=h))
    wait_for(lambda: len(receiver.requests) >= 2, what="the project's two events")
    # Deliveries are written in the commit that records their events, so these rows are all
    # that will ever be sent (no waiting to see that nothing else comes).
    assert len(deliveries(client, alice, hook)) == 2
    got = [(r.json["event"], r.json["data"]) for r in receiver.in_event_order()]
    assert [(name, data[name.split(".")[0]]["name"]) for name, data in got] == [
        ("custom_field.created", "Cost"),
        ("view.created", "Ours"),
    ]


@pytest.mark.parametrize(
    ("events", "index"),
    [
        (["task.created", "task.exploded"], 1),
        (["gizmo.*"], 0),
        (["*", "auth.login_failed"], 1),  # recorded, but audit-only
        (["task.*", "api_key.*"], 1),
        (["webhook.ping"], 0),  # sent by /test, never subscribed to
        (["TASK.CREATED"], 0),
        (["task.created", ""], 1),
    ],
)
def test_anything_else_is_a_422_naming_the_item(
    client: httpx.Client, db: Database, events: list[str], index: int
) -> None:
    alice = make_person(db)
    body: dict[str, Any] = {"url": "https://hooks.example.com/in", "events": events}
    r = client.post("/v1/webhooks", json=body, headers=alice.headers)
    _refused(r, events, index)
    assert client.get("/v1/webhooks", headers=alice.headers).json()["data"] == []
    hook = make_webhook(client, alice, "https://hooks.example.com/in", events=["task.*"])["id"]
    for method in ("PUT", "PATCH"):
        r = client.request(method, f"/v1/webhooks/{hook}", json={"events": events}, headers=alice.headers)
        _refused(r, events, index)
    assert client.get(f"/v1/webhooks/{hook}", headers=alice.headers).json()["data"]["attributes"]["events"] == [
        "task.*"
    ]


def _refused(r: httpx.Response, events: list[str], index: int) -> None:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == f"events[{index}]"
    assert error["details"]["provided_value"] == events[index]
    # It names what was given and lists nothing else: no audit-only event, no catalogue.
    others = [name for name in CATALOG if name != events[index]]
    assert not [name for name in others if name in r.text]


def test_audit_only_events_reach_no_webhook(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["*"])["id"]
    # A key bound to the workspace: its api_key.created belongs to the workspace's log.
    r = client.post("/v1/api-keys", json={"name": "ci", "workspace_id": alice.workspace}, headers=alice.headers)
    assert r.status_code == 201, r.text
    assert client.delete(f"/v1/api-keys/{r.json()['data']['id']}", headers=alice.headers).status_code == 204
    make_project(client, alice)
    wait_for(lambda: len(receiver.requests) >= 1, what="project.created")
    # Deliveries are written in the commit that records their events, so these rows are all
    # that will ever be sent (no waiting to see that nothing else comes).
    assert [d["attributes"]["event"] for d in deliveries(client, alice, hook)] == ["project.created"]
    assert [r.json["event"] for r in receiver.requests] == ["project.created"]
    log = client.get(f"/v1/workspaces/{alice.workspace}/audit-log", headers=alice.headers)
    assert {"api_key.created", "api_key.revoked"} <= {e["attributes"]["type"] for e in log.json()["data"]}


def _events_items(node: Any) -> list[dict[str, Any]]:
    """The `items` schemas under an `events` property, wherever nullable wrappers put them."""
    if isinstance(node, dict):
        if "items" in node:
            return [node["items"]]
        return [found for value in node.values() for found in _events_items(value)]
    if isinstance(node, list):
        return [found for value in node for found in _events_items(value)]
    return []


@pytest.mark.parametrize("schema", ["WebhookCreate", "WebhookUpdate"])
def test_the_openapi_document_lists_the_catalogue(client: httpx.Client, schema: str) -> None:
    document = client.get("/openapi.json").json()
    events = document["components"]["schemas"][schema]["properties"]["events"]
    [items] = _events_items(events)
    assert items["enum"] == list(SUBSCRIPTION_PATTERNS)
    assert {"list.*", "view.*", "custom_field.*", "task.email_linked"} <= set(items["enum"])
    assert not [name for name in items["enum"] if name.startswith(("auth.", "api_key.", "oauth_client.", "user."))]


def test_the_feed_filters_by_catalogue_names_it_shows(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    ok = client.get("/v1/events", params={"types": "task.email_linked,task.*"}, headers=alice.headers)
    assert ok.status_code == 200, ok.text
    for refused in ("auth.login_failed", "api_key.*", "oauth_client.*", "user.created", "task.exploded"):
        r = client.get("/v1/events", params={"types": refused}, headers=alice.headers)
        assert r.status_code == 422, refused
        assert r.json()["error"]["details"]["field"] == "types"


def test_writing_an_undeclared_type_is_a_programming_error(db: Database) -> None:
    """record_event and declared() refuse what the catalogue does not declare, and nothing is written."""
    alice = make_person(db)
    cases = [("task.exploded", "task"), ("task.created", "project"), ("auth.login_failed", "credential")]
    for type_, resource in cases:
        with pytest.raises(UndeclaredEvent), db.unit_of_work() as session:
            record_event(
                session, None, type=type_, resource_type=resource, resource_id=1, workspace_id=alice.workspace_pk
            )
    with pytest.raises(UndeclaredEvent):
        declared("task.exploded")
    assert declared("task.created") == "task.created"
    with db.unit_of_work(readonly=True) as session:
        written = set(session.scalars(select(Event.type)))
    assert not written & {"task.exploded", "task.created"}
