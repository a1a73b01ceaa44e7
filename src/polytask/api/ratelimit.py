"""Rate limits, monthly quotas and the in-flight cap, per credential (per client address
without one), with X-RateLimit-* (and X-Quota-*) headers on every response of a limited surface.

Which plan (core/rateplans.py) applies: the credential's own plan when this process has seen
the credential authenticate, else the default plan of the path's surface. Authentication puts
the plan on the actor (it is a column the credential lookup reads anyway), and this middleware
remembers `credential digest -> (plan, user)` from the actor after the response starts. So no
request costs an extra database query; a plan change reaches a process with that credential's
next request. A credential that failed authentication is remembered as such and counted in its
client address's bucket, under the surface's anonymous plan.

Counters live in memory (`LocalWindows`, a dict of this process), or in Redis
(POLYTASK_REDIS_URL, through the `limits` library) so that several processes share them:
fixed windows (per second, minute, hour) and the calendar-month quota counter are exact on
both. The in-flight cap is per process with memory storage, and shared through a
Redis sorted set when Redis is configured (api/inflight.py).
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from polytask.api.inflight import InFlight, inflight_for
from polytask.api.kernel.surface import Surface, surface_of
from polytask.api.sessions import session_cookie_in
from polytask.core.actor import Actor
from polytask.core.planspec import Plan
from polytask.core.rateplans import configured_plans
from polytask.core.settings import Settings

log = logging.getLogger("polytask.api")

# Renders an error in the surface's shape: (request, status, code, message, details, headers) -> response.
ErrorRenderer = Callable[[Request, int, str, str, dict[str, object], dict[str, str]], Response]

# Headers that carry a credential; the bucket is a digest of whichever is present.
CREDENTIAL_HEADERS = (b"authorization", b"x-secret-key")
# How many credentials a process remembers, and for how long without seeing them again.
KNOWN_MAX = 50_000
KNOWN_TTL = 600.0


def credential_digest(scope: Scope, session_cookie: str) -> str | None:
    """A digest of the presented credential (never the credential itself), or None.

    A header credential wins, as in authentication; without one, the session cookie is the
    credential, so a signed-in browser is counted as itself and on its user's plan.
    """
    for name, value in scope["headers"]:
        if name in CREDENTIAL_HEADERS and value:
            return hashlib.sha256(name + b":" + value).hexdigest()[:32]
    session = session_cookie_in(scope, session_cookie)
    if session:
        return hashlib.sha256(b"session:" + session.encode()).hexdigest()[:32]
    return None


# The headers every limited response carries, as they go on the wire.
_RAW_NAMES = {
    name: name.lower().encode() for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
}


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


@dataclass(frozen=True, slots=True)
class Known:
    """What authentication said about a credential the last time this process saw it."""

    valid: bool
    plan: str | None = None
    user_id: int | None = None
    seen: float = 0.0


class KnownCredentials:
    """A bounded, expiring map of credential digest -> Known (oldest dropped first)."""

    def __init__(self, *, size: int = KNOWN_MAX, ttl: float = KNOWN_TTL) -> None:
        self.size, self.ttl = size, ttl
        self.entries: OrderedDict[str, Known] = OrderedDict()

    def get(self, digest: str) -> Known | None:
        known = self.entries.get(digest)
        if known is not None and time.monotonic() - known.seen > self.ttl:
            del self.entries[digest]
            return None
        return known

    def put(self, digest: str, known: Known) -> None:
        self.entries[digest] = known
        self.entries.move_to_end(digest)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def _items(plan: Plan) -> list[RateLimitItem]:
    items: list[RateLimitItem] = []
    if plan.burst:
        items.append(RateLimitItemPerSecond(plan.burst))
    if plan.per_minute:
        items.append(RateLimitItemPerMinute(plan.per_minute))
    if plan.per_hour:
        items.append(RateLimitItemPerHour(plan.per_hour))
    return items


def month_bounds(now: float) -> tuple[str, int]:
    """The current UTC month's label and the epoch second the next one starts."""
    today = datetime.fromtimestamp(now, UTC)
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return f"{today.year:04d}-{today.month:02d}", calendar.timegm((year, month, 1, 0, 0, 0))


class Windows(Protocol):
    """Fixed-window counters: `hit` counts a request in `item`'s window of `bucket` under
    `plan` and returns (allowed, remaining, reset epoch); `incr` adds one to a counter kept
    `expiry` seconds from its first count and returns its value."""

    async def hit(self, item: RateLimitItem, plan: str, bucket: str) -> tuple[bool, int, float]: ...
    async def incr(self, key: str, expiry: int) -> int: ...


