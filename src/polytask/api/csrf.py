"""CSRF protection for state changes made with the session cookie, on /api (TaskFlow) and /v1.

Runs before routing and before any body is parsed. A POST/PUT/PATCH/DELETE is checked when
it carries the session cookie and no Authorization header (a bearer credential is not sent
by browsers on their own, so it needs no CSRF check); the login endpoint is checked always
(login CSRF). The rules themselves live in domain/sessions/csrf.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.kernel.surface import surface_of
from polytask.api.sessions import csrf_key, session_cookie_in
from polytask.core.settings import Settings
from polytask.domain.sessions import csrf
from polytask.domain.sessions.service import csrf_token_matches

# Header names clients send the token in: ours, and the one Flask-style TaskFlow clients use.
TOKEN_HEADERS = ("x-csrf-token", "x-csrftoken")
TOKEN_FIELD = "csrf_token"
MAX_FORM_BYTES = 1024 * 1024  # a larger form must send the token in the header

Render = Callable[[Request, int, str, str, dict[str, Any]], Response]


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, render: Render) -> None:
        self.app = app
        self.settings = settings
        self.render = render
        self.trusted = set(settings.cors_origin_list)
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = csrf_key(self.settings)
        return self._key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Only where the session cookie authenticates (the request's surface says so).
        surface = surface_of(scope) if scope["type"] == "http" else None
        if surface is None or not surface.session_cookie or scope["method"] in csrf.SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_login = scope["path"] == surface.login_path
        raw = session_cookie_in(scope, self.settings.session_cookie_name)
        if not is_login and (raw is None or "authorization" in headers):
            await self.app(scope, receive, send)
            return
        refusal = csrf.check_origin(
            sec_fetch_site=headers.get("sec-fetch-site"),
            origin=headers.get("origin"),
            own=csrf.own_origins(scope.get("scheme", "http"), headers.get("host")),
            trusted=self.trusted,
        )
        if refusal is None and not is_login and raw is not None and csrf.needs_token(headers.get("content-type")):
            presented = next((headers[name] for name in TOKEN_HEADERS if headers.get(name)), None)
            if presented is None:
                body, receive = await _buffer(receive)
                presented = _form_token(scope, headers, body)
            valid = presented is not None and csrf_token_matches(self.key, raw, presented)
            refusal = csrf.token_refusal(presented, valid)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        response = self.render(Request(scope), 403, "PERMISSION_DENIED", refusal.message, {"reason": refusal.reason})
        await response(scope, receive, send)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the body (up to MAX_FORM_BYTES + 1) and hand the app a receive that replays it."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= MAX_FORM_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return body, replay


def _form_token(scope: Scope, headers: Headers, body: bytes) -> str | None:
    """The csrf_token field of a urlencoded or multipart body (text/plain: header only)."""
    if len(body) > MAX_FORM_BYTES:
        return None
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            if name == TOKEN_FIELD:
                return value
        return None
    if media == "multipart/form-data":
        return _multipart_field(headers.get("content-type", ""), body, TOKEN_FIELD)
    return None


def _multipart_field(content_type: str, body: bytes, field: str) -> str | None:
    """One plain field of a multipart body, read with the email parser (no files are written)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field and part.get_filename() is None:
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode("utf-8", "replace").strip()
    return None
