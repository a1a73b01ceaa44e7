"""The /v1/webhooks API: permissions, the SSRF guard, updates, deletes, pings.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import pytest
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import join, make_person
from tests.factories.work import make_project
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, wait_for

Serve = Callable[[ASGIApp], AbstractContextManager[str]]


def test_create_list_get_update_delete(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    hook = make_webhook(
        client,
        alice,
        "https://hooks.example.com/in",
        events=["task.*", "project.created", "task.*"],
        project_id=project,
        description="dashboard",
        secret="your_webhook_secret",
    )
    attrs = hook["attributes"]
    assert attrs["events"] == ["task.*", "project.created"]
    assert attrs["project_id"] == project
    assert attrs["workspace_id"] == alice.workspace
    assert attrs["active"] is True
    assert "secret" not in attrs  # given, so never echoed
    hook_id = hook["id"]

    r = client.get("/v1/webhooks", params={"workspace_id": alice.workspace}, headers=alice.headers)
    assert [h["id"] for h in r.json()["data"]] == [hook_id]
    assert r.json()["meta"]["total"] == 1

    r = client.put(f"/v1/webhooks/{hook_id}", json={"events": ["*"], "project_id": None}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["events"] == ["*"]
    assert r.json()["data"]["attributes"]["project_id"] is None
    r = client.patch(f"/v1/webhooks/{hook_id}", json={"active": False, "description": "off"}, headers=alice.headers)
    assert r.json()["data"]["attributes"]["active"] is False
    r = client.patch(f"/v1/webhooks/{hook_id}", json={"events": None}, headers=alice.headers)
    assert r.status_code == 422
    r = client.patch(
        f"/v1/webhooks/{hook_id}", json={"secret": "a-new-secret", "rotate_secret": True}, headers=alice.headers
    )
    assert r.status_code == 422

    assert client.delete(f"/v1/webhooks/{hook_id}", headers=alice.headers).status_code == 204
    assert client.get(f"/v1/webhooks/{hook_id}", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/webhooks/{hook_id}/deliveries", headers=alice.headers).status_code == 404


def test_only_owners_and_admins_manage_webhooks_and_outsiders_see_nothing(client: httpx.Client, db: Database) -> None:
    owner, member, admin, outsider = make_person(db), make_person(db), make_person(db), make_person(db)
    join(db, owner, member, role="member")
    join(db, owner, admin, role="admin")
    body = {"url": "https://hooks.example.com/in", "events": ["*"], "workspace_id": owner.workspace}
    r = client.post("/v1/webhooks", json=body, headers=member.headers)
    assert r.status_code == 403
    r = client.post("/v1/webhooks", json=body, headers=admin.headers)
    assert r.status_code == 201
    hook = r.json()["data"]["id"]
    assert client.get(f"/v1/webhooks/{hook}", headers=member.headers).status_code == 403
    assert client.get(f"/v1/webhooks/{hook}", headers=owner.headers).status_code == 200
    r = client.get(f"/v1/webhooks/{hook}", headers=outsider.headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert client.get("/v1/webhooks", headers=member.headers).json()["data"] == []
    assert client.get("/v1/webhooks", headers=outsider.headers).json()["data"] == []
    r = client.post("/v1/webhooks", json=body, headers=outsider.headers)
    assert r.status_code == 404
    # A project of another workspace cannot be the filter.
    theirs = make_project(client, outsider)
    r = client.post("/v1/webhooks", json={**body, "project_id": theirs}, headers=owner.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_internal_targets_are_refused_unless_allowed(
    serve_app: Serve, settings: Settings, db: Database, url: str
) -> None:
    alice = make_person(db)
    guarded = create_app(settings.model_copy(update={"webhook_allow_private": False}), db)
    with serve_app(guarded) as base, httpx.Client(base_url=base) as c:
        r = c.post("/v1/webhooks", json={"url": url, "events": ["*"]}, headers=alice.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == "url"
        assert "POLYTASK_WEBHOOK_ALLOW_PRIVATE" in r.json()["error"]["message"]
        # A public address is fine.
        r = c.post("/v1/webhooks", json={"url": "https://93.184.216.34/hook", "events": ["*"]}, headers=alice.headers)
        assert r.status_code == 201, r.text
        hook = r.json()["data"]["id"]
        r = c.patch(f"/v1/webhooks/{hook}", json={"url": url}, headers=alice.headers)
        assert r.status_code == 422


def test_internal_targets_are_refused_at_connect_time_too(
    client: httpx.Client, db: Database, start_dispatcher: Callable[..., Dispatcher], receiver: Receiver
) -> None:
    start_dispatcher(webhook_allow_private=False, webhook_retry_schedule="")
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]  # allowed by this app
    make_project(client, alice)

    def failed() -> bool:
        items = deliveries(client, alice, hook)
        return bool(items) and items[0]["attributes"]["status"] == "failed"

    wait_for(failed, what="the refused delivery")
    [item] = deliveries(client, alice, hook)
    assert item["attributes"]["attempt_log"][0]["error"].startswith("refused: '127.0.0.1' resolves to")
    assert receiver.requests == []


def test_ping(client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver) -> None:
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["task.completed"], description="Slack bridge")["id"]
    r = client.post(f"/v1/webhooks/{hook}/test", headers=alice.headers)
    assert r.status_code == 202, r.text
    assert r.json()["data"]["attributes"]["event"] == "webhook.ping"
    wait_for(lambda: len(receiver.requests) == 1, what="the ping")
    ping = receiver.requests[0].json
    assert ping["event"] == "webhook.ping"
    assert ping["data"]["webhook"] == {"id": hook, "name": "Slack bridge", "url": receiver.url}
    assert ping["id"] == r.json()["data"]["attributes"]["message_id"]
    client.patch(f"/v1/webhooks/{hook}", json={"active": False}, headers=alice.headers)
    r = client.post(f"/v1/webhooks/{hook}/test", headers=alice.headers)
    assert r.status_code == 409
