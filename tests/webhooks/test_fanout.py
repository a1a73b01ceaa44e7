"""Processes hear each other's commits through the event bus (Redis pub/sub or PostgreSQL
LISTEN/NOTIFY), and only their own in memory mode.

Every process here polls the database only every 10 minutes, so an arrival within 20 s
(generous for a loaded machine; the bus usually takes milliseconds) can only come from the
bus. Servers and workers are real `polytask` processes on 127.0.0.1.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.events import bus, transport
from polytask.domain.events.bus import Hint
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook, sse
from tests.webhooks.receiver import Receiver, wait_for
from tests.webhooks.test_crash import POLYTASK, _env, free_port, server

POLL = "600"  # long enough that only the bus explains a prompt arrival
PROMPT = 20.0  # seconds; the bus usually takes milliseconds, the machine may be busy
POSTGRES = os.environ.get("POLYTASK_TEST_DB", "sqlite") == "postgres"


def redis_url() -> str:
    url = os.environ.get("POLYTASK_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Redis: run the suite through `make test` (scripts/with-redis.sh)")
        pytest.skip("needs POLYTASK_TEST_REDIS_URL (scripts/with-redis.sh starts a server)")
    return url


def bus_env(database_url: str, home: Path, mode: str, **extra: str) -> dict[str, str]:
    env = _env(database_url, home)
    env.update(
        POLYTASK_EVENT_BUS=mode,
        POLYTASK_EVENT_BUS_CHANNEL=f"polytask_test_{secrets.token_hex(4)}",  # no cross-talk between tests
        POLYTASK_EVENTS_POLL_SECONDS=POLL,
        POLYTASK_WEBHOOK_POLL_SECONDS=POLL,
        **extra,
    )
    if mode == "redis":
        env["POLYTASK_REDIS_URL"] = redis_url()
    return env


def api(port: int) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)


def created_through(port: int, owner: Person, project: str, name: str) -> tuple[str, float]:
    """Create a task through the server on `port`; (its id, when the commit was answered)."""
    with api(port) as c:
        task = make_task(c, owner, project, name=name)
    return str(task["id"]), time.monotonic()


def arrives(events: queue.Queue[dict[str, str]], task_id: str, *, within: float) -> float:
    """Seconds until the stream shows `task_id`'s creation; fails after `within`."""
    started = time.monotonic()
    while (left := within - (time.monotonic() - started)) > 0:
        try:
            got = events.get(timeout=left)
        except queue.Empty:
            break
        if got.get("event") == "task.created" and orjson.loads(got["data"])["attributes"]["resource_id"] == task_id:
            return time.monotonic() - started
    raise AssertionError(f"{task_id} did not reach the stream within {within}s")


# (a) and (b): a stream on server B hears a task created through server A.
@pytest.mark.parametrize("mode", ["redis", "postgres"])
def test_a_stream_on_one_server_hears_a_commit_on_another(
    mode: str, db: Database, database_url: str, tmp_path: Path
) -> None:
    if mode == "postgres" and not POSTGRES:
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (POLYTASK_TEST_DB=postgres)")
    alice = make_person(db)
    env = bus_env(database_url, tmp_path, mode, POLYTASK_WEBHOOK_DISPATCHER="false")
    a, b = free_port(), free_port()
    with server(env, a), server(env, b):
        with api(a) as c:
            project = make_project(c, alice, name="Shared")
        with sse(f"http://127.0.0.1:{b}", alice.headers, project_id=project) as live:
            # B's own commit first: afterwards its stream waits, and only a hint wakes it early.
            first, _ = created_through(b, alice, project, "through B")
            arrives(live.events, first, within=PROMPT)
            for n in range(3):
                task_id, _ = created_through(a, alice, project, f"through A {n}")
                arrives(live.events, task_id, within=PROMPT)