class LocalWindows:
    """Counters of this process in one dict: a window starts at its first request and ends
    `expiry` seconds later, as the `limits` library's fixed windows do.

    That library's async memory storage starts a task per counted request to sweep expired
    windows; on a loaded server that cost more than the counting (docs/performance.md,
    session 26). Here an expired window is reset when next counted, and the others are
    swept once per SWEEP_EVERY seconds, inline.
    """

    SWEEP_EVERY = 60.0

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # key -> [count, ends at]
        self._next_sweep = clock() + self.SWEEP_EVERY
        self._prefixes: dict[tuple[int, str], tuple[str, int]] = {}  # (item, plan) -> (key prefix, expiry)

    def _add(self, key: str, expiry: float, now: float) -> list[float]:
        if now >= self._next_sweep:
            self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
            self._next_sweep = now + self.SWEEP_EVERY
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            window = self._windows[key] = [0, now + expiry]
        window[0] += 1
        return window

    async def hit(self, item: RateLimitItem, plan: str, bucket: str) -> tuple[bool, int, float]:
        return self.count(item, plan, bucket)

    def count(self, item: RateLimitItem, plan: str, bucket: str) -> tuple[bool, int, float]:
        """`hit` without the coroutine: the middleware calls this directly (nothing here waits)."""
        known = self._prefixes.get((id(item), plan))
        if known is None:
            known = self._prefixes[(id(item), plan)] = (f"{plan}/{item.amount}/{item.get_expiry()}/", item.get_expiry())
        prefix, expiry = known
        count, ends = self._add(prefix + bucket, expiry, self._clock())
        return count <= item.amount, max(item.amount - int(count), 0), ends

    async def incr(self, key: str, expiry: int) -> int:
        return int(self._add(key, expiry, self._clock())[0])

    def __len__(self) -> int:
        return len(self._windows)


class SharedWindows:
    """Counters in the `limits` library's storage (Redis), shared by every process using it."""

    def __init__(self, uri: str) -> None:
        storage = storage_from_string(uri)
        assert isinstance(storage, Storage)  # an async+ URI gives an async storage
        self.storage = storage
        self.limiter = FixedWindowRateLimiter(storage)

    async def hit(self, item: RateLimitItem, plan: str, bucket: str) -> tuple[bool, int, float]:
        allowed = await self.limiter.hit(item, plan, bucket)
        stats = await self.limiter.get_window_stats(item, plan, bucket)
        return allowed, max(stats.remaining, 0), stats.reset_time

    async def incr(self, key: str, expiry: int) -> int:
        return await self.storage.incr(key, expiry)


