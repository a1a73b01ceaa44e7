"""GET /v1/events (changes feed) and GET /v1/events/stream (Server-Sent Events)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import orjson
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.changes.feed import FEED_RESOURCES
from polytask.domain.events.catalog import CATALOG
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook, sse
from tests.webhooks.receiver import wait_for
from tests.webhooks.test_event_payloads import LISTS

Serve = Callable[[ASGIApp], AbstractContextManager[str]]


def test_the_feed_pages_through_visible_events(client: httpx.Client, db: Database) -> None:
    alice, bob, viewer = make_person(db), make_person(db), make_person(db)
    project = make_project(client, alice, name="Feed")
    task = make_task(client, alice, project, name="first")["id"]
    client.patch(f"/v1/tasks/{task}", json={"status": "completed"}, headers=alice.headers)
    make_project(client, bob, name="Bob's secret")
    make_webhook(client, alice, "https://hooks.example.com/in", events=["*"])
    join(db, alice, viewer, role="viewer")

    r = client.get(
        "/v1/events", params={"after": 0, "limit": 2, "workspace_id": alice.workspace}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [e["attributes"]["type"] for e in body["data"]] == ["workspace.created", "project.created"]
    assert body["meta"]["has_more"] is True
    r = client.get(body["links"]["next"], headers=alice.headers)
    types = [e["attributes"]["type"] for e in r.json()["data"]]
    assert types == ["task.created", "task.completed"]
    completed = r.json()["data"][1]["attributes"]
    assert completed["resource_id"] == task
    assert completed["data"]["task"]["completed_by"] == alice.id
    assert completed["data"]["project"] == {"id": project, "name": "Feed"}
    assert completed["actor_id"] == alice.id

    everything = client.get("/v1/events", params={"limit": 100}, headers=alice.headers).json()["data"]
    seen_by_alice = {e["attributes"]["data"].get("project", {}).get("name") for e in everything}
    assert "Bob's secret" not in seen_by_alice
    assert "webhook.created" in [e["attributes"]["type"] for e in everything]
    [added] = [e["attributes"]["data"] for e in everything if e["attributes"]["type"] == "member.added"]
    assert added["user"]["id"] == viewer.id
    assert added["member"]["name"] == added["user"]["name"]
    assert added["member"]["name"]
    # A viewer sees the workspace's work but not its webhooks.
    viewer_types = [
        e["attributes"]["type"]
        for e in client.get("/v1/events", params={"limit": 100}, headers=viewer.headers).json()["data"]
    ]
    assert "task.completed" in viewer_types
    assert "webhook.created" not in viewer_types

    r = client.get("/v1/events", params={"types": "task.*", "project_id": project}, headers=alice.headers)
    assert [e["attributes"]["type"] for e in r.json()["data"]] == ["task.created", "task.completed"]
    # Filters naming what you cannot see are 404s; bad ones 422s.
    assert client.get("/v1/events", params={"workspace_id": bob.workspace}, headers=alice.headers).status_code == 404
    assert client.get("/v1/events", params={"types": "task.exploded"}, headers=alice.headers).status_code == 422
    assert client.get("/v1/events", params={"after": "yesterday"}, headers=alice.headers).status_code == 422
    # Nothing new: the cursor stays.
    last = everything[-1]["id"]
    r = client.get("/v1/events", params={"after": last}, headers=alice.headers)
    assert r.json()["data"] == []
    assert r.json()["meta"]["last_id"] == int(last.removeprefix("event_"))


def test_the_stream_delivers_resumes_from_last_event_id_and_beats(
    serve_app: Serve, settings: Settings, db: Database, client: httpx.Client
) -> None:
    alice, bob = make_person(db), make_person(db)
    app = create_app(settings.model_copy(update={"events_heartbeat_seconds": 0.5}), db)
    with serve_app(app) as base:
        project = make_project(client, alice, name="Live")
        with sse(base, alice.headers, project_id=project) as live, sse(base, bob.headers) as other:
            first = make_task(client, alice, project, name="one")["id"]
            got = live.next()
            assert got["event"] == "task.created"
            assert orjson.loads(got["data"])["attributes"]["data"]["task"]["id"] == first
            last_id = got["id"]
            # Every 0.5 s while idle: one comes well before the default 15 s would send one.
            wait_for(lambda: ": heartbeat" in live.comments, timeout=10, what="a heartbeat")
        # Disconnected: changes go on; a client resuming with Last-Event-ID misses none.
        missed = [make_task(client, alice, project, name=f"missed {n}")["id"] for n in range(3)]
        client.patch(f"/v1/tasks/{missed[0]}", json={"status": "completed"}, headers=alice.headers)
        make_project(client, alice, name="elsewhere")  # filtered out by project_id
        with sse(base, {**alice.headers, "Last-Event-ID": last_id}, project_id=project) as resumed:
            got_events = [resumed.next() for _ in range(4)]
            assert [(e["event"], orjson.loads(e["data"])["attributes"]["resource_id"]) for e in got_events] == [
                ("task.created", missed[0]),
                ("task.created", missed[1]),
                ("task.created", missed[2]),
                ("task.completed", missed[0]),
            ]
            ids = [int(e["id"].removeprefix("event_")) for e in got_events]
            assert ids == sorted(ids)
            assert ids[0] > int(last_id.removeprefix("event_"))
            assert resumed.events.empty()
        assert other.events.empty()  # Bob saw nothing of Alice's workspace


# --- every public event type reaches the feed ---------------------------------------------------


def _types(client: httpx.Client, person: Person, **params: str) -> list[str]:
    r = client.get("/v1/events", params={"limit": "100", **params}, headers=person.headers)
    assert r.status_code == 200, r.text
    return [e["attributes"]["type"] for e in r.json()["data"]]


def test_every_public_event_type_is_of_a_resource_the_feed_shows() -> None:
    # Webhooks receive every public type; the feed must not silently drop a resource of them.
    missing = sorted(e.name for e in CATALOG.values() if e.public and e.resource not in FEED_RESOURCES)
    assert not missing, f"public event types the changes feed never shows: {missing}"


def test_view_events_are_in_the_feed(client: httpx.Client, db: Database) -> None:
    alice, member = make_person(db), make_person(db)
    join(db, alice, member, role="member")
    project = make_project(client, alice, name="Views")
    views = f"/v1/projects/{project}/views"
    made = client.post(views, json={"name": "Mine", "filter": {"status": "pending"}}, headers=alice.headers)
    assert made.status_code == 201, made.text
    view = made.json()["data"]["id"]
    assert client.patch(f"{views}/{view}", json={"name": "Ours"}, headers=alice.headers).status_code == 200
    assert client.delete(f"{views}/{view}", headers=alice.headers).status_code == 204
    expected = ["view.created", "view.updated", "view.deleted"]
    for person in (alice, member):
        assert [t for t in _types(client, person) if t.startswith("view.")] == expected
    assert [t for t in _types(client, alice, project_id=project) if t.startswith("view.")] == expected
    assert _types(client, alice, types="view.*") == expected


def test_custom_field_events_are_in_the_feed(client: httpx.Client, db: Database) -> None:
    alice, member = make_person(db), make_person(db)
    join(db, alice, member, role="member")
    project = make_project(client, alice, name="Fields")
    for base in (f"/v1/projects/{project}/custom-fields", f"/v1/workspaces/{alice.workspace}/custom-fields"):
        made = client.post(base, json={"name": f"Size {len(base)}", "type": "text"}, headers=alice.headers)
        assert made.status_code == 201, made.text
        field = made.json()["data"]["id"]
        assert client.patch(f"{base}/{field}", json={"name": "Renamed"}, headers=alice.headers).status_code == 200
        assert client.delete(f"{base}/{field}", headers=alice.headers).status_code == 204
    once = ["custom_field.created", "custom_field.updated", "custom_field.deleted"]
    for person in (alice, member):
        assert [t for t in _types(client, person) if t.startswith("custom_field.")] == once * 2
    # The project's own field belongs to its project's events; the workspace's field to none.
    assert [t for t in _types(client, alice, project_id=project) if t.startswith("custom_field.")] == once


LIST_EVENTS = {t for t in LISTS if t.startswith("list.")}


def _list_events(client: httpx.Client, person: Person, path: str, **params: str) -> list[tuple[str, str]]:
    r = client.get(path, params={"limit": "100", **params}, headers=person.headers)
    assert r.status_code == 200, r.text
    found = [(e["id"], e["attributes"]["type"]) for e in r.json()["data"]]
    return sorted(((i, t) for i, t in found if t.startswith("list.")), key=lambda it: int(it[0].split("_")[1]))


def test_list_events_are_in_the_feed_for_owners_and_admins(base_url: str, client: httpx.Client, db: Database) -> None:
    alice, admin, member = make_person(db), make_person(db), make_person(db)
    join(db, alice, admin, role="admin")
    join(db, alice, member, role="member")
    tf = Taskforce(base_url, alice, "json")
    try:
        errands = tf.post("/lists", {"name": "Errands"})["list_id"]
        tf.post(f"/lists/{errands}", {"name": "Chores"})
        tf.post(f"/lists/{errands}/add_collaborator", {"email": member.email})
        tf.post(f"/lists/{errands}/remove_collaborator", {"email": member.email})
        first = int(tf.post("/tasks", {"name": "First", "list_id": errands})["task_id"])
        second = int(tf.post("/tasks", {"name": "Second", "list_id": errands})["task_id"])
        other = tf.post("/lists", {"name": "Other"})["list_id"]
        tf.post(f"/tasks/{first}/add_to_list", {"list_id": other})
        tf.post(f"/tasks/{first}/remove_from_list", {"list_id": other})
        tf.post(f"/lists/{errands}/reorder_tasks", {"task_ids": f"{second},{first}"})
        tf.post(f"/lists/{other}/delete")
    finally:
        tf.close()
    # The feed shows the managers every list event the workspace's log holds, under the same ids.
    recorded = _list_events(client, alice, f"/v1/workspaces/{alice.workspace}/audit-log")
    assert {t for _, t in recorded} == LIST_EVENTS
    for manager in (alice, admin):
        assert _list_events(client, manager, "/v1/events") == recorded
        assert _list_events(client, manager, "/v1/events", types="list.*") == recorded
    # A list is its owner's and collaborators', not every member's: like webhooks, managers only.
    assert _list_events(client, member, "/v1/events") == []
