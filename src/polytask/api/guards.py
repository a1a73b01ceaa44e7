"""The checks that only changes and conditional reads meet, as one layer of the middleware stack.

CSRF (api/csrf.py) checks state-changing methods, `Idempotency-Key` (api/idempotency.py) POST
and PATCH, conditional requests (api/conditional.py) If-None-Match on GET and If-Match on
writes. A read without If-None-Match, most requests, meets none of them: it goes straight on
instead of through three layers that each let it pass (about 2% of `GET /v1/tasks/{id}`).
Anything else goes through the three, in their order. tests/api/test_guards.py holds each of
the three to letting such a read pass untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from polytask.api.conditional import ConditionalMiddleware
from polytask.api.csrf import CsrfMiddleware, Render
from polytask.api.idempotency import IdempotencyMiddleware
from polytask.api.uploads import FRAMING_ALLOWANCE
from polytask.core.settings import Settings

# Methods none of the three looks at, short of an If-None-Match header.
READS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ChangeGuards:
    def __init__(self, app: ASGIApp, *, settings: Settings, render: Render) -> None:
        self.app = app
        conditional = ConditionalMiddleware(app)
        idempotency = IdempotencyMiddleware(
            conditional,
            # The largest body any route takes: an upload's, with its multipart framing.
            body_limit=max(settings.max_upload_bytes + FRAMING_ALLOWANCE, settings.input_limits.max_body_bytes),
            ttl_hours=settings.idempotency_ttl_hours,
            session_cookie=settings.session_cookie_name,
        )
        # The outermost of the three: CSRF before any body is parsed.
        self.guarded = CsrfMiddleware(idempotency, settings=settings, render=render)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in READS:
            for name, _ in scope["headers"]:
                if name == b"if-none-match":
                    break
            else:
                await self.app(scope, receive, send)
                return
        await self.guarded(scope, receive, send)
