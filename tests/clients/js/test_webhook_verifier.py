"""verifyWebhook / verifySignature against real deliveries: the dispatcher signs, a loopback
receiver keeps the raw body and headers, node verifies them (and refuses a changed body, a
wrong secret, a stale Standard Webhooks timestamp)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from polytask.core.db import Database
from polytask.worker.dispatcher import Dispatcher
from tests.clients.js.conftest import Node
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import Received, Receiver, wait_for

VERIFY = """
import { readFileSync } from 'node:fs';
import { verifyWebhook, verifySignature, WebhookVerificationError } from '@taskade/sdk';
const ctx = JSON.parse(readFileSync('delivery.json', 'utf8'));
const body = readFileSync('delivery.body');
function attempt(fn) {
  try { return fn(); } catch (error) { return error instanceof WebhookVerificationError ? 'refused' : String(error); }
}
const standardOnly = Object.fromEntries(
  Object.entries(ctx.headers).filter(([k]) => !k.toLowerCase().startsWith('x-polytask-signature')));
const tampered = Buffer.concat([body, Buffer.from(' ')]);
const out = {
  payload: attempt(() => verifyWebhook(ctx.secret, body, ctx.headers).event),
  asText: attempt(() => verifyWebhook(ctx.secret, body.toString('utf8'), new Headers(ctx.headers)).event),
  standard: attempt(() => verifyWebhook(ctx.secret, body, standardOnly).event),
  stale: attempt(() => verifyWebhook(ctx.secret, body, standardOnly, { now: Date.now() / 1000 + 3600 })),
  tampered: attempt(() => verifyWebhook(ctx.secret, tampered, ctx.headers)),
  wrongSecret: attempt(() => verifyWebhook('not_the_secret', body, ctx.headers)),
  plain: verifySignature(ctx.secret, body, ctx.headers['X-Polytask-Signature'] || ctx.headers['x-polytask-signature']),
};
console.log(JSON.stringify(out));
"""


def verify(node_sdk: Node, secret: str, got: Received) -> Any:
    (node_sdk.project / "delivery.body").write_bytes(got.body)
    (node_sdk.project / "delivery.json").write_text(json.dumps({"secret": secret, "headers": got.headers}))
    return node_sdk.result(VERIFY)


def expected(event: str) -> dict[str, Any]:
    return {
        "payload": event,
        "asText": event,
        "standard": event,
        "stale": "refused",
        "tampered": "refused",
        "wrongSecret": "refused",
        "plain": True,
    }


def test_a_plain_secret_verifies(
    node_sdk: Node, client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    alice = make_person(db)
    make_webhook(client, alice, receiver.url, events=["project.created"], secret="your_webhook_secret")
    make_project(client, alice)
    wait_for(lambda: len(receiver.requests) >= 1, what="a delivery")
    assert verify(node_sdk, "your_webhook_secret", receiver.requests[0]) == expected("project.created")


def test_a_generated_whsec_secret_from_the_sdk_verifies(
    node_sdk: Node, client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver, base_url: str
) -> None:
    """The webhook is registered through the SDK; its create response shows the generated secret once."""
    alice = make_person(db)
    project = make_project(client, alice)
    secret = node_sdk.result(
        "import { TaskadeAPI } from '@taskade/sdk';\n"
        f"const api = new TaskadeAPI({{ apiKey: {json.dumps(alice.key)}, baseURL: '{base_url}/v1' }});\n"
        f"const hook = await api.webhooks.create({{ url: '{receiver.url}', events: ['task.created'] }});\n"
        "console.log(JSON.stringify(hook.secret));\n"
    )
    assert secret.startswith("whsec_")
    make_task(client, alice, project)
    wait_for(lambda: len(receiver.requests) >= 1, what="a delivery")
    assert verify(node_sdk, secret, receiver.requests[0]) == expected("task.created")