@dataclass(slots=True)
class _Refusal:
    code: str
    message: str
    headers: dict[str, str]


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, render: ErrorRenderer) -> None:
        self.app = app
        self.render = render
        self.plans = configured_plans(settings)
        self.items = {name: _items(plan) for name, plan in self.plans.items()}
        self.windows: Windows = SharedWindows(f"async+{settings.redis_url}") if settings.redis_url else LocalWindows()
        # The in-memory windows are counted without a coroutine per window (about 1% of a show).
        self.local = self.windows if isinstance(self.windows, LocalWindows) else None
        self.inflight: InFlight = inflight_for(settings.redis_url)
        self.known = KnownCredentials()
        self.session_cookie = settings.session_cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        surface = surface_of(scope) if scope["type"] == "http" else None
        if surface is None:
            await self.app(scope, receive, send)
            return
        digest = credential_digest(scope, self.session_cookie)
        known = self.known.get(digest) if digest else None
        if digest is None or (known is not None and not known.valid):
            plan, bucket = self.plans[surface.anonymous_plan], f"ip:{client_address(scope)}"
        else:
            plan = self._plan(known.plan if known else None, surface)
            bucket = f"cred:{digest}"
        headers, refusal = await self._hit(plan, bucket)
        if refusal is None and known is not None and known.user_id is not None and plan.monthly_quota:
            refusal = await self._count_quota(plan, known.user_id, headers)
        slot = None
        if refusal is None and plan.concurrency:
            slot = await self.inflight.acquire(bucket, plan.concurrency)
            if slot is None:
                refusal = _Refusal(
                    "RATE_LIMIT_EXCEEDED",
                    f"Rate limit exceeded: more than {plan.concurrency} requests at once",
                    {**headers, "Retry-After": "1"},
                )
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = headers
                if digest is not None and not self._confirmed(digest, known, state.get("actor")):
                    learned = await self._learn(digest, known, state, message["status"], surface)
                    if learned:
                        extra = {**headers, **learned}
                raw = [(_RAW_NAMES.get(k) or k.lower().encode(), v.encode()) for k, v in extra.items()]
                message["headers"] = [*message.get("headers", []), *raw]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if started:
                raise
            # Starlette renders unhandled errors outside every middleware, without our headers:
            # render the 500 here so that it carries them too.
            log.exception("unhandled error on %s %s", scope.get("method"), scope["path"])
            response = self.render(
                Request(scope), 500, "INTERNAL_ERROR", "An unexpected error occurred", {}, dict(headers)
            )
            await response(scope, receive, send)
        finally:
            if slot is not None:
                await self.inflight.release(bucket, slot)

    def _plan(self, name: str | None, surface: Surface) -> Plan:
        # A plan removed from the configuration falls back to the surface's default.
        return self.plans.get(name or surface.plan) or self.plans[surface.plan]

    async def _hit(self, plan: Plan, bucket: str) -> tuple[dict[str, str], _Refusal | None]:
        """Count the request against every window; headers describe the tightest one."""
        tightest: tuple[int, float, RateLimitItem] | None = None
        exceeded: RateLimitItem | None = None
        local = self.local
        for item in self.items[plan.name]:
            if local is not None:
                allowed, remaining, reset = local.count(item, plan.name, bucket)
            else:
                allowed, remaining, reset = await self.windows.hit(item, plan.name, bucket)
            if tightest is None or remaining < tightest[0]:
                tightest = (remaining, reset, item)
            if not allowed:
                exceeded, tightest = item, (0, reset, item)
                break
        if tightest is None:
            return {}, None
        remaining, reset, item = tightest
        headers = {
            "X-RateLimit-Limit": str(item.amount),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(reset)),
        }
        if exceeded is None:
            return headers, None
        headers["Retry-After"] = str(max(math.ceil(reset - time.time()), 1))
        # The spec's spelling, for clients written from it.
        headers["X-RateLimit-Retry-After"] = headers["Retry-After"]
        why = f"more than {exceeded.amount} requests per {exceeded.GRANULARITY.name}"
        return headers, _Refusal("RATE_LIMIT_EXCEEDED", f"Rate limit exceeded: {why}", headers)

    async def _count_quota(self, plan: Plan, user_id: int, headers: dict[str, str]) -> _Refusal | None:
        """Count one request against the user's monthly quota on `plan`; adds X-Quota-* to `headers`."""
        now = time.time()
        month, reset = month_bounds(now)
        # Kept a day past the month's end, so that a late request never restarts an old month.
        used = await self.windows.incr(f"quota/{plan.name}/user:{user_id}/{month}", int(reset - now) + 86_400)
        headers.update(
            {
                "X-Quota-Limit": str(plan.monthly_quota),
                "X-Quota-Remaining": str(max(plan.monthly_quota - used, 0)),
                "X-Quota-Reset": str(reset),
            }
        )
        if used <= plan.monthly_quota:
            return None
        refused = {**headers, "Retry-After": str(max(reset - math.floor(now), 1))}
        return _Refusal(
            "QUOTA_EXCEEDED",
            f"Monthly quota exceeded: {plan.monthly_quota} requests per month on plan '{plan.name}'",
            refused,
        )

    def _confirmed(self, digest: str, known: Known | None, actor: Any) -> bool:
        """Whether authentication said what the process remembers about the credential, and
        it was written down in the last half of the memory's lifetime: nothing to learn."""
        return (
            known is not None
            and known.valid
            and isinstance(actor, Actor)
            and known.plan == actor.rate_plan
            and known.user_id == actor.user_id
            and time.monotonic() - known.seen < self.known.ttl / 2
        )

    async def _learn(
        self, digest: str, known: Known | None, state: dict[str, Any], status: int, surface: Surface
    ) -> dict[str, str]:
        """Remember what authentication said about the credential.

        A credential this process had not seen was counted under the surface's default plan;
        when its own plan differs, the request is counted in that plan's windows too (never
        refused: it is already served) and the headers describe that plan. Its monthly quota
        counts it here as well.
        """
        actor = state.get("actor")
        if not isinstance(actor, Actor):
            if status == 401:
                self.known.put(digest, Known(False, seen=time.monotonic()))
            return {}
        now = time.monotonic()
        self.known.put(digest, Known(True, actor.rate_plan, actor.user_id, now))
        if known is not None and known.valid:
            return {}
        plan = self._plan(actor.rate_plan, surface)
        extra: dict[str, str] = {}
        if plan.name != surface.plan:
            extra, _ = await self._hit(plan, f"cred:{digest}")
            extra.pop("Retry-After", None)
            extra.pop("X-RateLimit-Retry-After", None)
        if plan.monthly_quota:
            await self._count_quota(plan, actor.user_id, extra)
        return extra

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, refusal: _Refusal) -> None:
        retry = int(refusal.headers.get("Retry-After", "1"))
        response = self.render(
            Request(scope), 429, refusal.code, refusal.message, {"retry_after": retry}, refusal.headers
        )
        await response(scope, receive, send)
