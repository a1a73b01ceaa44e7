"""The Python client against the live test server, and a loopback proxy that misbehaves."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.domain.workspaces.schemas import WorkspaceCreate
from polytask.domain.workspaces.service import create_workspace
from polytask_client import RetryEvent, RetryPolicy, TaskadeAPI
from tests.factories.people import Person, join, make_person
from tests.webhooks.conftest import dispatcher, receiver, start_dispatcher

__all__ = ["dispatcher", "receiver", "start_dispatcher"]


@pytest.fixture
def alice(db: Database) -> Person:
    return make_person(db)


@pytest.fixture
def api(base_url: str, alice: Person) -> Iterator[TaskadeAPI]:
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as client:
        yield client


@dataclass(frozen=True)
class SpecPeople:
    """What the developer document's example names: workspace_123, with user_1 (the key's
    owner) and user_2 as members."""

    owner: Person
    other: Person
    workspace: str


@pytest.fixture
def spec_people(db: Database) -> SpecPeople:
    owner = make_person(db, name="User One")
    other = make_person(db, name="User Two")
    assert (owner.id, other.id) == ("user_1", "user_2")
    with db.unit_of_work() as session:
        actor = system_actor(owner.user_id, "user")
        workspace_id = 0
        while workspace_id < 123:  # ids are the database's; make rows until the example's comes up
            workspace_id = create_workspace(session, actor, data=WorkspaceCreate(name=f"Filler {workspace_id}")).id
    assert workspace_id == 123
    join(db, owner, other, workspace_pk=123)
    return SpecPeople(owner, other, "workspace_123")


# httpx hands the body decoded, and uvicorn frames it anew.
_HOP = ("content-encoding", "content-length", "transfer-encoding", "connection")


class Cut(Exception):
    """Raised by the proxy to break a connection mid-answer."""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Proxy:
    """A loopback HTTP proxy in front of the live server. `plan` is consumed one entry per
    request: "pass" forwards; "429" answers 429 with `Retry-After: 0` without forwarding;
    "503" likewise; "drop" breaks the connection without forwarding; "lost" forwards, lets
    the server finish, then breaks the connection before the answer is complete;
    ("events", n) forwards a Server-Sent Events stream and breaks it after n events;
    ("events-end", n) ends it cleanly after n. Past the plan, requests pass."""

    upstream: str
    url: str = ""
    plan: list[Any] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    stream_opened: threading.Event = field(default_factory=threading.Event)  # the server answered a stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"] + (("?" + scope["query_string"].decode()) if scope["query_string"] else "")
        self.seen.append(Seen(scope["method"], scope["path"], headers))
        step = self.plan.pop(0) if self.plan else "pass"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if step in ("429", "503"):
            await _answer(send, int(step), b'{"error": {"code": "RATE_LIMIT_EXCEEDED", "message": "slow down"}}')
            return
        if step == "drop":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
            raise Cut("dropped before forwarding")
        forwarded = {k: v for k, v in headers.items() if k not in ("host", "content-length", "connection")}
        async with httpx.AsyncClient(base_url=self.upstream, timeout=60) as client:
            if isinstance(step, tuple):
                await _relay_events(
                    client, path, forwarded, send, cut=step[0] == "events", count=step[1], opened=self.stream_opened
                )
                return
            answer = await client.request(scope["method"], path, content=body, headers=forwarded)
        if step == "lost":  # the server ran it; its answer never arrives whole
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
            await send({"type": "http.response.body", "body": b'{"da', "more_body": True})
            raise Cut("the answer was lost")
        out = [(k.encode(), v.encode()) for k, v in answer.headers.items() if k not in _HOP]
        await send({"type": "http.response.start", "status": answer.status_code, "headers": out})
        await send({"type": "http.response.body", "body": answer.content})


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"retry-after", b"0")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _relay_events(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    send: Send,
    *,
    cut: bool,
    count: int,
    opened: threading.Event,
) -> None:
    async with client.stream("GET", path, headers=headers) as answer:
        opened.set()  # the server has fixed where the stream starts
        start = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": answer.status_code, "headers": start})
        buffer, relayed = b"", 0
        async for chunk in answer.aiter_raw():
            buffer += chunk
            while b"\n\n" in buffer and relayed < count:
                message, buffer = buffer.split(b"\n\n", 1)
                await send({"type": "http.response.body", "body": message + b"\n\n", "more_body": True})
                relayed += message.startswith(b"id:") or b"\nid:" in message
            if relayed >= count:
                break
            await asyncio.sleep(0)
    if cut:
        raise Cut("the stream broke")
    await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def proxy(base_url: str, serve_app: Callable[[ASGIApp], AbstractContextManager[str]]) -> Iterator[Proxy]:
    p = Proxy(upstream=base_url)
    with serve_app(p) as url:
        p.url = url
        yield p


@pytest.fixture
def retries() -> list[RetryEvent]:
    return []


@pytest.fixture
def quick_retry(retries: list[RetryEvent]) -> RetryPolicy:
    """Retries that wait a few milliseconds (and are recorded) unless the server says otherwise."""
    return RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.02, on_retry=retries.append)
