"""The read lane (api/v1/readlane.py): what it answers is what the routes answer, byte for byte,
and whatever it is unsure of (errors, other credentials, other parameters) the routes answer.

Two apps over the same database: one with the lane (the default), one without it. Each test
reads the same URLs from both and checks the lane really answered (its counters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from polytask.api.app import create_app
from polytask.api.v1.readlane import LaneStats
from polytask.core.db import Database, ReadTooSlow
from polytask.core.keycache import KEYS
from polytask.core.settings import Settings
from polytask.models import ApiKey
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task
from tests.openapi_check import OpenAPIChecker

Serve = Callable[[FastAPI], AbstractContextManager[str]]


@pytest.fixture(scope="module")
def lane_app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings, db)


@pytest.fixture(scope="module")
def lane_url(serve_app: Serve, lane_app: FastAPI) -> Iterator[str]:
    with serve_app(lane_app) as url:
        yield url


@pytest.fixture(scope="module")
def route_url(serve_app: Serve, settings: Settings, db: Database) -> Iterator[str]:
    with serve_app(create_app(settings.model_copy(update={"read_lane": False}), db)) as url:
        yield url


@pytest.fixture
def lane(lane_url: str, openapi: OpenAPIChecker) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=lane_url, event_hooks={"response": [openapi.check_response]}, timeout=30) as c:
        yield c


@pytest.fixture
def route(route_url: str, openapi: OpenAPIChecker) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=route_url, event_hooks={"response": [openapi.check_response]}, timeout=30) as c:
        yield c


def stats(app: FastAPI) -> LaneStats:
    lane_stats: LaneStats = app.state.read_lane
    return lane_stats


def fresh_touch(db: Database, person: Person) -> None:
    """Mark the key as just used: a key due for its "last used" touch takes the route."""
    from polytask.core.clock import utcnow

    with db.unit_of_work() as session:
        session.execute(
            update(ApiKey).where(ApiKey.user_id == int(person.id.split("_")[1])).values(last_used_at=utcnow())
        )


def without_ids(body: dict[str, Any]) -> dict[str, Any]:
    error = {k: v for k, v in body["error"].items() if k not in ("request_id", "timestamp")}
    return {"error": error}


def same(lane: httpx.Client, route: httpx.Client, app: FastAPI, url: str, who: Person, *, by_lane: bool) -> Any:
    """GET `url` from both apps; the answers must be identical; returns the parsed body."""
    before = stats(app).served
    a = lane.get(url, headers=who.headers)
    b = route.get(url, headers=who.headers)
    assert a.status_code == b.status_code, (url, a.text, b.text)
    if a.status_code >= 400:
        # Errors differ only in their request id and time.
        assert without_ids(a.json()) == without_ids(b.json()), url
    else:
        assert a.content == b.content, url
    assert a.headers.get("etag") == b.headers.get("etag")
    assert a.headers["content-type"] == b.headers["content-type"]
    assert stats(app).served == before + (1 if by_lane else 0), url
    return a.json()


@pytest.fixture
def world(client: httpx.Client, db: Database) -> dict[str, Any]:
    """A project whose tasks use every rendered field: relations in a given order, subtasks,
    sections, completion, timestamps with and without microseconds, NULLs, custom fields."""
    alice, bob, carol = make_person(db, name="Alice"), make_person(db, name="Bob"), make_person(db, name="Carol")
    join(db, alice, bob)
    join(db, alice, carol, role="viewer")
    project = make_project(client, alice)
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    section = r.json()["data"]["id"]
    first = make_task(
        client,
        alice,
        project,
        name="First",
        description="with everything",
        assignee_ids=[bob.id, alice.id],
        labels=["zeta", "alpha"],
        due_date="2024-02-10T17:00:00.123456Z",
        start_date="2024-02-01T09:00:00Z",
        progress=40,
        estimated_hours=2.5,
        priority="high",
        section_id=section,
        custom_fields={"n": 1.5, "big": 10**15, "nested": {"z": [1, "x", None]}, "text": "héllo ✓"},
    )
    second = make_task(client, alice, project, name="Second", dependencies=[first["id"]], due_date="2024-02-10")
    r = client.patch(f"/v1/tasks/{second['id']}", json={"status": "completed"}, headers=bob.headers)
    assert r.status_code == 200, r.text
    make_task(client, alice, project, name="Sub", parent_id=first["id"], priority="low")
    for n in range(7):
        make_task(client, alice, project, name=f"Plain {n}", due_date=f"2024-03-0{n % 3 + 1}T08:00:00Z")
    for person in (alice, bob, carol):
        fresh_touch(db, person)
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "project": project,
        "first": first["id"],
        "second": second["id"],
    }


def test_one_task_is_the_routes_document(
    lane: httpx.Client, route: httpx.Client, lane_app: FastAPI, world: dict[str, Any]
) -> None:
    alice, project = world["alice"], world["project"]
    body = same(lane, route, lane_app, f"/v1/tasks/{world['first']}", alice, by_lane=True)
    attrs = body["data"]["attributes"]
    assert attrs["assignee_ids"] == [world["bob"].id, alice.id]
    assert attrs["labels"] == ["alpha", "zeta"]  # labels read back in order
    assert attrs["due_date"] == "2024-02-10T17:00:00.123456Z"
    assert attrs["custom_fields"]["text"] == "héllo ✓"
    second = same(lane, route, lane_app, f"/v1/projects/{project}/tasks/{world['second']}", alice, by_lane=True)
    assert second["data"]["attributes"]["dependencies"] == [world["first"]]
    assert second["data"]["attributes"]["completed_by"] == world["bob"].id
    # A viewer reads too; the numeric id form is the same task.
    same(lane, route, lane_app, f"/v1/tasks/{world['first'].split('_')[1]}", world["carol"], by_lane=True)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?limit=50&sort=due_date",
        "?limit=3&offset=2&sort=-due_date,name",
        "?page=2&per_page=4&sort=priority",
        "?sort=-priority,status,-created_at",
        "?limit=2&offset=100",
        "?sort=estimated_hours",
        "?limit=1000",
    ],
)
def test_pages_are_the_routes_documents(
    lane: httpx.Client, route: httpx.Client, lane_app: FastAPI, world: dict[str, Any], query: str
) -> None:
    url = f"/v1/projects/{world['project']}/tasks{query}"
    body = same(lane, route, lane_app, url, world["alice"], by_lane=True)
    assert body["meta"]["total"] == 10
    # Read again: a page reused from the cache (SQLite) is still the same document.
    same(lane, route, lane_app, url, world["alice"], by_lane=True)


def test_pages_follow_every_change(
    lane: httpx.Client, route: httpx.Client, lane_app: FastAPI, world: dict[str, Any], db: Database
) -> None:
    alice, bob, project = world["alice"], world["bob"], world["project"]
    url = f"/v1/projects/{project}/tasks?limit=50&sort=due_date"
    same(lane, route, lane_app, url, alice, by_lane=True)
    changes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", f"/v1/tasks/{world['first']}", {"labels": ["only"]}),
        ("PATCH", f"/v1/tasks/{world['first']}", {"assignee_ids": [alice.id]}),
        ("PATCH", f"/v1/tasks/{world['second']}", {"dependencies": []}),
        ("PATCH", f"/v1/tasks/{world['second']}", {"due_date": "2020-01-01T00:00:00Z"}),
        ("POST", f"/v1/projects/{project}/tasks", {"name": "Newest", "due_date": "2019-05-05T05:05:05Z"}),
        ("DELETE", f"/v1/tasks/{world['first']}", None),
    ]
    for method, path, body in changes:
        r = lane.request(method, path, json=body, headers=bob.headers)
        assert r.status_code in (200, 201, 204), r.text
        fresh_touch(db, alice)
        after = same(lane, route, lane_app, url, alice, by_lane=True)
        names = [t["attributes"]["name"] for t in after["data"]]
        if method == "POST":
            assert names[0] == "Newest"
        if method == "DELETE":
            assert "First" not in names
            assert "Sub" not in names


def test_what_the_lane_leaves_to_the_routes(
    lane: httpx.Client, route: httpx.Client, lane_app: FastAPI, world: dict[str, Any], db: Database
) -> None:
    alice, project, first = world["alice"], world["project"], world["first"]
    stranger = make_person(db, name="Stranger")
    fresh_touch(db, stranger)
    for url in (
        f"/v1/tasks/{first}?include=assignees",
        f"/v1/tasks/{first}?fields=name",
        f"/v1/projects/{project}/tasks?status=pending",
        f"/v1/projects/{project}/tasks?sort=custom_fields.n",
        f"/v1/projects/{project}/tasks?cursor=",
        f"/v1/projects/{project}/tasks?limit=x",
        f"/v1/projects/{project}/tasks?limit=1&limit=2",
        f"/v1/projects/{project}/tasks?page=1&limit=2",
        "/v1/tasks/task_999999",
        "/v1/tasks/nonsense",
        f"/v1/projects/project_999999/tasks/{first}",
    ):
        same(lane, route, lane_app, url, alice, by_lane=False)
    # Another workspace's task and project: 404 from the route, for the lane too.
    for url in (f"/v1/tasks/{first}", f"/v1/projects/{project}/tasks"):
        body = same(lane, route, lane_app, url, stranger, by_lane=False)
        assert body["error"]["code"] == "RESOURCE_NOT_FOUND"


def test_credentials_the_lane_does_not_take(
    lane: httpx.Client, lane_app: FastAPI, world: dict[str, Any], db: Database
) -> None:
    alice, first, project = world["alice"], world["first"], world["project"]
    url = f"/v1/tasks/{first}"
    before = stats(lane_app).served
    assert lane.get(url).status_code == 401
    assert lane.get(url, headers={"Authorization": "Bearer ptk_nothing_here"}).status_code == 401
    assert lane.get(url, headers={"Authorization": "Basic eDp5"}).status_code == 401
    # A key without tasks:read: the route's 403 names the scope.
    narrow = make_person(db, scopes=["projects:read"])
    join(db, alice, narrow)
    fresh_touch(db, narrow)
    r = lane.get(url, headers=narrow.headers)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["details"]["required_scope"] == "tasks:read"
    # A key bound to another workspace does not see this one's tasks.
    bound = make_person(db, bind_workspace=True)
    join(db, alice, bound)
    fresh_touch(db, bound)
    assert lane.get(url, headers=bound.headers).status_code == 404
    assert lane.get(f"/v1/projects/{project}/tasks", headers=bound.headers).status_code == 404
    # Revoked: 401 at once, even after the lane served the key a moment ago.
    bob = world["bob"]
    assert lane.get(url, headers=bob.headers).status_code == 200
    served = stats(lane_app).served
    r = lane.get("/v1/api-keys", headers=bob.headers)
    key_id = r.json()["data"][0]["id"]
    assert lane.delete(f"/v1/api-keys/{key_id}", headers=bob.headers).status_code == 204
    r = lane.get(url, headers=bob.headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "AUTHENTICATION_ERROR"
    assert served == before + 1 == stats(lane_app).served


def test_a_key_due_for_its_touch_takes_the_route(
    lane: httpx.Client, lane_app: FastAPI, world: dict[str, Any], db: Database
) -> None:
    alice = world["alice"]
    with db.unit_of_work() as session:
        session.execute(update(ApiKey).where(ApiKey.user_id == int(alice.id.split("_")[1])).values(last_used_at=None))
    # Edited behind the services' back: this process's cache of verified keys must forget it.
    KEYS.clear()
    before = stats(lane_app).served
    assert lane.get(f"/v1/tasks/{world['first']}", headers=alice.headers).status_code == 200
    assert stats(lane_app).served == before  # the route answered, and recorded the use
    with db.unit_of_work(readonly=True) as session:
        key = session.query(ApiKey).filter(ApiKey.user_id == int(alice.id.split("_")[1])).one()
        assert key.last_used_at is not None
    assert lane.get(f"/v1/tasks/{world['first']}", headers=alice.headers).status_code == 200
    assert stats(lane_app).served == before + 1


def test_an_ip_allowlist_is_the_routes_business(
    lane: httpx.Client, lane_url: str, lane_app: FastAPI, world: dict[str, Any], db: Database
) -> None:
    alice = world["alice"]
    r = lane.patch(
        f"/v1/workspaces/{alice.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.1/32"]}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    fresh_touch(db, alice)
    before = stats(lane_app).served
    url = f"/v1/tasks/{world['first']}"
    assert lane.get(url, headers=alice.headers).status_code == 200
    # From another loopback address (the server sees 127.0.0.2): refused, with the reason.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=lane_url, transport=transport, timeout=30) as elsewhere:
        r = elsewhere.get(url, headers=alice.headers)
        assert r.status_code == 403
        assert r.json()["error"]["details"]["client_ip"] == "127.0.0.2"
    assert stats(lane_app).served == before


def test_a_slow_read_falls_through(serve_app: Serve, settings: Settings, db: Database, world: dict[str, Any]) -> None:
    """With a budget no read can meet, SQLite reads are interrupted and the route answers."""
    if not db.is_sqlite:
        pytest.skip("the loop reader and its budget are SQLite's")
    alice, project = world["alice"], world["project"]
    app = create_app(settings.model_copy(update={"read_lane_budget_ms": 0.000001}), db)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        # Enough rows that sorting them by name (no index) takes SQLite thousands of steps.
        items = [{"name": f"Bulk {n:03d}"} for n in range(300)]
        r = c.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": items}, headers=alice.headers)
        assert r.status_code == 201, r.text
        fresh_touch(db, alice)
        for _ in range(3):
            r = c.get(f"/v1/projects/{project}/tasks?sort=name&limit=5&offset=200", headers=alice.headers)
            assert r.status_code == 200
            assert r.json()["meta"]["total"] == 310
            assert [t["attributes"]["name"] for t in r.json()["data"]] == [f"Bulk {n:03d}" for n in range(200, 205)]
        assert stats(app).served == 0
        assert stats(app).passed == 3


def test_loop_reader_budget(db: Database) -> None:
    """An interrupted read leaves the connection usable for the next one."""
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    reader = db.loop_reader(budget_ms=20)
    assert reader is not None
    try:
        slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        with pytest.raises(ReadTooSlow), reader.read() as conn:
            conn.execute(slow).fetchall()
        with reader.read() as conn:
            assert conn.execute("SELECT 42").fetchone() == (42,)
    finally:
        reader.close()


def test_lane_answers_count_against_the_keys_plan(
    serve_app: Serve, settings: Settings, db: Database, world: dict[str, Any]
) -> None:
    from tests.api.test_rate_plans import PLANS, key_on_plan

    small = key_on_plan(db, world["alice"], "small")  # 3 a minute
    app = create_app(settings.model_copy(update={"rate_plans": PLANS, "rate_limit_concurrency": 0}), db)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        auth = {"Authorization": f"Bearer {small}"}
        responses = [c.get(f"/v1/tasks/{world['first']}", headers=auth) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert [r.headers["x-ratelimit-limit"] for r in responses] == ["3"] * 4
        assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
        # The first read recorded the key's use through the route; the next two were the lane's.
        assert stats(app).served == 2
