"""Against the live server: async iterators that follow pagination (offset and cursor pages,
the changes feed), the change stream resuming with Last-Event-ID after a dropped connection
(through the loopback proxy), and the ETag helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.clients.js.conftest import Node
from tests.clients.js.proxy import Proxy, Relay
from tests.factories.people import Person, make_person
from tests.factories.work import make_project


@pytest.fixture
def proxy(base_url: str) -> Iterator[Proxy]:
    p = Proxy(base_url).start()
    yield p
    p.stop()


def run(node_sdk: Node, base: str, person: Person, body: str, **context: Any) -> Any:
    script = (
        "import { TaskadeAPI, TaskadeError } from '@taskade/sdk';\n"
        f"const api = new TaskadeAPI({{ apiKey: {json.dumps(person.key)}, baseURL: '{base}/v1' }});\n"
        f"const ctx = {json.dumps(context)};\n"
        "let out;\n"
        f"{body}\n"
        "console.log(JSON.stringify(out));\n"
    )
    return node_sdk.result(script)


def bulk_tasks(client: httpx.Client, person: Person, project: str, names: list[str]) -> list[str]:
    r = client.post(
        f"/v1/projects/{project}/tasks/bulk", json={"tasks": [{"name": n} for n in names]}, headers=person.headers
    )
    assert r.status_code == 201, r.text
    return [t["id"] for t in r.json()["data"]]


def test_iterators_follow_every_page(node_sdk: Node, client: httpx.Client, db: Database, base_url: str) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    names = [f"Task {n:02}" for n in range(23)]
    bulk_tasks(client, alice, project, names)
    out = run(
        node_sdk,
        base_url,
        alice,
        """
const names = [];
for await (const task of api.tasks.listForProject(ctx.project, { limit: 5, sort: 'name' })) names.push(task.name);
const pages = [];
for await (const page of api.tasks.listForProject(ctx.project, { limit: 5 }).pages()) pages.push(page.length);
const cursor = await api.tasks.list({ project_id: ctx.project, cursor: '', limit: 10, sort: '-name' }).toArray();
const first = await api.tasks.listForProject(ctx.project, { limit: 5, total: true });
const generic = await api.paginate(`/projects/${ctx.project}/tasks`, { limit: 4 }).toArray(9);
out = {
  names, pages, cursor: cursor.map((t) => t.name),
  first: { length: first.length, total: first.meta.total, next: !!first.links.next, same: first.data === first },
  generic: generic.length,
};
""",
        project=project,
    )
    assert out["names"] == names
    assert out["pages"] == [5, 5, 5, 5, 3]
    assert out["cursor"] == sorted(names, reverse=True)
    assert out["first"] == {"length": 5, "total": 23, "next": True, "same": True}
    assert out["generic"] == 9


def test_the_changes_feed_iterates_to_its_end(
    node_sdk: Node, client: httpx.Client, db: Database, base_url: str
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    ids = bulk_tasks(client, alice, project, [f"T{n}" for n in range(12)])
    out = run(
        node_sdk,
        base_url,
        alice,
        """
const seen = [];
for await (const event of api.events.list({ project_id: ctx.project, types: 'task.created', limit: 5 })) {
  seen.push([event.type, event.resource_id, event.resourceType]);
}
out = seen;
""",
        project=project,
    )
    assert out == [["task.created", i, "event"] for i in ids]


def test_the_stream_resumes_with_last_event_id_after_a_dropped_connection(
    node_sdk: Node, client: httpx.Client, db: Database, proxy: Proxy
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.get("/v1/events", params={"project_id": project}, headers=alice.headers)
    assert r.status_code == 200, r.text
    before = f"event_{r.json()['meta']['last_id']}"
    bulk_tasks(client, alice, project, ["A", "B", "C"])
    # The first connection is cut after one event; the client reconnects by itself.
    proxy.script("GET", "/v1/events/stream", Relay(events=1), Relay())
    out = run(
        node_sdk,
        proxy.url,
        alice,
        """
const got = [];
const stream = api.events.stream({ project_id: ctx.project, types: 'task.created' },
  { lastEventId: ctx.before, reconnectDelay: 10 });