# (c): a separate `polytask worker` delivers a webhook for a task created through the server.
@pytest.mark.parametrize("mode", ["redis", "postgres"])
def test_a_separate_worker_delivers_promptly(
    mode: str, db: Database, database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    if mode == "postgres" and not POSTGRES:
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (POLYTASK_TEST_DB=postgres)")
    alice = make_person(db)
    env = bus_env(database_url, tmp_path, mode, POLYTASK_WEBHOOK_DISPATCHER="false")
    port = free_port()
    with ExitStack() as stack:
        stack.enter_context(server(env, port))
        worker = stack.enter_context(_worker(env))
        with api(port) as c:
            make_webhook(c, alice, receiver.url, events=["task.created"])
            project = make_project(c, alice)
        for n in range(3):
            task_id, committed = created_through(port, alice, project, f"T{n}")
            wait_for(
                lambda task_id=task_id: any(r.json["data"]["task"]["id"] == task_id for r in receiver.requests),  # type: ignore[misc]
                timeout=PROMPT,
                what=f"the worker's delivery of {task_id}",
            )
            arrived = next(r.at for r in receiver.requests if r.json["data"]["task"]["id"] == task_id)
            assert arrived - committed < PROMPT
        assert worker.poll() is None


@contextmanager
def _worker(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [str(POLYTASK), "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the dispatcher runs
        assert line.startswith("Delivering webhooks as"), line + (proc.stderr.read() if proc.stderr else "")
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=20) == 0
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("the worker did not stop on SIGTERM")


# (d): memory mode hears its own commits at once, and another process's only when polling.
def test_memory_mode_hears_its_own_process_only(db: Database, database_url: str, tmp_path: Path) -> None:
    alice = make_person(db)
    env = bus_env(database_url, tmp_path, "memory", POLYTASK_WEBHOOK_DISPATCHER="false")
    a, b = free_port(), free_port()
    with server(env, a), server(env, b):
        with api(a) as c:
            project = make_project(c, alice, name="Local")
        with sse(f"http://127.0.0.1:{b}", alice.headers, project_id=project) as live:
            # First B's own commit, so that the stream has read the database and now waits.
            first, _ = created_through(b, alice, project, "through B")
            arrives(live.events, first, within=PROMPT)
            remote, _ = created_through(a, alice, project, "through A")
            with pytest.raises(queue.Empty):  # A's commit does not wake B's stream
                live.events.get(timeout=2.0)
            local, _ = created_through(b, alice, project, "through B again")
            # B's own commit wakes its stream, which then reads both from the database.
            got = [live.next(timeout=PROMPT), live.next(timeout=PROMPT)]
    assert [orjson.loads(e["data"])["attributes"]["resource_id"] for e in got] == [remote, local]


def test_memory_mode_embedded_dispatcher_delivers_promptly(
    db: Database, database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    alice = make_person(db)
    env = bus_env(database_url, tmp_path, "memory")
    port = free_port()
    with server(env, port):
        with api(port) as c:
            make_webhook(c, alice, receiver.url, events=["task.created"])
            project = make_project(c, alice)
        task_id, _ = created_through(port, alice, project, "one")
        wait_for(lambda: len(receiver.requests) == 1, timeout=PROMPT, what="the embedded delivery")
    assert receiver.requests[0].json["data"]["task"]["id"] == task_id


# Configuration and reconnection, with the transport in this process.
def test_the_choice_of_transport(settings: Settings) -> None:
    pg, lite = "postgresql+psycopg://u:p@127.0.0.1/x", "sqlite:///x.db"
    with_redis = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1"})
    assert transport.choose(settings, lite) == "memory"
    assert transport.choose(settings, pg) == "postgres"
    assert transport.choose(with_redis, pg) == "redis"
    assert transport.choose(with_redis.model_copy(update={"event_bus": "memory"}), pg) == "memory"
    assert transport.choose(with_redis.model_copy(update={"event_bus": "postgres"}), pg) == "postgres"
    with pytest.raises(ValueError, match="needs POLYTASK_REDIS_URL"):
        transport.choose(settings.model_copy(update={"event_bus": "redis"}), pg)
    with pytest.raises(ValueError, match="needs a PostgreSQL"):
        transport.choose(settings.model_copy(update={"event_bus": "postgres"}), lite)


def test_a_server_refuses_a_transport_it_cannot_have(database_url: str, tmp_path: Path) -> None:
    env = _env(database_url, tmp_path, POLYTASK_EVENT_BUS="redis")
    env.pop("POLYTASK_REDIS_URL", None)
    proc = subprocess.run(
        [str(POLYTASK), "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "POLYTASK_EVENT_BUS=redis needs POLYTASK_REDIS_URL" in proc.stderr


@contextmanager
def _heard() -> Iterator[queue.Queue[list[int]]]:
    got: queue.Queue[list[int]] = queue.Queue()
    bus.subscribe(got.put)
    try:
        yield got
    finally:
        bus.unsubscribe(got.put)


def _drain(q: queue.Queue[list[int]]) -> None:
    while not q.empty():
        q.get_nowait()


class _OwnRedis:
    """A redis-server of this test's own on 127.0.0.1, so that it can be killed and restarted."""

    def __init__(self, port: int, home: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        self.args += ["--dir", str(home)]
        self.url = f"redis://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), timeout=10, what="redis-server")
        client.close()

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def publish(self, channel: str, message: str) -> None:
        client = redis.Redis.from_url(self.url)
        try:
            client.publish(channel, message)
        finally:
            client.close()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


OTHER = transport.encode("another-process", Hint(41, outbox=False))


def test_redis_listener_reconnects_after_redis_goes_away(settings: Settings, tmp_path: Path) -> None:
    server_ = _OwnRedis(free_port(), tmp_path)
    tuned = settings.model_copy(update={"redis_url": server_.url, "event_bus_channel": "polytask_reconnect"})
    with _heard() as heard, ExitStack() as stack:
        stack.callback(server_.kill)
        server_.start()
        running = transport.start(tuned, settings.effective_database_url)
        stack.callback(running.stop)
        listener = running.transport
        assert isinstance(listener, transport.RedisTransport)
        assert listener.connected.wait(10)
        _drain(heard)
        server_.publish("polytask_reconnect", OTHER)
        assert heard.get(timeout=PROMPT) == [41]
        server_.kill()
        wait_for(lambda: not listener.connected.is_set(), timeout=10, what="the loss to be noticed")
        # What a request thread does after its commit: it must not wait for the absent Redis.
        # The call only queues; the bound is ten seconds (it was 0.1 s, which a loaded machine
        # can miss), far from anything a queued hint takes and still short of forever.
        sender = threading.Thread(target=listener.send, args=(Hint(7, outbox=True),), daemon=True)
        sender.start()
        sender.join(timeout=10)
        assert not sender.is_alive(), "a hint waited for the absent Redis"
        server_.start()
        assert listener.connected.wait(20), "no reconnection"
        assert heard.get(timeout=PROMPT) == []  # the catch-up: look for what was missed
        server_.publish("polytask_reconnect", OTHER)
        assert heard.get(timeout=PROMPT) == [41]


def test_postgres_listener_reconnects_after_its_connection_is_killed(settings: Settings, database_url: str) -> None:
    if not POSTGRES:
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (POLYTASK_TEST_DB=postgres)")
    tuned = settings.model_copy(update={"event_bus": "postgres", "event_bus_channel": "polytask_reconnect"})
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with _heard() as heard, psycopg.connect(conninfo, autocommit=True) as admin:
        running = transport.start(tuned, database_url)
        try:
            listener = running.transport
            assert isinstance(listener, transport.PostgresTransport)
            assert listener.connected.wait(10)
            _drain(heard)
            admin.execute("SELECT pg_notify('polytask_reconnect', %s)", (OTHER,))
            assert heard.get(timeout=PROMPT) == [41]
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = 'polytask-event-bus' AND datname = current_database()"
            ).fetchone()
            assert killed is not None
            assert killed[0] >= 1
            assert heard.get(timeout=20) == []  # reconnected, and caught up
            assert listener.connected.is_set()
            admin.execute("SELECT pg_notify('polytask_reconnect', %s)", (OTHER,))
            assert heard.get(timeout=PROMPT) == [41]
        finally:
            running.stop()


@pytest.mark.parametrize("mode", ["redis", "postgres"])
def test_a_burst_of_commits_goes_out_as_few_merged_hints(mode: str, settings: Settings, database_url: str) -> None:
    """Every commit hands its hint over; the publisher sends the first at once and merges what
    follows within PUBLISH_EVERY, so other processes hear the newest id in fewer messages."""
    if mode == "postgres" and not POSTGRES:
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (POLYTASK_TEST_DB=postgres)")
    channel = f"polytask_burst_{secrets.token_hex(4)}"
    newest = 200
    with ExitStack() as stack:
        if mode == "redis":
            url = redis_url()
            tuned = settings.model_copy(update={"redis_url": url, "event_bus_channel": channel})
            client = redis.Redis.from_url(url)
            stack.callback(client.close)
            pubsub = client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
            stack.callback(pubsub.close)
            pubsub.subscribe(channel)

            def heard_until_newest() -> list[dict[str, Any]]:
                heard: list[dict[str, Any]] = []
                deadline = time.monotonic() + PROMPT
                while time.monotonic() < deadline and not (heard and heard[-1]["event"] == newest):
                    message = pubsub.get_message(timeout=1)  # the subscription's confirmation reads as None
                    if message is not None:
                        heard.append(orjson.loads(message["data"]))
                return heard
        else:
            tuned = settings.model_copy(update={"event_bus": "postgres", "event_bus_channel": channel})
            conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
            peer = stack.enter_context(psycopg.connect(conninfo, autocommit=True))
            peer.execute(f"LISTEN {channel}")

            def heard_until_newest() -> list[dict[str, Any]]:
                heard: list[dict[str, Any]] = []
                for notify in peer.notifies(timeout=PROMPT):
                    heard.append(orjson.loads(notify.payload))
                    if heard[-1]["event"] == newest:
                        break
                return heard

        running = transport.start(tuned, database_url if mode == "postgres" else settings.effective_database_url)
        stack.callback(running.stop)
        sender = running.transport
        assert isinstance(sender, transport.PostgresTransport | transport.RedisTransport)
        assert sender.connected.wait(10)
        # A stream of commits a millisecond apart (each would otherwise go out alone: a publish
        # takes less than that); the rate bound must then hold whatever the spacing came to be.
        started = time.monotonic()
        for n in range(1, newest + 1):
            sender.send(Hint(n, outbox=n == 100))
            time.sleep(0.001)
        elapsed = time.monotonic() - started
        heard = heard_until_newest()
        assert heard, "no hint reached the peer"
        assert heard[-1]["event"] == newest, f"the newest id never arrived: {heard[-3:]}"
        assert all(h["origin"] == sender.origin for h in heard)
        ids = [h["event"] for h in heard]
        assert ids == sorted(ids)
        assert any(h["outbox"] for h in heard)  # the 100th hint's outbox flag survived the merge
        # The first goes out at once, then at most one per PUBLISH_EVERY (and the last, merged).
        bound = elapsed / transport.PUBLISH_EVERY + 2
        assert len(heard) <= bound, f"{len(heard)} messages for {newest} hints in {elapsed:.3f} s"
