"""A burst through the dispatcher: attempts recorded in batches, claims refilled in the same
round, and still every bound and guarantee: one request per delivery, one id each, at most
`webhook_endpoint_concurrency` requests in flight per endpoint and `webhook_concurrency` overall,
and a slow endpoint's backlog does not hold up another endpoint."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import WebhookDelivery
from tests.factories.people import make_person
from tests.factories.work import make_project
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, Reply, wait_for


def _bulk(client: httpx.Client, headers: dict[str, str], project: str, count: int, prefix: str) -> None:
    tasks = [{"name": f"{prefix} {n}"} for n in range(count)]
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": tasks}, headers=headers)
    assert r.status_code == 201, r.text


def _succeeded(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).where(WebhookDelivery.status == "succeeded")) or 0)


def test_a_burst_is_delivered_once_each_within_the_per_endpoint_and_overall_bounds(
    client: httpx.Client, db: Database, start_dispatcher: object, receiver: Receiver
) -> None:
    assert callable(start_dispatcher)
    # A long timeout: the first requests are held below for as long as the machine needs.
    start_dispatcher(webhook_concurrency=5, webhook_endpoint_concurrency=3, webhook_timeout_seconds=60.0)
    # Held until five are in flight at once: that the bounds are used is then shown whatever
    # the machine's speed (a 20 ms answer alone let a starved dispatcher send one at a time).
    release = threading.Event()
    receiver.default = Reply(delay=0.02, hold=release)
    try:
        alice = make_person(db)
        # Two endpoints on one receiver (different paths): its in-flight count is the overall one.
        hook = make_webhook(client, alice, receiver.url + "/a", events=["task.created"])["id"]
        make_webhook(client, alice, receiver.url + "/b", events=["task.created"])
        project = make_project(client, alice)
        _bulk(client, alice.headers, project, 60, "burst")
        wait_for(lambda: receiver.inflight >= 5, timeout=30, what="five deliveries in flight at once")
        # The overall bound is full: three for one endpoint, two for the other.
        held = sorted(receiver.inflight_by_path.values())
        assert held == [2, 3], held
    finally:
        release.set()
    wait_for(lambda: len(receiver.requests) >= 120, timeout=30, what="120 deliveries")
    # Then until the dispatcher has recorded every one: nothing is left in its hands.
    wait_for(lambda: _succeeded(db) == 120, timeout=30, what="every delivery recorded as succeeded")
    for path in ("/hooks/polytask/a", "/hooks/polytask/b"):
        ids = [q.header("webhook-id") for q in receiver.requests if q.path == path]
        assert len(ids) == 60
        assert len(set(ids)) == 60  # each delivery sent once
        assert receiver.max_inflight_by_path[path] <= 3  # the per-endpoint bound
    assert receiver.max_inflight <= 5  # the overall bound

    def all_recorded() -> bool:
        items = deliveries(client, alice, hook)
        return len(items) == 60 and all(i["attributes"]["status"] == "succeeded" for i in items)

    wait_for(all_recorded, timeout=10, what="every attempt recorded")
    for item in deliveries(client, alice, hook):
        log = item["attributes"]["attempt_log"]
        assert [a["number"] for a in log] == [1]
        assert log[0]["response_status"] == 200


def test_a_backlog_on_a_slow_endpoint_does_not_hold_up_another(
    client: httpx.Client, db: Database, start_dispatcher: object, receiver: Receiver
) -> None:
    assert callable(start_dispatcher)
    start_dispatcher(webhook_timeout_seconds=60.0, webhook_concurrency=8, webhook_endpoint_concurrency=2)
    slow = Receiver().start()
    # The slow endpoint answers nothing until the test lets it: however slow the machine, its
    # two deliveries are still in flight, and its backlog waiting, when the fast one arrives.
    answer = threading.Event()
    try:
        slow.default = Reply(hold=answer)
        alice = make_person(db)
        make_webhook(client, alice, slow.url, events=["task.created"])
        make_webhook(client, alice, receiver.url, events=["project.created"])
        project = make_project(client, alice, name="backlog")
        wait_for(lambda: len(receiver.requests) == 1, what="the fast endpoint's first delivery")
        # Far more than the slow endpoint may claim, and more than one claim's pages (4 x 128):
        # the fast endpoint's new row sits behind the whole backlog in claim order.
        _bulk(client, alice.headers, project, 600, "slow")
        wait_for(lambda: slow.inflight == 2, timeout=30, what="the slow endpoint to hold two deliveries")
        make_project(client, alice, name="urgent")
        wait_for(lambda: len(receiver.requests) == 2, timeout=30, what="the fast endpoint's delivery")
        assert receiver.requests[1].json["data"]["project"]["name"] == "urgent"
        assert slow.inflight == 2, "the slow endpoint's two deliveries were still unanswered"
        assert len(slow.requests) == 2, "and its backlog still waited behind them"
        assert slow.max_inflight <= 2
    finally:
        answer.set()
        slow.stop()
