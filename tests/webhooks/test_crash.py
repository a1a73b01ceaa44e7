"""Nothing is lost: the receiver is down, the server is killed with SIGKILL and restarted,
the receiver comes back, and every event arrives, each under a single id. Also `polytask
worker` delivering beside a server whose own dispatcher is off."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import WebhookDelivery
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook, sse
from tests.webhooks.receiver import Receiver, Reply, wait_for

POLYTASK = Path(sys.executable).parent / "polytask"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _env(database_url: str, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env.update(
        POLYTASK_DATABASE_URL=database_url,
        POLYTASK_HOME=str(home),
        POLYTASK_LOG_LEVEL="warning",
        POLYTASK_WEBHOOK_ALLOW_PRIVATE="true",
        POLYTASK_WEBHOOK_TIMEOUT_SECONDS="2",
        POLYTASK_WEBHOOK_POLL_SECONDS="0.2",
        POLYTASK_WEBHOOK_RETRY_SCHEDULE=",".join(["0.3", "0.5"] + ["1"] * 60),
        **extra,
    )
    return env


@contextmanager
def server(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [str(POLYTASK), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the server exited"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _attempted(db: Database) -> int:
    """Deliveries tried at least once (each try is recorded in its own transaction)."""
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).where(WebhookDelivery.attempts > 0)) or 0)


def _succeeded(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).where(WebhookDelivery.status == "succeeded")) or 0)


def test_kill_9_and_a_dead_receiver_lose_nothing(db: Database, database_url: str, tmp_path: Path) -> None:
    alice = make_person(db)
    receiver_port = free_port()  # nothing listens there yet
    receiver = Receiver(receiver_port)
    port = free_port()
    env = _env(database_url, tmp_path)
    with server(env, port) as first, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
        make_webhook(api, alice, receiver.url, events=["task.created", "task.deleted"])
        project = make_project(api, alice)
        tasks = [make_task(api, alice, project, name=f"T{n}")["id"] for n in range(20)]
        wait_for(lambda: _attempted(db) > 0, timeout=60, what="the dispatcher to try, and fail, some of them")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    receiver.start()
    try:
        with server(env, port), httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
            extra = make_task(api, alice, project, name="after the restart")["id"]
            assert api.delete(f"/v1/tasks/{tasks[0]}", headers=alice.headers).status_code == 204
            expected = {(t, "task.created") for t in [*tasks, extra]} | {(tasks[0], "task.deleted")}

            def arrived() -> set[tuple[str, str]]:
                return {(r.json["data"]["task"]["id"], r.json["event"]) for r in receiver.events()}

            wait_for(lambda: arrived() >= expected, timeout=60, what="every event")
            # Then until the server has recorded each as sent: nothing is left in its hands.
            wait_for(lambda: _succeeded(db) == len(expected), timeout=60, what="every delivery recorded")
    finally:
        receiver.stop()
    assert arrived() == expected
    ids_per_event: dict[tuple[str, str], set[str]] = defaultdict(set)
    for got in receiver.events():
        ids_per_event[(got.json["data"]["task"]["id"], got.json["event"])].add(got.json["id"])
        assert got.header("webhook-id") == got.json["id"]
    assert all(len(ids) == 1 for ids in ids_per_event.values()), ids_per_event


def test_polytask_worker_delivers_beside_a_server_without_a_dispatcher(
    client: httpx.Client, db: Database, database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.default = Reply(200)
    env = _env(database_url, tmp_path)
    alice = make_person(db)
    make_webhook(client, alice, receiver.url, events=["project.created"])
    make_project(client, alice, name="Queued before the worker starts")
    worker = subprocess.Popen([str(POLYTASK), "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(receiver.requests) == 1, timeout=30, what="the worker's delivery")
        # A new event reaches it by polling (it is another process).
        make_project(client, alice, name="Created while it runs")
        wait_for(lambda: len(receiver.requests) == 2, timeout=10, what="the second delivery")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            code = worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            pytest.fail("the worker did not stop on SIGTERM")
    assert code == 0
    assert [r.json["data"]["project"]["name"] for r in receiver.in_event_order()] == [
        "Queued before the worker starts",
        "Created while it runs",
    ]


def test_a_stream_client_resumes_across_a_server_kill_without_gaps(
    client: httpx.Client, db: Database, database_url: str, tmp_path: Path
) -> None:
    alice = make_person(db)
    project = make_project(client, alice, name="Live")
    port = free_port()
    env = _env(database_url, tmp_path, POLYTASK_WEBHOOK_DISPATCHER="false")
    base = f"http://127.0.0.1:{port}"
    seen: list[dict[str, object]] = []
    with server(env, port) as first, sse(base, alice.headers, project_id=project) as live:
        before = [make_task(client, alice, project, name=f"before {n}")["id"] for n in range(3)]
        seen += [orjson.loads(live.next()["data"]) for _ in range(3)]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert live.closed.wait(10), "the stream outlived its server"
    last_id = str(seen[-1]["id"])
    # Changes while no server streams (the test app writes to the same database).
    during = [make_task(client, alice, project, name=f"during {n}")["id"] for n in range(3)]
    with server(env, port), sse(base, {**alice.headers, "Last-Event-ID": last_id}, project_id=project) as resumed:
        after = make_task(client, alice, project, name="after")["id"]
        seen += [orjson.loads(resumed.next(timeout=10)["data"]) for _ in range(4)]
    assert [e["attributes"]["resource_id"] for e in seen] == [*before, *during, after]  # type: ignore[index]
    ids = [int(str(e["id"]).removeprefix("event_")) for e in seen]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
