"""The change stream through a proxy that breaks it: the client reconnects with
Last-Event-ID and gets every event once, in order."""

from __future__ import annotations

import asyncio
import itertools

import httpx

from polytask_client import AsyncTaskadeAPI, ChangeEvent, RetryEvent, RetryPolicy, TaskadeAPI
from polytask_client._sse import SSEMessage, SSEParser
from tests.clients.python.conftest import Proxy
from tests.factories.people import Person


def test_stream_resumes_after_a_broken_connection(
    proxy: Proxy, api: TaskadeAPI, alice: Person, quick_retry: RetryPolicy, retries: list[RetryEvent]
) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Streamed")
    [created] = api.events.list(project_id=project.id).to_list()
    assert created.attributes["type"] == "project.created"
    tasks = [api.tasks.create(project_id=project.id, name=f"Change {n}") for n in range(3)]

    proxy.plan = ["429", ("events", 1), ("events-end", 2)]
    with TaskadeAPI(api_key=alice.key, base_url=proxy.url, retry=quick_retry) as through_proxy:
        stream = through_proxy.events.stream(last_event_id=created.id, project_id=project.id, types="task.created")
        got = list(itertools.islice(stream, 3))
        stream.close()

    assert [c.event for c in got] == ["task.created"] * 3
    assert [c.data.resource_id for c in got] == [t.id for t in tasks]
    ids = [int(c.id.removeprefix("event_")) for c in got]
    assert ids == sorted(set(ids))
    opened = [s for s in proxy.seen if s.path == "/v1/events/stream"]
    assert [s.headers.get("last-event-id") for s in opened] == [created.id, created.id, got[0].id]
    assert [(r.status, r.delay) for r in retries] == [(429, 0.0), (None, 2.0)]  # Retry-After; the stream's `retry:`
    assert isinstance(retries[1].error, httpx.TransportError)


def test_stream_without_a_start_brings_only_new_events(proxy: Proxy, alice: Person, api: TaskadeAPI) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Live")
    api.tasks.create(project_id=project.id, name="Before the stream")
    proxy.plan = [("events-end", 1)]

    async def watch() -> list[ChangeEvent]:
        async with AsyncTaskadeAPI(api_key=alice.key, base_url=proxy.url) as client:
            stream = client.events.stream(project_id=project.id)
            first = asyncio.ensure_future(anext(stream))
            # Write only once the server has answered the stream (and so fixed its start).
            await asyncio.to_thread(proxy.stream_opened.wait, 30)
            await client.tasks.create(project_id=project.id, name="Seen live")
            got = [await first]
            await stream.aclose()
            return got

    [change] = asyncio.run(watch())
    assert change.event == "task.created"
    assert change.data.data["task"]["name"] == "Seen live"


def test_the_sse_parser_follows_the_event_stream_rules() -> None:
    parser = SSEParser()
    lines = ["retry: 2000", "", ": heartbeat", "", "id: event_7", "event: task.created", "data: {", "data: }", ""]
    messages = [m for m in map(parser.feed, lines) if m is not None]
    assert messages == [SSEMessage("event_7", "task.created", "{\n}")]
    assert (parser.retry_ms, parser.last_id) == (2000, "event_7")
    # A message cut off by a broken connection is dropped; the last whole one's id stays.
    for line in ["id: event_8", "event: task.updated", "data: {"]:
        parser.feed(line)
    parser.reset()
    assert parser.feed("") is None
    assert parser.last_id == "event_7"
