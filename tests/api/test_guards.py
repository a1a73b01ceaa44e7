"""The shortcut of api/guards.py: a read without If-None-Match skips the CSRF, Idempotency-Key
and conditional-request middlewares. Its premise is held here: each of the three, on every
surface, lets such a read through untouched (the same scope, receive and send, nothing sent of
its own), and a read with If-None-Match or a change still goes through them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from polytask.api.conditional import ConditionalMiddleware
from polytask.api.csrf import CsrfMiddleware
from polytask.api.guards import READS, ChangeGuards
from polytask.api.idempotency import IdempotencyMiddleware
from polytask.api.kernel.surface import SCOPE_KEY, Surface
from polytask.api.surfaces import SURFACES
from polytask.core.settings import Settings

HEADERS = [
    (b"host", b"example.test"),
    (b"authorization", b"Bearer ptk_abc_def"),
    (b"cookie", b"polytask_session=abc"),
    (b"content-type", b"application/json"),
    (b"idempotency-key", b"key-1"),
    (b"if-match", b'"abc"'),
    (b"origin", b"https://elsewhere.test"),
]


def _render(
    request: Request, status: int, code: str, message: str, details: Any = None, headers: Any = None
) -> Response:
    return Response(code, status_code=status)


class Inner:
    def __init__(self) -> None:
        self.calls: list[tuple[Scope, Receive, Send]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls.append((scope, receive, send))


class Sent:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _scope(method: str, surface: Surface | None, headers: list[tuple[bytes, bytes]]) -> Scope:
    path = surface.prefix + "/things/1" if surface is not None else "/healthz"
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("10.0.0.7", 5123),
        "server": ("example.test", 80),
        "scheme": "http",
        "root_path": "",
        "state": {},
        SCOPE_KEY: surface,
    }


@pytest.mark.parametrize("surface", [*SURFACES, None], ids=lambda s: s.name if s else "none")
def test_each_guard_lets_a_read_without_if_none_match_through_untouched(surface: Surface | None) -> None:
    settings = Settings()
    for method in sorted(READS):
        for make in (
            lambda app: CsrfMiddleware(app, settings=settings, render=_render),
            lambda app: IdempotencyMiddleware(app, body_limit=settings.max_upload_bytes),
            ConditionalMiddleware,
        ):
            inner = Inner()
            sent = Sent()
            scope = _scope(method, surface, list(HEADERS))
            asyncio.run(make(inner)(scope, _receive, sent))
            assert len(inner.calls) == 1, (make, method)
            seen_scope, seen_receive, seen_send = inner.calls[0]
            assert seen_scope is scope, (make, method)
            assert seen_receive is _receive, (make, method)
            assert seen_send is sent, (make, method)
            assert sent.messages == []


def test_reads_with_if_none_match_and_changes_go_through_the_three() -> None:
    """Through them: a change is checked (here CSRF refuses a cookie-only POST from another
    origin), and a GET with If-None-Match reaches the conditional middleware's capture."""
    settings = Settings()
    native = next(s for s in SURFACES if s.name == "native")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await Response("ok", headers={"ETag": '"abc"'})(scope, receive, send)

    guards = ChangeGuards(app, settings=settings, render=_render)

    def run(method: str, headers: list[tuple[bytes, bytes]]) -> list[Message]:
        sent = Sent()
        asyncio.run(guards(_scope(method, native, headers), _receive, sent))
        return sent.messages

    cookie_only = [(b"cookie", b"polytask_session=abc"), (b"origin", b"https://elsewhere.test")]
    assert run("POST", cookie_only)[0]["status"] == 403
    assert run("GET", [(b"if-none-match", b'"abc"')])[0]["status"] == 304
    assert run("GET", [])[0]["status"] == 200
