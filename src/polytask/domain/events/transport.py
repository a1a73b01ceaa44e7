"""Carrying commit hints between processes: Redis pub/sub or PostgreSQL LISTEN/NOTIFY.

One transport per process (`start`, called by the server's lifespan and by `polytask
worker`). It sends a small hint for each unit of work that recorded events or queued
webhook deliveries, and hands hints from other processes to the in-process bus (bus.py),
whose listeners then look at the database. A hint is never the data: one that is lost
(Redis down, a process killed between commit and publish) costs its listeners at most
one poll interval, and after the transport reconnects every listener looks at once.

Either way the hint is queued after the commit (never for a rollback), merged with any not
yet sent, and published by a background thread, so a slow or absent peer never holds up a
request and a burst of commits costs one message.

- PostgreSQL: `pg_notify` on a connection of the publishing thread's own (autocommit);
  another thread LISTENs on a second connection (psycopg).
- Redis: PUBLISH from the publishing thread; another thread SUBSCRIBEs (redis-py).

Both listening threads reconnect with capped exponential backoff, and ignore the hints
their own process sent (its listeners were already called in-process).
"""

from __future__ import annotations

import functools
import logging
import random
import secrets
import threading
from typing import Any

import orjson
import psycopg
import redis
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from polytask.core.db import after_commit, is_sqlite
from polytask.core.settings import Settings
from polytask.domain.events import bus
from polytask.domain.events.bus import Hint

log = logging.getLogger("polytask.events.transport")

BACKOFF_FIRST = 0.2
BACKOFF_MAX = 10.0
# How long a listening thread blocks before it looks at its stop flag.
TICK_SECONDS = 0.5
CONNECT_TIMEOUT = 5
# At most one published hint per this many seconds: the first hint after a quiet moment goes
# out at once, those that follow within it are merged into one. Each message wakes every
# listening process (and, on PostgreSQL, a server process per listener); under a stream of
# writes one per commit cost about a tenth of a one-task create (docs/performance.md).
PUBLISH_EVERY = 0.01


def choose(settings: Settings, database_url: str) -> str:
    """The transport this configuration asks for: "redis", "postgres" or "memory"."""
    mode = settings.event_bus
    postgres = not is_sqlite(database_url) and make_url(database_url).get_backend_name() == "postgresql"
    if mode == "redis" and not settings.redis_url:
        raise ValueError("POLYTASK_EVENT_BUS=redis needs POLYTASK_REDIS_URL")
    if mode == "postgres" and not postgres:
        raise ValueError("POLYTASK_EVENT_BUS=postgres needs a PostgreSQL POLYTASK_DATABASE_URL")
    if mode == "auto":
        return "redis" if settings.redis_url else "postgres" if postgres else "memory"
    return mode


def encode(origin: str, hint: Hint) -> str:
    return orjson.dumps({"origin": origin, "event": hint.last_event_id, "outbox": hint.outbox}).decode()


def decode(raw: str | bytes) -> tuple[str, Hint] | None:
    """(origin, hint), or None for a message that is not ours to read."""
    try:
        body = orjson.loads(raw)
        event = body.get("event")
        if event is not None and not isinstance(event, int):
            return None
        return str(body["origin"]), Hint(event, bool(body.get("outbox")))
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return None


class _Listening:
    """A daemon thread that keeps one subscription alive, reconnecting with backoff."""

    kind = "?"

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.origin = secrets.token_hex(8)
        self.connected = threading.Event()
        self.received = 0
        # Attempts to (re)subscribe that failed, and the kind of the last failure, for /readyz.
        self.failures = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._delay = BACKOFF_FIRST
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._spawn(self._listen_forever, f"polytask-bus-{self.kind}-listen")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=CONNECT_TIMEOUT + 2)

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _listen_forever(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                self._listen()
                return
            except Exception as exc:
                # One warning per outage: when an established subscription drops, or the first try fails.
                if self.connected.is_set() or first:
                    log.warning("event bus (%s) unavailable: %s; retrying with backoff", self.kind, exc)
                else:
                    log.debug("event bus (%s) still unavailable: %s", self.kind, exc)
                first = False
                self.failures += 1
                self.last_error = type(exc).__name__
                self.connected.clear()
                if self._stop.wait(self._delay * random.uniform(0.8, 1.2)):
                    return
                self._delay = min(self._delay * 2, BACKOFF_MAX)

    def _listening(self) -> None:
        """Called by `_listen` once subscribed: reset the backoff, and look for what was missed."""
        self._delay = BACKOFF_FIRST
        log.info("event bus (%s) listening on %s", self.kind, self.channel)
        bus.catch_up()
        self.connected.set()

    def _received(self, raw: str | bytes) -> None:
        decoded = decode(raw)
        if decoded is None:
            log.debug("event bus (%s): ignoring a message it cannot read", self.kind)
            return
        origin, hint = decoded
        if origin == self.origin:
            return
        self.received += 1
        bus.receive(hint)

    def _listen(self) -> None:
        raise NotImplementedError


class _Publishing(_Listening):
    """A listener that also publishes: hints are queued after the commit (merged with any not
    yet sent) and sent by a thread of its own, so the transport never holds up a request;
    at most one message goes out per PUBLISH_EVERY, so a burst of commits costs one."""

    def __init__(self, channel: str) -> None:
        super().__init__(channel)
        self._pending: Hint | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()

    def start(self) -> None:
        super().start()
        self._spawn(self._publish_forever, f"polytask-bus-{self.kind}-publish")

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=CONNECT_TIMEOUT + 2)
        self._close_publisher()

    def announce(self, session: Session, hint: Hint) -> None:
        after_commit(session, functools.partial(self.send, hint))

    def send(self, hint: Hint) -> None:
        """Queue a hint (merged with any not yet sent); never blocks on the transport."""
        with self._lock:
            self._pending = self._pending.merge(hint) if self._pending else hint
        self._wake.set()

    def _take(self) -> Hint | None:
        with self._lock:
            hint, self._pending = self._pending, None
            self._wake.clear()
            return hint

    def _publish_forever(self) -> None:
        delay = BACKOFF_FIRST
        failing = False
        while True:
            stopping = self._stop.is_set()
            if not stopping:
                self._wake.wait(TICK_SECONDS)
            hint = self._take()
            if hint is not None:
                try:
                    self._publish(encode(self.origin, hint))
                except (redis.RedisError, psycopg.Error, OSError) as exc:
                    if not failing:
                        log.warning(
                            "event bus (%s): publishing failed: %s; hints wait for it to come back", self.kind, exc
                        )
                    failing = True
                    self._close_publisher()
                    if not stopping:
                        self.send(hint)  # merged with newer hints and tried again after the backoff
                        self._stop.wait(delay * random.uniform(0.8, 1.2))
                        delay = min(delay * 2, BACKOFF_MAX)
                else:
                    failing, delay = False, BACKOFF_FIRST
                    if not stopping:
                        # Hints of the next moment wait for it and go out as one message.
                        self._stop.wait(PUBLISH_EVERY)
            if stopping:
                return

    def _publish(self, message: str) -> None:
        raise NotImplementedError

    def _close_publisher(self) -> None:
        raise NotImplementedError


