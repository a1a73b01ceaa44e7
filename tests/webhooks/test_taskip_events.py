"""The events taskip-api-reference.txt lists for projects and tasks (`project.created`,
`project.completed`, `task.created`, `task.completed`) are the event log's: changes made through
TaskIP reach a webhook subscribed through /v1, with the same payloads as changes made there, and
the objects are the same through /v1 and Taskforce."""

from __future__ import annotations

import base64

import httpx
import pytest

from polytask.core.db import Database
from polytask.worker.dispatcher import Dispatcher
from tests.api.taskip.conftest import BASE, key_of
from tests.factories.people import Person, make_person
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import Receiver, wait_for


@pytest.fixture
def owner(db: Database) -> Person:
    return make_person(db, name="Olive Owner", email="olive@example.com")


DOCUMENTED = ["project.created", "project.completed", "task.created", "task.completed"]


def test_taskip_changes_reach_webhooks_and_the_other_surfaces(
    client: httpx.Client, owner: Person, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    make_webhook(client, owner, receiver.url, events=DOCUMENTED)
    project = client.post(f"{BASE}/project", json={"name": "Launch"}, headers=key_of(owner)).json()["data"]
    task = client.post(
        f"{BASE}/project/{project['uuid']}/task", json={"title": "Press release"}, headers=key_of(owner)
    ).json()["data"]
    done = client.post(f"{BASE}/project/{project['uuid']}/task/{task['id']}/mark-as-complete", headers=key_of(owner))
    assert done.status_code == 200, done.text
    closed = client.post(
        f"{BASE}/project/{project['uuid']}/change-status", json={"status": "completed"}, headers=key_of(owner)
    )
    assert closed.status_code == 200, closed.text

    wait_for(lambda: len(receiver.requests) == 4, what="the four deliveries")
    delivered = [r.json for r in receiver.in_event_order()]
    assert [d["event"] for d in delivered] == ["project.created", "task.created", "task.completed", "project.completed"]
    assert delivered[0]["data"]["project"]["id"] == f"project_{project['id']}"
    assert delivered[0]["data"]["project"]["uuid"] == project["uuid"]
    assert delivered[2]["data"]["task"]["id"] == f"task_{task['id']}"
    assert delivered[3]["data"]["project"]["status"] == "completed"

    # The same task through Taskforce (HTTP Basic with the same key) and /v1.
    basic = base64.b64encode(f"{owner.email}:{owner.key}".encode()).decode()
    shown = client.get(f"/api/v1/tasks/{task['id']}.json", headers={"Authorization": f"Basic {basic}"})
    assert shown.status_code == 200, shown.text
    assert "Press release" in shown.text
    native = client.get(f"/v1/tasks/task_{task['id']}", headers=owner.headers).json()["data"]["attributes"]
    assert native["status"] == "completed"
    assert native["project_id"] == f"project_{project['id']}"