for await (const event of stream) {
  got.push({ id: event.id, eventId: event.eventId, name: event.data.task.name });
  if (got.length === 3) break;
}
out = got;
""",
        project=project,
        before=before,
    )
    assert [e["name"] for e in out] == ["A", "B", "C"]
    assert all(e["id"] == e["eventId"] for e in out)
    connections = proxy.requests("GET", "/v1/events/stream")
    assert len(connections) == 2
    assert connections[0].header("last-event-id") == before
    assert connections[1].header("last-event-id") == out[0]["id"]


def test_etag_helpers(node_sdk: Node, client: httpx.Client, db: Database, base_url: str) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    [task] = bulk_tasks(client, alice, project, ["Guarded"])
    out = run(
        node_sdk,
        base_url,
        alice,
        """
const task = await api.tasks.get(ctx.task);
const same = await api.tasks.get(ctx.task, {}, { ifNoneMatch: task });
const renamed = await api.tasks.update(ctx.task, { name: 'Renamed' }, { ifMatch: task });
let stale;
try {
  await api.tasks.update(ctx.task, { name: 'Lost update' }, { ifMatch: task });
} catch (error) {
  stale = { status: error.status, code: error.code, current: error.details.current_etag === renamed.etag };
}
const unchanged = await api.tasks.get(ctx.task, {}, { ifNoneMatch: renamed.etag });
out = { etag: !!task.etag, same: same === task, renamed: renamed.name, changed: renamed.etag !== task.etag,
  stale, unchanged, etagOf: api.etagOf(renamed) === renamed.etag };
""",
        task=task,
    )
    assert out == {
        "etag": True,
        "same": True,
        "renamed": "Renamed",
        "changed": True,
        "stale": {"status": 412, "code": "PRECONDITION_FAILED", "current": True},
        "unchanged": None,
        "etagOf": True,
    }
    r = client.get(f"/v1/tasks/{task}", headers=alice.headers)
    assert r.json()["data"]["attributes"]["name"] == "Renamed"


def test_aborting_the_signal_ends_the_stream(node_sdk: Node, client: httpx.Client, db: Database, base_url: str) -> None:
    """Events already received are not handed out after the abort, and the connection closes
    (node would otherwise wait on the open stream until the test's timeout)."""
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.get("/v1/events", params={"project_id": project}, headers=alice.headers)
    before = f"event_{r.json()['meta']['last_id']}"
    bulk_tasks(client, alice, project, ["A", "B", "C"])
    out = run(
        node_sdk,
        base_url,
        alice,
        """
const controller = new AbortController();
const got = [];
for await (const event of api.events.stream({ project_id: ctx.project },
  { lastEventId: ctx.before, signal: controller.signal })) {
  got.push(event.data.task.name);
  controller.abort();
}
out = got;
""",
        project=project,
        before=before,
    )
    assert out == ["A"]


def test_paths_resolve_under_the_base_url(node_sdk: Node) -> None:
    """The documents' '/v1/...' paths, the guide's '/...' ones and the server's own links all land
    under the base URL, also when it has a prefix of its own."""
    out = node_sdk.result(
        "import { TaskadeAPI } from '@taskade/sdk';\n"
        "const plain = new TaskadeAPI({ apiKey: 'k', baseURL: 'http://host:8000/v1/' });\n"
        "const prefixed = new TaskadeAPI({ apiKey: 'k', baseURL: 'https://host/api/v1' });\n"
        "out = [plain.url('/v1/tasks'), plain.url('/tasks', { include: ['project', 'assignee'] }),\n"
        "  prefixed.url('/v1/tasks?cursor=abc'), prefixed.url('projects/project_1'),\n"
        "  plain.url('/tasks', { due_date: { $gte: '2024-01-01' }, labels: { $in: ['a', 'b'] },\n"
        "    assignee: ['x', 'y'] })];\n"
        "var out;\n"
        "console.log(JSON.stringify(out));\n"
    )
    assert out == [
        "http://host:8000/v1/tasks",
        "http://host:8000/v1/tasks?include=project%2Cassignee",
        "https://host/api/v1/tasks?cursor=abc",
        "https://host/api/v1/projects/project_1",
        "http://host:8000/v1/tasks?due_date%5Bgte%5D=2024-01-01&labels%5Bin%5D=a%2Cb&assignee=x&assignee=y",
    ]
