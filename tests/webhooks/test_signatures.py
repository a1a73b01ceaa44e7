"""Two receivers verify every delivery: one written from the spec (X-Polytask-Signature),
one using the `standardwebhooks` library; and the payload has the documented shape."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx
import pytest
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from polytask.core.db import Database
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import Received, Receiver, wait_for

SPEC_SECRET = "your_webhook_secret"


def spec_verify(secret: str, received: Received) -> bool:
    """What a receiver written from the spec does: sha256=<hex HMAC-SHA256 of the raw body>."""
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.header("X-Polytask-Signature") or "")


def test_spec_receiver_verifies_every_delivery(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.check = lambda got: spec_verify(SPEC_SECRET, got)
    alice = make_person(db)
    make_webhook(
        client,
        alice,
        receiver.url,
        events=["task.created", "task.updated", "task.completed", "project.created"],
        secret=SPEC_SECRET,
    )
    project = make_project(client, alice, name="Website Redesign")
    task = make_task(client, alice, project, name="Implement user authentication")
    r = client.put(f"/v1/tasks/{task['id']}", json={"status": "completed"}, headers=alice.headers)
    assert r.status_code == 200, r.text

    wait_for(lambda: len(receiver.requests) >= 3, what="three deliveries")
    assert receiver.rejected == []
    assert [got.json["event"] for got in receiver.in_event_order()] == [
        "project.created",
        "task.created",
        "task.completed",
    ]
    completed = receiver.events("task.completed")[0].json
    # The spec's payload, plus id and sequence.
    assert set(completed) >= {"id", "event", "timestamp", "sequence", "data"}
    assert completed["data"]["task"]["id"] == task["id"]
    assert completed["data"]["task"]["name"] == "Implement user authentication"
    assert completed["data"]["task"]["completed_by"] == alice.id
    assert completed["data"]["task"]["completed_at"].endswith("Z")
    assert completed["data"]["project"] == {"id": project, "name": "Website Redesign"}
    assert completed["sequence"] == 2  # the task's second event
    assert completed["changes"]["status"] == {"from": "pending", "to": "completed"}
    # The plain secret's UTF-8 bytes are the key of the Standard Webhooks signature too.
    as_whsec = "whsec_" + base64.b64encode(SPEC_SECRET.encode()).decode()
    for got in receiver.requests:
        StandardWebhook(as_whsec).verify(got.body, got.headers)
        assert got.json["id"] == got.header("webhook-id")


def test_standardwebhooks_receiver_verifies_a_generated_secret(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["task.*"])
    secret = hook["attributes"]["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    # Shown once: never again on read.
    r = client.get(f"/v1/webhooks/{hook['id']}", headers=alice.headers)
    assert "secret" not in r.json()["data"]["attributes"]
    verifier = StandardWebhook(secret)
    receiver.check = lambda got: _verifies(verifier, got)

    project = make_project(client, alice)
    task = make_task(client, alice, project)
    client.patch(f"/v1/tasks/{task['id']}", json={"name": "Renamed"}, headers=alice.headers)
    client.delete(f"/v1/tasks/{task['id']}", headers=alice.headers)
    wait_for(lambda: len(receiver.requests) >= 3, what="three deliveries")
    assert receiver.rejected == []
    assert [got.json["event"] for got in receiver.in_event_order()] == ["task.created", "task.updated", "task.deleted"]
    assert [got.json["sequence"] for got in receiver.in_event_order()] == [1, 2, 3]
    # The same key signs X-Polytask-Signature.
    key = base64.b64decode(secret.removeprefix("whsec_"))
    for got in receiver.requests:
        assert got.header("X-Polytask-Signature") == "sha256=" + hmac.new(key, got.body, hashlib.sha256).hexdigest()
    # A tampered body does not verify.
    got = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        verifier.verify(got.body.replace(b"task", b"tusk"), got.headers)


def _verifies(verifier: StandardWebhook, got: Received) -> bool:
    try:
        verifier.verify(got.body, got.headers)
    except WebhookVerificationError:
        return False
    return True


def test_rotation_signs_with_both_secrets_during_the_overlap(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.*"], secret="old-secret-value")
    r = client.patch(f"/v1/webhooks/{hook['id']}", json={"rotate_secret": True}, headers=alice.headers)
    assert r.status_code == 200, r.text
    new_secret = r.json()["data"]["attributes"]["secret"]
    assert new_secret.startswith("whsec_")
    assert r.json()["data"]["attributes"]["secret_rotation_ends_at"] is not None
    make_project(client, alice)
    wait_for(lambda: len(receiver.requests) >= 1, what="a delivery")
    got = receiver.requests[0]
    old_whsec = "whsec_" + base64.b64encode(b"old-secret-value").decode()
    StandardWebhook(new_secret).verify(got.body, got.headers)
    StandardWebhook(old_whsec).verify(got.body, got.headers)
    assert len(got.header("webhook-signature").split(" ")) == 2
    assert spec_verify("old-secret-value", _with_header(got, "X-Polytask-Signature-Previous"))
    new_key = base64.b64decode(new_secret.removeprefix("whsec_"))
    assert got.header("X-Polytask-Signature") == "sha256=" + hmac.new(new_key, got.body, hashlib.sha256).hexdigest()


def _with_header(got: Received, name: str) -> Received:
    return Received(got.path, {"X-Polytask-Signature": got.header(name) or ""}, got.body, got.at)
