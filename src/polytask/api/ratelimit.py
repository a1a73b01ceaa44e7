"""Rate limits, monthly quotas and the in-flight cap, per credential (per client address
without one), with X-RateLimit-* (and X-Quota-*) headers on every response of a limited surface.

Which plan (core/rateplans.py) applies: the credential's own plan when this process has seen
the credential authenticate, else the default plan of the path's surface. Authentication puts
the plan on the actor (it is a column the credential lookup reads anyway), and this middleware
remembers `credential digest -> (plan, user)` from the actor when the response starts (for a
credential it already knows as valid, after the response, whose headers then go out with the
request id middleware's pass over it: api/middleware.py RESPONSE_HEADERS). So no
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
from polytask.api.middleware import KNOWN_ACTOR, RATE_LIMITED, RESPONSE_HEADERS, RESPONSE_STATUS
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


_WRITES = frozenset({"POST", "PUT", "PATCH"})


def _is_upload(scope: Scope) -> bool:
    """A write whose body is not JSON (multipart, or a raw file): what upload plans count."""
    if scope["method"] not in _WRITES:
        return False
    length = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            return b"json" not in value.lower()
        if name == b"content-length":
            length = value
    return length not in (None, b"0")


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
_LIMIT, _REMAINING, _RESET = _RAW_NAMES.values()


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
    # The actor it authenticated as: whose requests a refusal counts against (API usage).
    actor: Actor | None = None


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


class Window:
    """One fixed window of a plan, with what counting it and describing it take, made once."""

    __slots__ = ("amount", "expiry", "item", "limit", "prefix")

    def __init__(self, item: RateLimitItem, plan: str) -> None:
        self.item = item
        self.amount: int = item.amount
        self.expiry: int = item.get_expiry()
        self.prefix = f"{plan}/{self.amount}/{self.expiry}/"  # LocalWindows' key, less the bucket
        self.limit = str(self.amount).encode()  # X-RateLimit-Limit as it goes on the wire


def _windows(plan: Plan) -> tuple[Window, ...]:
    items: list[RateLimitItem] = []
    if plan.burst:
        items.append(RateLimitItemPerSecond(plan.burst))
    if plan.per_minute:
        items.append(RateLimitItemPerMinute(plan.per_minute))
    if plan.per_hour:
        items.append(RateLimitItemPerHour(plan.per_hour))
    return tuple(Window(item, plan.name) for item in items)


# A request counted in a plan's windows: the tightest window (the first exceeded one, if any),
# what is left of it (negative: exceeded) and when it ends.
Count = tuple[Window, int, float]


def _raw(count: Count) -> list[tuple[bytes, bytes]]:
    """The X-RateLimit-* headers of an allowed request, as they go on the wire."""
    window, remaining, reset = count
    return [(_LIMIT, window.limit), (_REMAINING, b"%d" % remaining), (_RESET, b"%d" % math.ceil(reset))]


def _headers(count: Count | None) -> dict[str, str]:
    """The same headers as a dict (refusals, errors, what a learned plan adds), with
    Retry-After when the request was refused."""
    if count is None:
        return {}
    window, remaining, reset = count
    headers = {
        "X-RateLimit-Limit": str(window.amount),
        "X-RateLimit-Remaining": str(max(remaining, 0)),
        "X-RateLimit-Reset": str(math.ceil(reset)),
    }
    if remaining < 0:
        headers["Retry-After"] = str(max(math.ceil(reset - time.time()), 1))
        # The spec's spelling, for clients written from it.
        headers["X-RateLimit-Retry-After"] = headers["Retry-After"]
    return headers


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
        count, ends = self._add(f"{plan}/{item.amount}/{item.get_expiry()}/{bucket}", item.get_expiry(), self._clock())
        return count <= item.amount, max(item.amount - int(count), 0), ends

    def count(self, windows: tuple[Window, ...], bucket: str) -> Count | None:
        """`hit` in every window of a plan at once, without a coroutine (the middleware calls
        this directly: nothing here waits); None for a plan without windows."""
        now = self._clock()
        tightest: Count | None = None
        for window in windows:
            counted, ends = self._add(window.prefix + bucket, window.expiry, now)
            remaining = window.amount - int(counted)
            if remaining < 0:
                return window, remaining, ends
            if tightest is None or remaining < tightest[1]:
                tightest = window, remaining, ends
        return tightest

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


def _exceeded(count: Count, what: str = "requests") -> _Refusal:
    amount, granularity = count[0].amount, count[0].item.GRANULARITY.name
    return _Refusal(
        "RATE_LIMIT_EXCEEDED", f"Rate limit exceeded: more than {amount} {what} per {granularity}", _headers(count)
    )


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(_RAW_NAMES.get(k) or k.lower().encode(), v.encode()) for k, v in headers.items()]


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, render: ErrorRenderer) -> None:
        self.app = app
        self.render = render
        self.plans = configured_plans(settings)
        self.windows_of = {name: _windows(plan) for name, plan in self.plans.items()}
        self.windows: Windows = SharedWindows(f"async+{settings.redis_url}") if settings.redis_url else LocalWindows()
        # The in-memory windows are counted without a coroutine (about 1% of a show).
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
            bucket = "cred:" + digest
        local = self.local
        windows = self.windows_of[plan.name]
        count = local.count(windows, bucket) if local is not None else await self._count(windows, plan, bucket)
        # An ordinary response gets the window's headers as bytes; a dict is made only where
        # a refusal, a monthly quota or an error needs one.
        headers: dict[str, str] | None = None
        refusal: _Refusal | None = None
        if count is not None and count[1] < 0:
            refusal = _exceeded(count)
        elif surface.upload_plan is not None and _is_upload(scope):
            uploads = self.plans[surface.upload_plan]
            counted = await self._count(self.windows_of[uploads.name], uploads, bucket)
            if counted is not None and counted[1] < 0:
                refusal = _exceeded(counted, "uploads")
        if refusal is None and plan.monthly_quota and known is not None and known.user_id is not None:
            headers = _headers(count)
            refusal = await self._count_quota(plan, known.user_id, headers)
        slot = None
        if refusal is None and plan.concurrency:
            slot = await self.inflight.acquire(bucket, plan.concurrency)
            if slot is None:
                refusal = _Refusal(
                    "RATE_LIMIT_EXCEEDED",
                    f"Rate limit exceeded: more than {plan.concurrency} requests at once",
                    {**(headers if headers is not None else _headers(count)), "Retry-After": "1"},
                )
        state: dict[str, Any] = scope.setdefault("state", {})
        if known is not None and known.valid:
            state[KNOWN_ACTOR] = known.actor
        if refusal is not None:
            state[RATE_LIMITED] = True
            await self._refuse(scope, receive, send, refusal)
            return
        raw = _raw(count) if headers is None and count is not None else _encoded(headers or {})
        if digest is not None and known is not None and known.valid:
            # A credential known to be valid: what authentication says of it changes none of
            # the headers, so they go out with the request id middleware's own pass over the
            # response's start (no `send` wrapper here), and what it said is looked at after.
            scope[RESPONSE_HEADERS] = raw
            try:
                await self.app(scope, receive, send)
            except Exception:
                if scope.pop(RESPONSE_HEADERS, None) is None:
                    raise  # the response has started
                await self._failed(scope, receive, send, headers if headers is not None else _headers(count))
            finally:
                if slot is not None:
                    await self.inflight.release(bucket, slot)
            if not self._confirmed(known, state.get("actor")):
                await self._learn(digest, known, state, state.get(RESPONSE_STATUS, 500), surface)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = raw
                if digest is not None and not self._confirmed(known, state.get("actor")):
                    learned = await self._learn(digest, known, state, message["status"], surface)
                    if learned:
                        extra = _encoded({**(headers if headers is not None else _headers(count)), **learned})
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if started:
                raise
            await self._failed(scope, receive, send, headers if headers is not None else _headers(count))
        finally:
            if slot is not None:
                await self.inflight.release(bucket, slot)

    async def _failed(self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str]) -> None:
        """An unhandled error before the response started. Starlette renders those outside
        every middleware, without our headers: rendered here, the 500 carries them too."""
        log.exception("unhandled error on %s %s", scope.get("method"), scope["path"])
        response = self.render(Request(scope), 500, "INTERNAL_ERROR", "An unexpected error occurred", {}, headers)
        await response(scope, receive, send)

    def _plan(self, name: str | None, surface: Surface) -> Plan:
        # A plan removed from the configuration falls back to the surface's default.
        return self.plans.get(name or surface.plan) or self.plans[surface.plan]

    async def _count(self, windows: tuple[Window, ...], plan: Plan, bucket: str) -> Count | None:
        """Count the request in every window of the plan, whatever the storage."""
        if self.local is not None:
            return self.local.count(windows, bucket)
        tightest: Count | None = None
        for window in windows:
            allowed, remaining, reset = await self.windows.hit(window.item, plan.name, bucket)
            if not allowed:
                return window, -1, reset
            if tightest is None or remaining < tightest[1]:
                tightest = window, remaining, reset
        return tightest

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

    def _confirmed(self, known: Known | None, actor: Any) -> bool:
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
        self.known.put(digest, Known(True, actor.rate_plan, actor.user_id, now, actor))
        if known is not None and known.valid:
            return {}
        plan = self._plan(actor.rate_plan, surface)
        extra: dict[str, str] = {}
        if plan.name != surface.plan:
            extra = _headers(await self._count(self.windows_of[plan.name], plan, "cred:" + digest))
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
