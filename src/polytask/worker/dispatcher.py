"""The webhook dispatcher: claims due deliveries and POSTs them, with bounded concurrency.

Runs as an asyncio task: inside the server process (started and stopped with the app's
lifespan) or in `polytask worker` processes. Database work happens in rounds, one worker
thread and one transaction each, through domain/webhooks/dispatch.py: a round records every
attempt that finished since the last one and claims the work that frees up. HTTP goes through
one httpx client (keep-alive connections, never following redirects); a request's endpoint
slot is free for the next request as soon as its response is in, while the delivery still
counts against its endpoint's claims until its outcome is written. A commit that queued
deliveries wakes the dispatcher at once: in
the same process directly, in other processes through the event bus transport (Redis or
PostgreSQL LISTEN/NOTIFY, domain/events/transport.py). Without a transport, or when a hint is
lost, other processes find the work by polling (POLYTASK_WEBHOOK_POLL_SECONDS).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy.orm import Session

from polytask import __version__
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.events import bus
from polytask.domain.webhooks import signing, ssrf
from polytask.domain.webhooks.dispatch import (
    BODY_EXCERPT,
    Attempt,
    Job,
    Policy,
    claim_due,
    has_due,
    record_attempts,
)
from polytask.domain.webhooks.policy import Outcome
from polytask.worker.background import BackgroundLoop
from polytask.worker.retention import prune_periodically
from polytask.worker.usage import prune_usage_periodically

log = logging.getLogger("polytask.webhooks")

# A dispatcher claims up to PREFETCH times as many deliveries as it may send at once (overall
# and per endpoint), so a busy endpoint's queue does not wait for a claim per delivery.
PREFETCH = 4
# A claimed delivery stays leased for (PREFETCH + 1) request timeouts plus this margin: enough
# to wait its turn and be sent. One not started in time is left for the next claim, never sent
# late (another dispatcher may have it by then). A dispatcher that dies holds its leases that long.
LEASE_MARGIN_SECONDS = 5.0
SHUTDOWN_GRACE_SECONDS = 5.0
# How often a claim may look past the first rows of a long backlog for other endpoints' work
# (domain/webhooks/dispatch.py claim_due): the most another endpoint waits behind a backlog.
REACH_PAST_FULL_SECONDS = 0.2


@dataclass
class _Finished:
    """A sent attempt waiting to be recorded."""

    attempt: Attempt
    recorded: asyncio.Future[None]


def no_cookies() -> CookieJar:
    """A jar that keeps nothing: the client is shared by every endpoint of every workspace, so a
    receiver's Set-Cookie must never come back on a later delivery (to it or to another
    endpoint on the same host)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class Dispatcher(BackgroundLoop):
    """Delivers webhooks from one process; several may run against the same database."""

    task_name = "polytask-webhook-dispatcher"

    def __init__(self, db: Database, settings: Settings, *, name: str | None = None) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.policy = Policy(
            schedule=settings.webhook_retry_delays,
            disable_after=timedelta(days=settings.webhook_disable_after_days),
        )
        self._busy: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.ready = threading.Event()
        self._finished: list[_Finished] = []
        self._http = asyncio.Semaphore(settings.webhook_concurrency)
        self._per_endpoint: dict[int, asyncio.Semaphore] = {}
        self._lease_seconds = settings.webhook_timeout_seconds * (PREFETCH + 1) + LEASE_MARGIN_SECONDS
        self._next_reach = 0.0

    # --- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Claim and send until stopped; in-flight sends get a short grace period at the end."""
        self._loop = asyncio.get_running_loop()
        bus.subscribe_outbox(self.wake)
        self.ready.set()
        # Keep-alive connections for as many endpoints as may be sent to at once.
        limits = httpx.Limits(
            max_connections=self.settings.webhook_concurrency,
            max_keepalive_connections=self.settings.webhook_concurrency,
        )
        # Event-log retention rides along: it is periodic work wherever dispatchers run.
        pruner = asyncio.create_task(
            prune_periodically(self.db, self.settings.audit_retention_days), name="polytask-event-retention"
        )
        usage_pruner = asyncio.create_task(
            prune_usage_periodically(self.db, self.settings), name="polytask-api-usage-retention"
        )
        try:
            async with httpx.AsyncClient(
                follow_redirects=False, limits=limits, trust_env=False, cookies=no_cookies()
            ) as client:
                while not self._stop.is_set():
                    self._wake.clear()
                    await self._exchange(client, claim=True)
                    await self._idle()
                await self._drain(client)
        finally:
            for periodic in (pruner, usage_pruner):
                periodic.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await periodic
            bus.unsubscribe_outbox(self.wake)

    async def _idle(self) -> None:
        if self._finished:
            return  # outcomes to record: no waiting
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.settings.webhook_poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _drain(self, client: httpx.AsyncClient) -> None:
        """Stop claiming; keep recording what finishes, for a short grace period."""
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        while self._tasks and time.monotonic() < deadline:
            self._wake.clear()
            await self._exchange(client, claim=False)
            if not self._finished:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, deadline - time.monotonic()))
        pending = set(self._tasks)
        for task in pending:
            task.cancel()  # its lease expires and another dispatcher sends it again
        if pending:
            await asyncio.wait(pending)

    # --- one database round: record what finished, claim what is due --------------------------

    async def _exchange(self, client: httpx.AsyncClient, *, claim: bool) -> None:
        """Record the finished attempts and claim more work in one transaction and one thread
        hop (on SQLite every write transaction takes the database lock: one per round, not
        one per delivery, nor one to record plus one to claim)."""
        batch, self._finished = self._finished, []
        # The batch's deliveries are done once recorded: their places may be claimed again now.
        busy = dict(self._busy)
        for item in batch:
            busy[item.attempt.job.webhook_id] = busy.get(item.attempt.job.webhook_id, 1) - 1
        busy = {webhook_id: n for webhook_id, n in busy.items() if n > 0}
        free = self.settings.webhook_concurrency * PREFETCH - (len(self._tasks) - len(batch)) if claim else 0
        claimed_at = time.monotonic()
        jobs: list[Job] = []
        try:
            jobs, failures = await asyncio.to_thread(self._round, batch, max(free, 0), busy)
        except Exception as exc:
            log.exception("recording webhook attempts or claiming deliveries failed")
            failures = {id(item): exc for item in batch}
        for item in batch:
            failure = failures.get(id(item))
            if item.recorded.done():
                continue
            if failure is None:
                item.recorded.set_result(None)
            else:
                item.recorded.set_exception(failure)
        # The latest moment a send may start and still end (timeout) within the lease.
        start_by = claimed_at + self._lease_seconds - self.settings.webhook_timeout_seconds - LEASE_MARGIN_SECONDS
        for job in jobs:
            self._busy[job.webhook_id] = self._busy.get(job.webhook_id, 0) + 1
            task = asyncio.create_task(self._deliver(client, job, start_by))
            self._tasks.add(task)
            task.add_done_callback(self._done(job))

    def _done(self, job: Job) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            left = self._busy.get(job.webhook_id, 1) - 1
            if left > 0:
                self._busy[job.webhook_id] = left
            else:
                self._busy.pop(job.webhook_id, None)
                self._per_endpoint.pop(job.webhook_id, None)

        return done

    def _round(
        self, batch: list[_Finished], free: int, busy: dict[int, int]
    ) -> tuple[list[Job], dict[int, BaseException]]:
        """In a worker thread: (claimed jobs, recording failures by id of the batch item)."""
        if not batch:
            return self._claim(free, busy), {}
        try:
            with self.db.unit_of_work() as session:
                statuses = self._record(session, batch)
                jobs = self._claim_in(session, free, busy) if free > 0 else []
        except Exception:
            log.exception("recording %d webhook attempts together failed; recording them one by one", len(batch))
            return [], self._record_each(batch)
        self._log(batch, statuses)
        return jobs, {}

    def _claim(self, limit: int, busy: dict[int, int]) -> list[Job]:
        if limit <= 0:
            return []
        with self.db.unit_of_work(readonly=True) as session:
            if not has_due(session):
                return []
        with self.db.unit_of_work() as session:
            return self._claim_in(session, limit, busy)

    def _claim_in(self, session: Session, limit: int, busy: dict[int, int]) -> list[Job]:
        # Looking past a long backlog of one endpoint may read all of it: a few times a second.
        reach = time.monotonic() >= self._next_reach
        if reach:
            self._next_reach = time.monotonic() + REACH_PAST_FULL_SECONDS
        return claim_due(
            session,
            worker=self.name,
            limit=limit,
            busy=busy,
            per_endpoint=self.settings.webhook_endpoint_concurrency * PREFETCH,
            lease=timedelta(seconds=self._lease_seconds),
            skip_locked=not self.db.is_sqlite,
            reach_past_full=reach,
        )

    def _record(self, session: Session, batch: list[_Finished]) -> list[str | None]:
        return record_attempts(session, worker=self.name, attempts=[i.attempt for i in batch], policy=self.policy)

    def _record_each(self, batch: list[_Finished]) -> dict[int, BaseException]:
        failures: dict[int, BaseException] = {}
        for item in batch:
            try:
                with self.db.unit_of_work() as session:
                    statuses = self._record(session, [item])
            except Exception as exc:
                log.exception("recording webhook delivery %s failed", item.attempt.job.message_id)
                failures[id(item)] = exc
                continue
            self._log([item], statuses)
        return failures

    @staticmethod
    def _log(batch: list[_Finished], statuses: list[str | None]) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        for item, status in zip(batch, statuses, strict=True):
            job, outcome = item.attempt.job, item.attempt.outcome
            log.info(
                "webhook delivery %s to %s: %s (%s)", job.message_id, job.url, outcome.status or outcome.error, status
            )

    # --- sending ------------------------------------------------------------------------------

    async def _deliver(self, client: httpx.AsyncClient, job: Job, start_by: float) -> None:
        headers: dict[str, str] = {}
        endpoint = self._per_endpoint.get(job.webhook_id)
        if endpoint is None:
            endpoint = self._per_endpoint[job.webhook_id] = asyncio.Semaphore(
                self.settings.webhook_endpoint_concurrency
            )
        # The endpoint's slot first: waiting for it must not hold one of the shared slots.
        async with endpoint, self._http:
            if time.monotonic() > start_by:
                self._wake.set()
                return  # the lease is nearly over: the next claim sends it
            try:
                outcome, headers = await self._send(client, job)
            except Exception as exc:  # never lose the attempt's record to an unexpected error
                log.exception("sending webhook delivery %s failed", job.message_id)
                outcome = Outcome(None, {}, None, 0, f"internal error: {type(exc).__name__}")
        # The endpoint's next request may start now; this delivery still counts against the
        # endpoint's claims (`_busy`) until its outcome is written and its lease released.
        finished = _Finished(Attempt(job, outcome, headers), asyncio.get_running_loop().create_future())
        self._finished.append(finished)
        self._wake.set()
        with contextlib.suppress(Exception):  # logged where it failed; the lease expires and it is sent again
            await finished.recorded

    async def _send(self, client: httpx.AsyncClient, job: Job) -> tuple[Outcome, dict[str, str]]:
        body = job.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"Polytask-Webhooks/{__version__}",
            **signing.signature_headers(
                message_id=job.message_id,
                timestamp=utcnow(),
                body=body,
                secret=job.secret,
                previous_secret=job.previous_secret,
            ),
        }
        started = time.monotonic()

        def elapsed_ms() -> int:
            return int((time.monotonic() - started) * 1000)

        urls = [job.url]
        extensions: dict[str, str] = {}
        if not self.settings.webhook_allow_private:
            try:
                urls, host_header, sni = await self._pinned(job.url)
            except (ValueError, OSError) as exc:
                return Outcome(None, {}, None, elapsed_ms(), f"refused: {exc}"), headers
            headers["Host"] = host_header
            if sni:
                extensions["sni_hostname"] = sni
        timeout = self.settings.webhook_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                response = await post_to_first(client, urls, body, headers, extensions, timeout)
                try:
                    excerpt = await _read_excerpt(response)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, {}, None, elapsed_ms(), f"timed out after {timeout:g}s"), headers
        except httpx.HTTPError as exc:
            return Outcome(None, {}, None, elapsed_ms(), f"{type(exc).__name__}: {exc}"[:500]), headers
        return (
            Outcome(response.status_code, dict(response.headers.items()), excerpt, elapsed_ms(), None),
            headers,
        )

    async def _pinned(self, url: str) -> tuple[list[str], str, str | None]:
        """The URL once per checked address of its host, in the resolver's order, the host
        replaced by the address (no DNS rebinding between check and connect); the Host
        header; the TLS server name."""
        scheme, host, port = _url_parts(url)
        assert self._loop is not None
        # One resolution, every address of it checked (ssrf.Refused otherwise), and the
        # connection made to those addresses: nothing is resolved again in between.
        addresses = await self._loop.run_in_executor(None, ssrf.vet, host, port)
        parts = urlsplit(url)
        urls: list[str] = []
        for address in dict.fromkeys(str(a) for a in addresses):
            literal = f"[{address}]" if ":" in address else address
            netloc = f"{literal}:{parts.port}" if parts.port else literal
            urls.append(urlunsplit(parts._replace(netloc=netloc)))
        host_header = parts.netloc.rsplit("@", 1)[-1]
        return urls, host_header, host if scheme == "https" else None


