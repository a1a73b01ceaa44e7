"""GET /v1/events (changes feed) and GET /v1/events/stream (Server-Sent Events)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import orjson
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.factories.people import join, make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook, sse

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
            time.sleep(1.2)
            assert ": heartbeat" in live.comments
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