class PostgresTransport(_Publishing):
    """NOTIFY after the commit, from a thread and a connection of its own; LISTEN on another.

    The NOTIFY once ran inside every committing transaction: a round trip more for each
    write, and the wake-up of every listening connection (this process's own included) for
    each commit, about a tenth of a one-task create's CPU (docs/performance.md, session 33).
    Sent afterwards, a burst of commits goes out as one hint."""

    kind = "postgres"

    def __init__(self, database_url: str, channel: str) -> None:
        super().__init__(channel)
        self.conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._publisher: psycopg.Connection[Any] | None = None

    def _connect(self, application_name: str) -> psycopg.Connection[Any]:
        return psycopg.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            application_name=application_name,
        )

    def _publish(self, message: str) -> None:
        if self._publisher is None or self._publisher.closed:
            self._publisher = self._connect("polytask-event-bus-publish")
        self._publisher.execute("SELECT pg_notify(%s, %s)", (self.channel, message))

    def _close_publisher(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            publisher.close()

    def _listen(self) -> None:
        with self._connect("polytask-event-bus") as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._listening()
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=TICK_SECONDS):
                    self._received(notify.payload)


class RedisTransport(_Publishing):
    """PUBLISH after the commit from a thread of its own; SUBSCRIBE on another connection."""

    kind = "redis"

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(channel)
        self.url = url
        self._publisher = self._client(socket_timeout=2)

    def _client(self, *, socket_timeout: float | None, health_check_interval: int = 0) -> redis.Redis:
        # No retries inside redis-py: these threads retry with their own backoff.
        return redis.Redis.from_url(
            self.url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=socket_timeout,
            socket_keepalive=True,
            health_check_interval=health_check_interval,
            retry=Retry(NoBackoff(), 0),
        )

    def _publish(self, message: str) -> None:
        self._publisher.publish(self.channel, message)

    def _close_publisher(self) -> None:
        # redis-py's client reconnects by itself on the next command; closing drops a broken socket.
        self._publisher.close()

    def _listen(self) -> None:
        client = self._client(socket_timeout=None, health_check_interval=10)
        pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self.channel)
            self._listening()
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=TICK_SECONDS)
                if message is not None and message.get("type") == "message":
                    self._received(message["data"])
        finally:
            pubsub.close()
            client.close()


class Running:
    """The transport this process installed; `stop()` removes it."""

    def __init__(self, mode: str, transport: PostgresTransport | RedisTransport | None) -> None:
        self.mode = mode
        self.transport = transport

    def status(self) -> dict[str, str]:
        """What /readyz shows: the transport and whether its listener is subscribed.

        `connected`; `connecting` before the first subscription; `reconnecting` after a
        failed try or a lost subscription (with the failure's kind in `error`); `in_process`
        for memory mode, where there is nothing to connect.
        """
        listener = self.transport
        if listener is None:
            return {"transport": self.mode, "state": "in_process"}
        if listener.connected.is_set():
            return {"transport": self.mode, "state": "connected"}
        if listener.failures == 0:
            return {"transport": self.mode, "state": "connecting"}
        return {"transport": self.mode, "state": "reconnecting", "error": listener.last_error or "unknown"}

    def stop(self) -> None:
        if self.transport is not None:
            bus.set_transport(None)
            self.transport.stop()


def start(settings: Settings, database_url: str) -> Running:
    """Install and start this process's transport (none in memory mode)."""
    mode = choose(settings, database_url)
    transport: PostgresTransport | RedisTransport | None = None
    if mode == "redis":
        assert settings.redis_url is not None
        transport = RedisTransport(settings.redis_url, settings.event_bus_channel)
    elif mode == "postgres":
        transport = PostgresTransport(database_url, settings.event_bus_channel)
    if transport is not None:
        bus.set_transport(transport)
        transport.start()
    log.info("event bus: %s", mode)
    return Running(mode, transport)
