"""Idempotency-Key on POST and PATCH: stored, replayed, refused when reused differently, never run twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.models import Event, IdempotencyKey, Task
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task


def task_count(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count(Task.id))) or 0)


def test_first_response_is_replayed(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    headers = {**alice.headers, "Idempotency-Key": "create-1"}
    first = client.post(f"/v1/projects/{project}/tasks", json={"name": "Once"}, headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    again = client.post(f"/v1/projects/{project}/tasks", json={"name": "Once"}, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert task_count(db) == 1
    with db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count(Event.id)).where(Event.type == "task.created")) == 1
        row = session.scalars(select(IdempotencyKey)).one()
        assert (row.key, row.state, row.response_status) == ("create-1", "done", 201)
        assert row.scope != alice.key
        assert alice.key not in row.scope


def test_same_key_different_request_is_422(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    headers = {**alice.headers, "Idempotency-Key": "k"}
    assert client.post(f"/v1/projects/{project}/tasks", json={"name": "A"}, headers=headers).status_code == 201
    r = client.post(f"/v1/projects/{project}/tasks", json={"name": "B"}, headers=headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "Idempotency-Key"
    r = client.post("/v1/tasks", json={"name": "A", "project_id": project}, headers=headers)
    assert r.status_code == 422
    assert task_count(db) == 1


def test_keys_are_per_credential_and_errors_replay_too(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    pa, pb = make_project(client, alice), make_project(client, bob)
    a = client.post(
        f"/v1/projects/{pa}/tasks", json={"name": "x"}, headers={**alice.headers, "Idempotency-Key": "same"}
    )
    b = client.post(f"/v1/projects/{pb}/tasks", json={"name": "x"}, headers={**bob.headers, "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["data"]["id"] != b.json()["data"]["id"]
    bad = {**alice.headers, "Idempotency-Key": "bad"}
    r1 = client.post(f"/v1/projects/{pa}/tasks", json={"name": ""}, headers=bad)
    r2 = client.post(f"/v1/projects/{pa}/tasks", json={"name": ""}, headers=bad)
    assert r1.status_code == r2.status_code == 422
    assert r2.headers["idempotent-replayed"] == "true"
    assert r2.json() == r1.json()


def test_patch_and_bulk_are_covered_and_keys_expire(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    headers = {**alice.headers, "Idempotency-Key": "patch-1"}
    first = client.patch(f"/v1/tasks/{task}", json={"progress": 30}, headers=headers)
    assert first.status_code == 200
    assert client.patch(f"/v1/tasks/{task}", json={"progress": 50}, headers=alice.headers).status_code == 200
    replay = client.patch(f"/v1/tasks/{task}", json={"progress": 30}, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["data"]["attributes"]["progress"] == 30  # the stored response ...
    got = client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["progress"]
    assert got == 50  # ... and the PATCH did not run again
    bulk = {"tasks": [{"name": "a"}, {"name": "b"}]}
    bulk_headers = {**alice.headers, "Idempotency-Key": "bulk-1"}
    for _ in range(3):
        assert client.post(f"/v1/projects/{project}/tasks/bulk", json=bulk, headers=bulk_headers).status_code == 201
    assert task_count(db) == 3
    with db.unit_of_work() as session:
        session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json=bulk, headers=bulk_headers)
    assert r.status_code == 201
    assert "idempotent-replayed" not in r.headers
    assert task_count(db) == 5


def test_bad_keys_and_unkeyed_requests(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.post(
        f"/v1/projects/{project}/tasks", json={"name": "x"}, headers={**alice.headers, "Idempotency-Key": "k" * 256}
    )
    assert r.status_code == 422
    for _ in range(2):
        assert (
            client.post(f"/v1/projects/{project}/tasks", json={"name": "x"}, headers=alice.headers).status_code == 201
        )
    assert task_count(db) == 2
    # A failed authentication is not a result: the key stays free.
    wrong = {"Authorization": "Bearer nope", "Idempotency-Key": "auth"}
    assert client.post(f"/v1/projects/{project}/tasks", json={"name": "x"}, headers=wrong).status_code == 401
    with db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count(IdempotencyKey.id)).where(IdempotencyKey.key == "auth")) == 0


def test_twenty_concurrent_identical_posts_create_one_task(base_url: str, client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    headers = {**alice.headers, "Idempotency-Key": "race"}
    barrier = threading.Barrier(20)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def fire() -> None:
        with httpx.Client(base_url=base_url, timeout=60) as c:
            barrier.wait(timeout=30)
            r = c.post(f"/v1/projects/{project}/tasks", json={"name": "Race"}, headers=headers)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=fire) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert len(results) == 20
    statuses = sorted(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    created = {r.json()["data"]["id"] for r in results if r.status_code == 201}
    assert len(created) == 1
    fresh = [r for r in results if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(fresh) == 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == "CONFLICT"
    assert task_count(db) == 1
    after = client.post(f"/v1/projects/{project}/tasks", json={"name": "Race"}, headers=headers)
    assert after.status_code == 201
    assert after.headers["idempotent-replayed"] == "true"
    assert task_count(db) == 1
