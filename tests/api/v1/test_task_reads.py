"""Task reads (one task, and pages through the list pipeline) are records read by prepared
statements and Core rows (domain/tasks/queries.py), never ORM objects; writes answer with
what the ORM holds. Both must render the same resource, field for field, whatever the task
holds, and reads must see every change at once, with the access rules of every other route.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from polytask.core.db import Database
from polytask.core.keycache import KEYS
from polytask.models import ApiKey
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def fresh_touch(db: Database, person: Person) -> None:
    """Mark the key as just used: a key due for its "last used" touch takes the route."""
    from polytask.core.clock import utcnow

    with db.unit_of_work() as session:
        session.execute(
            update(ApiKey).where(ApiKey.user_id == int(person.id.split("_")[1])).values(last_used_at=utcnow())
        )


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


def _page(
    client: httpx.Client, who: Person, project: str, query: str = "", *, limit: int = 100
) -> list[dict[str, Any]]:
    r = client.get(f"/v1/projects/{project}/tasks?limit={limit}{query}", headers=who.headers)
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


def test_reads_render_what_writes_render(client: httpx.Client, world: dict[str, Any]) -> None:
    """A write's answer (from the ORM object) equals the record read of the same task, alone
    and in its page, for tasks with every field, relation and NULL."""
    alice, project = world["alice"], world["project"]
    for task in _page(client, alice, project):
        name = task["attributes"]["name"]
        r = client.patch(f"/v1/tasks/{task['id']}", json={"name": name}, headers=alice.headers)
        assert r.status_code == 200, r.text
        written = r.json()["data"]
        shown = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers).json()["data"]
        assert shown == written
        listed = {t["id"]: t for t in _page(client, alice, project)}
        assert listed[task["id"]] == written
    first = client.get(f"/v1/tasks/{world['first']}", headers=alice.headers).json()["data"]["attributes"]
    assert first["assignee_ids"] == [world["bob"].id, alice.id]
    assert first["labels"] == ["alpha", "zeta"]
    assert first["due_date"] == "2024-02-10T17:00:00.123456Z"
    assert first["custom_fields"] == {"n": 1.5, "big": 10**15, "nested": {"z": [1, "x", None]}, "text": "héllo ✓"}
    second = client.get(f"/v1/projects/{project}/tasks/{world['second']}", headers=alice.headers).json()["data"]
    assert second["attributes"]["dependencies"] == [world["first"]]
    assert second["attributes"]["completed_by"] == world["bob"].id
    # A viewer reads the same document; the numeric id form is the same task.
    numeric = world["first"].split("_")[1]
    seen = client.get(f"/v1/tasks/{numeric}", headers=world["carol"].headers).json()["data"]
    assert seen == client.get(f"/v1/tasks/{world['first']}", headers=alice.headers).json()["data"]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("&sort=due_date", ("due_date", False)),
        ("&sort=-due_date", ("due_date", True)),
        ("&sort=name", ("name", False)),
        ("&sort=-priority", ("priority", True)),
        ("&sort=estimated_hours", ("estimated_hours", False)),
    ],
)
def test_pages_are_ordered_with_nulls_last_and_ties_by_id(
    client: httpx.Client, world: dict[str, Any], query: str, key: tuple[str, bool]
) -> None:
    field, descending = key
    rank = {"low": 1, "medium": 2, "high": 3, "urgent": 4}
    page = _page(client, world["alice"], world["project"], query)
    assert len(page) == 10

    def value(task: dict[str, Any]) -> Any:
        v = task["attributes"][field]
        return rank[v] if field == "priority" and v is not None else v

    present = [t for t in page if value(t) is not None]
    absent = [t for t in page if value(t) is None]
    expected = sorted(present, key=lambda t: int(t["id"].split("_")[1]))
    expected.sort(key=value, reverse=descending)
    assert [t["id"] for t in page] == [t["id"] for t in expected] + sorted(
        (t["id"] for t in absent), key=lambda i: int(i.split("_")[1])
    )
    # Offset pages of the same order add up to the whole.
    halves = _page(client, world["alice"], world["project"], query, limit=4) + _page(
        client, world["alice"], world["project"], query + "&offset=4", limit=6
    )
    assert [t["id"] for t in halves] == [t["id"] for t in page]


def test_pages_follow_every_change(client: httpx.Client, world: dict[str, Any], db: Database) -> None:
    alice, bob, project = world["alice"], world["bob"], world["project"]
    changes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", f"/v1/tasks/{world['first']}", {"labels": ["only"]}),
        ("PATCH", f"/v1/tasks/{world['first']}", {"assignee_ids": [alice.id]}),
        ("PATCH", f"/v1/tasks/{world['second']}", {"dependencies": []}),
        ("PATCH", f"/v1/tasks/{world['second']}", {"due_date": "2020-01-01T00:00:00Z"}),
        ("POST", f"/v1/projects/{project}/tasks", {"name": "Newest", "due_date": "2019-05-05T05:05:05Z"}),
        ("DELETE", f"/v1/tasks/{world['first']}", None),
    ]
    for method, path, body in changes:
        r = client.request(method, path, json=body, headers=bob.headers)
        assert r.status_code in (200, 201, 204), r.text
        page = _page(client, alice, project, "&sort=due_date")
        names = [t["attributes"]["name"] for t in page]
        by_name = {t["attributes"]["name"]: t["attributes"] for t in page}
        if method == "PATCH" and body == {"labels": ["only"]}:
            assert by_name["First"]["labels"] == ["only"]
        if method == "PATCH" and body == {"assignee_ids": [alice.id]}:
            assert by_name["First"]["assignee_ids"] == [alice.id]
        if method == "PATCH" and body == {"dependencies": []}:
            assert by_name["Second"]["dependencies"] == []
        if method == "POST":
            assert names[0] == "Newest"
        if method == "DELETE":
            assert "First" not in names
            assert "Sub" not in names


def test_reads_keep_the_access_rules(client: httpx.Client, world: dict[str, Any], db: Database) -> None:
    alice, project, first = world["alice"], world["project"], world["first"]
    stranger = make_person(db, name="Stranger")
    for url in (f"/v1/tasks/{first}", f"/v1/projects/{project}/tasks", f"/v1/projects/{project}/tasks/{first}"):
        r = client.get(url, headers=stranger.headers)
        assert r.status_code == 404, (url, r.text)
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    for url in ("/v1/tasks/task_999999", f"/v1/projects/project_999999/tasks/{first}"):
        assert client.get(url, headers=alice.headers).status_code == 404
    assert client.get(f"/v1/tasks/{first}").status_code == 401
    assert client.get(f"/v1/tasks/{first}", headers={"Authorization": "Bearer ptk_nothing_here"}).status_code == 401
    narrow = make_person(db, scopes=["projects:read"])
    join(db, alice, narrow)
    r = client.get(f"/v1/tasks/{first}", headers=narrow.headers)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["details"]["required_scope"] == "tasks:read"
    bound = make_person(db, bind_workspace=True)
    join(db, alice, bound)
    assert client.get(f"/v1/tasks/{first}", headers=bound.headers).status_code == 404
    assert client.get(f"/v1/projects/{project}/tasks", headers=bound.headers).status_code == 404
    # Revoked: 401 at once, though the key was verified (and cached) a moment ago.
    bob = world["bob"]
    assert client.get(f"/v1/tasks/{first}", headers=bob.headers).status_code == 200
    key_id = client.get("/v1/api-keys", headers=bob.headers).json()["data"][0]["id"]
    assert client.delete(f"/v1/api-keys/{key_id}", headers=bob.headers).status_code == 204
    r = client.get(f"/v1/tasks/{first}", headers=bob.headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "AUTHENTICATION_ERROR"


def test_a_read_records_the_keys_use(client: httpx.Client, world: dict[str, Any], db: Database) -> None:
    """A read unit whose key is due for its "last used" touch writes it (run again as a write)."""
    alice = world["alice"]
    with db.unit_of_work() as session:
        session.execute(update(ApiKey).where(ApiKey.user_id == int(alice.id.split("_")[1])).values(last_used_at=None))
    KEYS.clear()  # edited behind the services' back: forget the verified key
    assert client.get(f"/v1/tasks/{world['first']}", headers=alice.headers).status_code == 200
    with db.unit_of_work(readonly=True) as session:
        key = session.query(ApiKey).filter(ApiKey.user_id == int(alice.id.split("_")[1])).one()
        assert key.last_used_at is not None


def test_an_ip_allowlist_holds_for_reads(
    client: httpx.Client, base_url: str, world: dict[str, Any], db: Database
) -> None:
    alice = world["alice"]
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.1/32"]}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    for url in (f"/v1/tasks/{world['first']}", f"/v1/projects/{world['project']}/tasks"):
        assert client.get(url, headers=alice.headers).status_code == 200
        # From another loopback address (the server sees 127.0.0.2): refused, with the reason.
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=base_url, transport=transport, timeout=30) as elsewhere:
            r = elsewhere.get(url, headers=alice.headers)
            assert r.status_code == 403, r.text
            assert r.json()["error"]["details"]["client_ip"] == "127.0.0.2"
