"""Receivers that fail in every usual way: each failure is logged, retried or acted on."""

from __future__ import annotations

import threading

import httpx
from sqlalchemy import func, select

from polytask.core.clock import as_utc, utcnow
from polytask.core.db import Database
from polytask.core.ids import parse_id
from polytask.models import WebhookDelivery
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import Person, make_person
from tests.factories.work import make_project
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, Reply, wait_for


def _succeeded(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).where(WebhookDelivery.status == "succeeded")) or 0)


def _delivery_of(db: Database, hook: str) -> WebhookDelivery:
    """The one delivery row of the endpoint `hook` (`webhook_N`)."""
    with db.unit_of_work(readonly=True) as session:
        row = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == parse_id("webhook", hook))
        ).one()
        session.expunge(row)
        return row


def _one_delivery(client: httpx.Client, owner: Person, hook: str, status: str) -> dict[str, object]:
    def settled() -> bool:
        items = deliveries(client, owner, hook)
        return len(items) == 1 and items[0]["attributes"]["status"] == status

    wait_for(settled, what=f"the delivery to be {status}")
    [item] = deliveries(client, owner, hook)
    attrs: dict[str, object] = item["attributes"]
    return attrs


def test_500_is_retried_under_the_same_id_and_every_attempt_is_logged(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.script = [Reply(500, body=b"boom"), Reply(502)]
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    attrs = _one_delivery(client, alice, hook, "succeeded")
    assert len(receiver.requests) == 3
    assert len({r.header("webhook-id") for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    log = attrs["attempt_log"]
    assert isinstance(log, list)
    assert [a["response_status"] for a in log] == [500, 502, 200]
    assert [a["number"] for a in log] == [1, 2, 3]
    first = log[0]
    assert first["response_body"] == "boom"
    assert first["response_headers"]["content-length"] == "4"
    assert first["request_headers"]["webhook-id"] == attrs["message_id"]
    assert first["request_headers"]["X-Polytask-Signature"].startswith("sha256=")
    assert first["duration_ms"] >= 0
    assert first["error"] is None
    assert attrs["request_body"] == receiver.requests[0].body.decode()
    assert attrs["attempts"] == 3


def test_429_retry_after_is_honoured(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.script = [Reply(429, headers={"Retry-After": "1"})]
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    _one_delivery(client, alice, hook, "succeeded")
    first, second = receiver.requests
    # The schedule says 0.2 s; the receiver asked for 1 s.
    assert second.at - first.at >= 0.95


def test_410_disables_the_endpoint_and_tells_the_workspace(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    gone = Receiver().start()
    try:
        gone.default = Reply(410)
        alice = make_person(db)
        hook = make_webhook(client, alice, gone.url, events=["project.created"])["id"]
        make_webhook(client, alice, receiver.url, events=["webhook.*"])  # the owner's own monitor
        make_project(client, alice)
        wait_for(lambda: len(receiver.events("webhook.disabled")) == 1, what="webhook.disabled")
        r = client.get(f"/v1/webhooks/{hook}", headers=alice.headers)
        attrs = r.json()["data"]["attributes"]
        assert attrs["active"] is False
        assert "410" in attrs["disabled_reason"]
        note = receiver.events("webhook.disabled")[0].json
        assert note["data"]["webhook"]["id"] == hook
        assert "410" in note["data"]["webhook"]["disabled_reason"]
        [delivery] = deliveries(client, alice, hook)
        assert delivery["attributes"]["status"] == "failed"
        make_project(client, alice)  # a disabled endpoint gets nothing new
        # Deliveries are written in the event's own transaction: none for a disabled endpoint
        # means nothing can ever be sent to it (no waiting needed to see that).
        assert len(deliveries(client, alice, hook)) == 1
        assert len(gone.requests) == 1
        # Re-enabling clears the reason.
        r = client.patch(f"/v1/webhooks/{hook}", json={"active": True}, headers=alice.headers)
        assert r.json()["data"]["attributes"]["disabled_reason"] is None
    finally:
        gone.stop()


def test_redirects_are_not_followed(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.script = [Reply(301, headers={"Location": receiver.url + "/moved"})]
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    attrs = _one_delivery(client, alice, hook, "succeeded")
    assert [r.path for r in receiver.requests] == ["/hooks/polytask", "/hooks/polytask"]
    log = attrs["attempt_log"]
    assert isinstance(log, list)
    assert [a["response_status"] for a in log] == [301, 200]


def test_a_hanging_receiver_times_out_and_is_retried(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    # The receiver would answer after 30 s; the 1 s timeout ends the attempt long before.
    receiver.script = [Reply(delay=30.0)]
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    attrs = _one_delivery(client, alice, hook, "succeeded")
    log = attrs["attempt_log"]
    assert isinstance(log, list)
    assert log[0]["response_status"] is None
    assert "timed out after 1s" in log[0]["error"]
    assert 900 <= log[0]["duration_ms"] < 30_000
    assert log[1]["response_status"] == 200


def test_connection_resets_are_retried(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.script = [Reply(reset=True), Reply(reset=True)]
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    attrs = _one_delivery(client, alice, hook, "succeeded")
    log = attrs["attempt_log"]
    assert isinstance(log, list)
    assert [a["response_status"] for a in log] == [None, None, 200]
    assert all(a["error"] for a in log[:2])


def test_retries_give_up_after_the_schedule_and_redeliver_starts_again(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.default = Reply(500)
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    attrs = _one_delivery(client, alice, hook, "failed")
    assert attrs["attempts"] == 6  # the first try and the schedule's five retries
    assert attrs["last_status_code"] == 500
    [delivery] = deliveries(client, alice, hook)
    receiver.default = Reply(204)
    r = client.post(f"/v1/webhooks/{hook}/deliveries/{delivery['id']}/redeliver", headers=alice.headers)
    assert r.status_code == 202, r.text
    assert r.json()["data"]["attributes"]["status"] == "pending"
    attrs = _one_delivery(client, alice, hook, "succeeded")
    assert len(receiver.requests) == 7
    assert {r.header("webhook-id") for r in receiver.requests} == {attrs["message_id"]}
    log = attrs["attempt_log"]
    assert isinstance(log, list)
    assert [a["number"] for a in log] == list(range(1, 8))


def test_an_endpoint_failing_for_too_long_is_disabled(
    client: httpx.Client, db: Database, start_dispatcher: object, receiver: Receiver
) -> None:
    assert callable(start_dispatcher)
    start_dispatcher(webhook_disable_after_days=0.5 / 86400, webhook_retry_schedule="0.3,0.3,0.3,0.3,0.3")
    receiver.default = Reply(503)
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)

    def disabled() -> bool:
        return client.get(f"/v1/webhooks/{hook}", headers=alice.headers).json()["data"]["attributes"]["active"] is False

    wait_for(disabled, what="the endpoint to be disabled")
    attrs = client.get(f"/v1/webhooks/{hook}", headers=alice.headers).json()["data"]["attributes"]
    assert "failed for" in attrs["disabled_reason"]
    count = len(receiver.requests)
    assert 2 <= count < 6
    # Nothing more goes to a disabled endpoint. Shown without waiting a fixed time: once its
    # delivery's retry is due, a delivery made later to another endpoint gets through (claims
    # take the due rows oldest first), and the disabled endpoint's was still not taken.
    due = as_utc(_delivery_of(db, hook).next_attempt_at)
    assert due is not None
    wait_for(lambda: utcnow() > due, timeout=30, what="the disabled endpoint's retry to be due")
    sentinel = Receiver().start()
    try:
        make_webhook(client, alice, sentinel.url, events=["project.created"])
        make_project(client, alice)
        wait_for(lambda: len(sentinel.requests) == 1, timeout=30, what="a later delivery to another endpoint")
    finally:
        sentinel.stop()
    row = _delivery_of(db, hook)
    assert (row.status, row.attempts, row.claimed_by) == ("pending", count, None)
    assert len(receiver.requests) == count


def test_a_slow_endpoint_does_not_delay_the_others(
    client: httpx.Client, db: Database, start_dispatcher: object, receiver: Receiver
) -> None:
    assert callable(start_dispatcher)
    start_dispatcher(webhook_timeout_seconds=60.0, webhook_concurrency=4, webhook_endpoint_concurrency=2)
    slow = Receiver().start()
    # The slow endpoint answers nothing until the test lets it: however slow the machine, its
    # deliveries are still in flight when the fast endpoint's arrives, or never were.
    answer = threading.Event()
    try:
        slow.default = Reply(hold=answer)
        alice = make_person(db)
        make_webhook(client, alice, slow.url, events=["project.created"])
        make_webhook(client, alice, receiver.url, events=["task.created"])
        project = ""
        for n in range(6):
            project = make_project(client, alice, name=f"P{n}")
        wait_for(lambda: slow.inflight == 2, timeout=30, what="the slow endpoint to hold two deliveries")
        r = client.post(f"/v1/projects/{project}/tasks", json={"name": "urgent"}, headers=alice.headers)
        assert r.status_code == 201
        wait_for(lambda: len(receiver.requests) == 1, timeout=30, what="the fast endpoint's delivery")
        assert slow.inflight == 2, "the slow endpoint's deliveries were all still unanswered"
        assert len(slow.requests) == 2, "and its other four still waited for a slot"
        assert slow.max_inflight <= 2
    finally:
        answer.set()
        slow.stop()


def test_two_dispatchers_never_send_a_delivery_twice(
    client: httpx.Client, db: Database, start_dispatcher: object, receiver: Receiver
) -> None:
    assert callable(start_dispatcher)
    start_dispatcher()
    start_dispatcher()
    receiver.default = Reply(delay=0.05)
    alice = make_person(db)
    make_webhook(client, alice, receiver.url, events=["task.created"])
    project = make_project(client, alice)
    for n in range(30):
        r = client.post(f"/v1/projects/{project}/tasks", json={"name": f"T{n}"}, headers=alice.headers)
        assert r.status_code == 201
    wait_for(lambda: len(receiver.requests) >= 30, what="30 deliveries")
    # Then until both dispatchers have recorded every one (nothing is left in their hands).
    wait_for(lambda: _succeeded(db) == 30, timeout=30, what="every delivery recorded as succeeded")
    ids = [r.header("webhook-id") for r in receiver.requests]
    assert len(ids) == 30
    assert len(set(ids)) == 30
