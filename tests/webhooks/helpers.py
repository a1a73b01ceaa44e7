"""Small helpers shared by the webhook tests."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories.people import Person


def make_webhook(client: httpx.Client, owner: Person, url: str, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "events": ["*"], **fields}
    r = client.post("/v1/webhooks", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def deliveries(client: httpx.Client, owner: Person, webhook_id: str) -> list[dict[str, Any]]:
    r = client.get(f"/v1/webhooks/{webhook_id}/deliveries", params={"limit": 100}, headers=owner.headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["data"]
    return items


@dataclass
class SSE:
    events: queue.Queue[dict[str, str]] = field(default_factory=queue.Queue)
    comments: list[str] = field(default_factory=list)
    status: int = 0
    content_type: str = ""
    error: Exception | None = None
    closed: threading.Event = field(default_factory=threading.Event)

    def next(self, timeout: float = 5.0) -> dict[str, str]:
        return self.events.get(timeout=timeout)


@contextmanager
def sse(base: str, headers: dict[str, str], **params: str) -> Iterator[SSE]:
    """Read a stream in a thread, outside the OpenAPI checker (which would read it to the end)."""
    out = SSE()
    stop = threading.Event()
    ready = threading.Event()

    client = httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=30))

    def read() -> None:
        try:
            with client.stream("GET", "/v1/events/stream", params=params, headers=headers) as r:
                out.status = r.status_code
                out.content_type = r.headers.get("content-type", "")
                ready.set()
                current: dict[str, str] = {}
                for line in r.iter_lines():
                    if stop.is_set():
                        return
                    if line.startswith(":"):
                        out.comments.append(line)
                    elif line == "":
                        if "event" in current:
                            out.events.put(current)
                        current = {}
                    else:
                        key, _, value = line.partition(": ")
                        current[key] = value
        except Exception as exc:  # the server went away, or the test closed the client
            out.error = exc
        finally:
            out.closed.set()
            ready.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    assert ready.wait(10), "the stream did not open"
    assert out.status == 200, out.error
    assert out.content_type.startswith("text/event-stream")
    try:
        yield out
    finally:
        stop.set()
        client.close()  # the server sees the disconnect and ends the stream
        thread.join(timeout=5)
