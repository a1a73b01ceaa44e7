"""Retries and idempotency against the live server behind a proxy that answers 429 and 503,
drops connections, and loses answers after the server ran the request: no duplicate is
ever created, and every retry of a write carries the first attempt's Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import httpx
import pytest

from polytask.core.db import Database
from polytask.domain.idempotency import service as idempotency
from polytask_client import (
    APIConnectionError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    TaskadeAPI,
    ValidationError,
)
from polytask_client._config import retry_after_seconds
from tests.clients.python.conftest import Proxy
from tests.factories.people import Person
from tests.factories.work import make_project


def names_in(client: httpx.Client, owner: Person, project: str) -> list[str]:
    body = client.get(f"/v1/projects/{project}/tasks", headers=owner.headers).json()
    return [t["attributes"]["name"] for t in body["data"]]


def test_a_lost_answer_is_retried_with_the_same_key_and_creates_one_task(
    proxy: Proxy, client: httpx.Client, alice: Person, quick_retry: RetryPolicy, retries: list[RetryEvent]
) -> None:
    project = make_project(client, alice)
    proxy.plan = ["lost", "lost"]
    with TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as api:
        task = api.tasks.create(project_id=project, name="Exactly once")
    assert names_in(client, alice, project) == ["Exactly once"]
    assert task.name == "Exactly once"
    posts = [s for s in proxy.seen if s.method == "POST"]
    assert len(posts) == 3
    assert len({s.headers["idempotency-key"] for s in posts}) == 1
    assert [r.status for r in retries] == [None, None]
    assert all(isinstance(r.error, httpx.TransportError) for r in retries)


def test_429_503_and_a_dropped_connection_are_retried_until_it_goes_through(
    proxy: Proxy, client: httpx.Client, alice: Person, quick_retry: RetryPolicy, retries: list[RetryEvent]
) -> None:
    project = make_project(client, alice)
    proxy.plan = ["429", "drop", "503"]
    with TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as api:
        api.projects.tasks.create(project, name="Through the storm")
    assert names_in(client, alice, project) == ["Through the storm"]
    assert [r.status for r in retries] == [429, None, 503]
    # Retry-After: 0 is honoured: no backoff before the retries the server timed.
    assert [r.delay for r in retries if r.status is not None] == [0.0, 0.0]


def test_every_kind_of_call_is_retried(
    proxy: Proxy, client: httpx.Client, alice: Person, quick_retry: RetryPolicy, retries: list[RetryEvent]
) -> None:
    project = make_project(client, alice)
    with TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as api:
        task = api.tasks.create(project_id=project, name="Before")
        proxy.plan = ["lost"]
        assert api.tasks.get(task).name == "Before"
        proxy.plan = ["lost"]
        assert api.tasks.update(task, name="After").name == "After"
        proxy.plan = ["lost"]
        assert api.tasks.update(task, method="PUT", priority="high").priority == "high"
        proxy.plan = ["lost"]  # the first DELETE runs; its retry's 404 means it is done
        api.tasks.delete(task)
    assert names_in(client, alice, project) == []
    assert len(retries) == 4
    patches = [s for s in proxy.seen if s.method == "PATCH"]
    assert len(patches) == 2
    assert patches[0].headers["idempotency-key"] == patches[1].headers["idempotency-key"]
    assert all("idempotency-key" not in s.headers for s in proxy.seen if s.method in ("GET", "PUT", "DELETE"))


def test_bulk_and_batch_are_not_run_twice(
    proxy: Proxy, client: httpx.Client, alice: Person, quick_retry: RetryPolicy
) -> None:
    project = make_project(client, alice)
    with TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as api:
        proxy.plan = ["lost"]
        created = api.bulk.project_tasks(project, [{"name": "Bulk 1"}, {"name": "Bulk 2"}])
        proxy.plan = ["lost"]
        operation = {"method": "POST", "path": "/tasks", "body": {"name": "Batched", "project_id": project}}
        batch = api.batch.run([operation])
    assert [t.name for t in created.data] == ["Bulk 1", "Bulk 2"]
    assert batch.data[0].status == 201
    assert sorted(names_in(client, alice, project)) == ["Batched", "Bulk 1", "Bulk 2"]


def test_a_chosen_idempotency_key_replays_the_first_answer(
    api: TaskadeAPI, client: httpx.Client, alice: Person
) -> None:
    project = make_project(client, alice)
    first = api.tasks.create(project_id=project, name="Once", idempotency_key="order-77")
    again = api.tasks.create(project_id=project, name="Once", idempotency_key="order-77")
    assert first.id == again.id
    assert names_in(client, alice, project) == ["Once"]


def test_errors_that_are_answers_are_not_retried(
    proxy: Proxy, client: httpx.Client, alice: Person, quick_retry: RetryPolicy, retries: list[RetryEvent]
) -> None:
    project = make_project(client, alice)
    with (
        TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as api,
        pytest.raises(ValidationError) as caught,
    ):
        api.tasks.create(project_id=project, name="")
    assert caught.value.status == 422
    assert caught.value.code == "VALIDATION_ERROR"
    assert caught.value.details
    assert retries == []
    assert len(proxy.seen) == 1


def test_retries_end_after_max_retries(
    proxy: Proxy, alice: Person, quick_retry: RetryPolicy, retries: list[RetryEvent]
) -> None:
    with TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as api:
        proxy.plan = ["429"] * 4
        with pytest.raises(RateLimitError):
            api.users.me()
        proxy.plan = ["drop"] * 4
        with pytest.raises(APIConnectionError):
            api.users.me()
    assert len(retries) == 6
    assert len(proxy.seen) == 8


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 03 Dec 2026 08:00:30 GMT", now=1796284800.0) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_a_key_still_running_elsewhere_is_waited_for(
    api: TaskadeAPI, client: httpx.Client, alice: Person, db: Database, retries: list[RetryEvent]
) -> None:
    """The server's 409 for a key whose first request has not finished (here: claimed, as a
    request in flight would, through the idempotency service) is waited out; once the key is
    free the request runs, once."""
    project = make_project(client, alice)
    body = {"project_id": project, "name": "After the wait"}
    fingerprint = hashlib.sha256()
    for part in (b"POST", b"/v1/tasks", b"", json.dumps(body).encode()):
        fingerprint.update(len(part).to_bytes(8, "big") + part)
    with db.unit_of_work() as session:
        claim = idempotency.claim_key(
            session,
            scope=hashlib.sha256(f"Bearer {alice.key}".encode()).hexdigest(),
            key="in-flight",
            fingerprint=fingerprint.hexdigest(),
            method="POST",
            path="/v1/tasks",
            ttl=timedelta(hours=1),
        )
    assert isinstance(claim, idempotency.Claimed)

    def on_retry(event: RetryEvent) -> None:
        retries.append(event)
        if len(retries) == 2:  # the first request finishes (without an answer to keep)
            with db.unit_of_work() as session:
                idempotency.release_key(session, row_id=claim.row_id)

    policy = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.02, on_retry=on_retry)
    with TaskadeAPI(api_key=alice.key, base_url=api.base_url, retry=policy) as waiting:
        task = waiting.tasks.create(idempotency_key="in-flight", **body)
    assert [r.status for r in retries] == [409, 409]
    assert task.name == "After the wait"
    assert names_in(client, alice, project) == ["After the wait"]