async def post_to_first(
    client: httpx.AsyncClient,
    urls: list[str],
    body: bytes,
    headers: dict[str, str],
    extensions: dict[str, str],
    seconds: float,
) -> httpx.Response:
    """POST to the first of `urls` (one per address of the endpoint's host) that takes the
    connection: an address that refuses it, is unreachable or does not answer the connect
    within its share of the timeout gives way to the next (a host with an unreachable IPv6
    address and a working IPv4 one is delivered to); the last one's error is raised. Once
    connected, the request is the only one: a slow answer is never sent twice. `seconds`: the
    delivery's timeout (the caller holds the whole attempt to it as well)."""
    connect = seconds if len(urls) == 1 else max(1.0, seconds / len(urls))
    for n, url in enumerate(urls):
        request = client.build_request(
            "POST",
            url,
            content=body,
            headers=headers,
            extensions=extensions,
            timeout=httpx.Timeout(seconds, connect=connect),
        )
        try:
            return await client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            if n + 1 == len(urls):
                raise
    raise AssertionError("no URL to post to")  # pragma: no cover - callers give at least one


def _url_parts(url: str) -> tuple[str, str, int]:
    try:
        return ssrf.check_url_shape(url)
    except Exception as exc:
        raise ValueError(str(exc)) from None


async def _read_excerpt(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size >= BODY_EXCERPT:
            break
    return b"".join(chunks)[:BODY_EXCERPT].decode("utf-8", errors="replace")


class DispatcherThread:
    """A dispatcher on its own event loop in a daemon thread (tests, embedding)."""

    def __init__(self, db: Database, settings: Settings, *, name: str | None = None) -> None:
        self.dispatcher = Dispatcher(db, settings, name=name)
        self._thread: threading.Thread | None = None

    def start(self) -> DispatcherThread:
        def main() -> None:
            asyncio.run(self.dispatcher.run())

        self._thread = threading.Thread(target=main, name="webhook-dispatcher", daemon=True)
        self._thread.start()
        if not self.dispatcher.ready.wait(10):
            raise RuntimeError("the webhook dispatcher did not start")
        return self

    def stop(self) -> None:
        loop, stop = self.dispatcher._loop, self.dispatcher._stop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None:
            self._thread.join(timeout=SHUTDOWN_GRACE_SECONDS + 10)

    @contextlib.contextmanager
    def running(self) -> Iterator[Dispatcher]:
        self.start()
        try:
            yield self.dispatcher
        finally:
            self.stop()
