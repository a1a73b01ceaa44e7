"""Rate limits per credential (per client address without one), with X-RateLimit-* headers.

Counters live in memory, or in Redis (POLYTASK_REDIS_URL) so that several processes share
them. Windows are fixed (per minute, optionally per hour): counts inside a window are exact
on both storages. The cap on requests in flight is kept per process.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.core.settings import Settings

# Renders a 429 in the surface's error shape: (request, message, details, headers) -> response.
ErrorRenderer = Callable[[Request, str, dict[str, object], dict[str, str]], Response]


def identity(scope: Scope) -> str:
    """The bucket: a digest of the presented credential, else the client address."""
    for name, value in scope["headers"]:
        if name == b"authorization" and value:
            return "cred:" + hashlib.sha256(value).hexdigest()[:32]
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, prefixes: tuple[str, ...], render: ErrorRenderer) -> None:
        self.app = app
        self.prefixes = prefixes
        self.render = render
        uri = f"async+{settings.redis_url}" if settings.redis_url else "async+memory://"
        self.limiter = FixedWindowRateLimiter(storage_from_string(uri))
        self.items: list[RateLimitItem] = []
        if settings.rate_limit_per_minute:
            self.items.append(RateLimitItemPerMinute(settings.rate_limit_per_minute))
        if settings.rate_limit_per_hour:
            self.items.append(RateLimitItemPerHour(settings.rate_limit_per_hour))
        self.concurrency = settings.rate_limit_concurrency
        self.in_flight: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        who = identity(scope)
        headers, exceeded = await self._hit(who)
        if exceeded is not None:
            await self._refuse(scope, receive, send, headers, exceeded)
            return
        if self.concurrency and self.in_flight[who] >= self.concurrency:
            await self._refuse(
                scope, receive, send, {**headers, "Retry-After": "1"}, f"more than {self.concurrency} requests at once"
            )
            return
        self.in_flight[who] += 1
        try:
            await self.app(scope, receive, _with_headers(send, headers))
        finally:
            self.in_flight[who] -= 1
            if not self.in_flight[who]:
                del self.in_flight[who]

    async def _hit(self, who: str) -> tuple[dict[str, str], str | None]:
        """Count the request against every window; headers describe the tightest one."""
        tightest: tuple[int, float, RateLimitItem] | None = None
        exceeded = None
        for item in self.items:
            allowed = await self.limiter.hit(item, who)
            stats = await self.limiter.get_window_stats(item, who)
            remaining, reset = max(stats.remaining, 0), stats.reset_time
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, reset, item)
            if not allowed:
                exceeded = f"more than {item.amount} requests per {item.GRANULARITY.name}"
                tightest = (0, reset, item)
                break
        if tightest is None:
            return {}, None
        remaining, reset, item = tightest
        headers = {
            "X-RateLimit-Limit": str(item.amount),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }
        if exceeded is not None:
            headers["Retry-After"] = str(max(math.ceil(reset - time.time()), 1))
            # The spec's spelling, for clients written from it.
            headers["X-RateLimit-Retry-After"] = headers["Retry-After"]
        return headers, exceeded

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], why: str) -> None:
        request = Request(scope)
        details: dict[str, object] = {"retry_after": int(headers.get("Retry-After", "1"))}
        response = self.render(request, f"Rate limit exceeded: {why}", details, headers)
        await response(scope, receive, send)


def _with_headers(send: Send, headers: dict[str, str]) -> Callable[[Message], Awaitable[None]]:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and raw:
            message["headers"] = [*message.get("headers", []), *raw]
        await send(message)

    return sending
