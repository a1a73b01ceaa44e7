"""The client's webhook verifier on real deliveries (a receiver on loopback, the real
dispatcher), with a plain secret and a generated `whsec_` one, and on forgeries."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest

from polytask.domain.webhooks.signing import signature_headers
from polytask.worker.dispatcher import Dispatcher
from polytask_client import Record, TaskadeAPI, WebhookVerificationError, webhooks
from tests.factories.people import Person
from tests.webhooks.receiver import Receiver, wait_for

SPEC_SECRET = "your_webhook_secret"


def test_real_deliveries_verify(api: TaskadeAPI, alice: Person, dispatcher: Dispatcher, receiver: Receiver) -> None:
    plain = api.webhooks.create(url=receiver.url, events=["task.created"], secret=SPEC_SECRET)
    generated = api.webhooks.create(url=receiver.url, events=["task.created"])
    whsec = generated.secret
    assert whsec.startswith("whsec_")
    project = api.projects.create(workspace_id=alice.workspace, name="Hooked")
    api.tasks.create(project_id=project.id, name="Announced")
    wait_for(lambda: len(receiver.requests) >= 2, what="two deliveries")

    by_secret: dict[str, Record] = {}
    for got in receiver.requests:
        headers = dict(got.headers)
        for secret in (SPEC_SECRET, whsec):
            try:
                event = webhooks.construct_event(secret, got.body, headers)
            except WebhookVerificationError:
                continue
            by_secret[secret] = event
    assert set(by_secret) == {SPEC_SECRET, whsec}
    assert by_secret[SPEC_SECRET].event == "task.created"
    assert by_secret[SPEC_SECRET].data.task.name == "Announced"
    assert len(api.webhooks.deliveries.list(plain).to_list()) == 1  # its status may still be settling

    for got in receiver.requests:
        with pytest.raises(WebhookVerificationError):
            webhooks.verify([SPEC_SECRET, whsec], got.body + b" ", dict(got.headers))
        with pytest.raises(WebhookVerificationError):
            webhooks.verify("not_the_secret", got.body, dict(got.headers))


def test_signatures_made_the_servers_way() -> None:
    body = json.dumps({"event": "task.created", "data": {}}).encode()
    now = time.time()
    headers = signature_headers(
        message_id="msg_1",
        timestamp=datetime.fromtimestamp(now, tz=UTC),
        body=body,
        secret="new_secret",
        previous_secret=SPEC_SECRET,
    )
    webhooks.verify("new_secret", body, headers)
    webhooks.verify(SPEC_SECRET, body, headers)  # during a rotation both sign
    webhooks.verify(["other", "new_secret"], body, headers)
    # Without the Standard Webhooks headers, the spec's X-Polytask-Signature decides.
    spec_only = {"X-Polytask-Signature": headers["X-Polytask-Signature"]}
    webhooks.verify("new_secret", body, spec_only)
    with pytest.raises(WebhookVerificationError):
        webhooks.verify(SPEC_SECRET, body, spec_only)
    # A replayed request: the timestamp is too old.
    with pytest.raises(WebhookVerificationError):
        webhooks.verify("new_secret", body, headers, now=now + 301)
    webhooks.verify("new_secret", body, headers, now=now + 301, tolerance=None)
    whsec = "whsec_" + base64.b64encode(b"new_secret").decode()
    webhooks.verify(whsec, body, headers)
