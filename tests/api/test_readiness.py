"""GET /readyz reports the event bus (POLYTASK_EVENT_BUS) beside the database: which
transport, and whether its listener is subscribed. A bus that is connecting or reconnecting
never makes readiness fail (docs/ARCHITECTURE.md, "How processes hear each other")."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.openapi_check import OpenAPIChecker
from tests.webhooks.receiver import wait_for
from tests.webhooks.test_crash import free_port
from tests.webhooks.test_fanout import _OwnRedis

POSTGRES = os.environ.get("POLYTASK_TEST_DB", "sqlite") == "postgres"


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        pass


@contextmanager
def served_with_lifespan(
    settings: Settings, db: Database, openapi: OpenAPIChecker, **changes: Any
) -> Iterator[httpx.Client]:
    """The app with its lifespan (which starts the event bus transport), served on loopback."""
    tuned = settings.model_copy(update={"webhook_dispatcher": False, **changes})
    server = _Server(uvicorn.Config(create_app(tuned, db), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start in time"
        assert thread.is_alive(), "the server stopped"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", timeout=30, event_hooks={"response": [openapi.check_response]}
    )
    try:
        yield client
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=15)


def bus_of(client: httpx.Client) -> dict[str, Any]:
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["database"]) == ("ok", "ok")
    bus: dict[str, Any] = r.json()["event_bus"]
    return bus


def test_without_a_bus_server_the_default_transport_is_reported(
    settings: Settings, db: Database, openapi: OpenAPIChecker
) -> None:
    with served_with_lifespan(settings, db, openapi, event_bus="auto", redis_url=None) as client:
        if POSTGRES:
            wait_for(lambda: bus_of(client)["state"] == "connected", what="LISTEN")
            assert bus_of(client) == {"transport": "postgres", "state": "connected"}
        else:
            assert bus_of(client) == {"transport": "memory", "state": "in_process"}


def test_the_test_server_without_lifespan_reports_no_transport(client: httpx.Client) -> None:
    assert bus_of(client) == {"transport": "none", "state": "not_started"}


@pytest.mark.parametrize("mode", ["auto", "redis"])
def test_redis_going_away_is_reported_but_readiness_holds(
    settings: Settings, db: Database, openapi: OpenAPIChecker, tmp_path: Path, mode: str
) -> None:
    redis_server = _OwnRedis(free_port(), tmp_path)
    redis_server.start()
    try:
        with served_with_lifespan(
            settings, db, openapi, event_bus=mode, redis_url=redis_server.url, event_bus_channel="polytask_readyz"
        ) as client:
            wait_for(lambda: bus_of(client)["state"] == "connected", what="the subscription")
            assert bus_of(client) == {"transport": "redis", "state": "connected"}
            redis_server.kill()
            wait_for(lambda: bus_of(client)["state"] == "reconnecting", what="the loss to be noticed")
            lost = bus_of(client)
            assert lost["transport"] == "redis"
            assert lost["error"]  # the kind of failure, e.g. ConnectionError
            redis_server.start()
            wait_for(lambda: bus_of(client)["state"] == "connected", timeout=30, what="the reconnection")
    finally:
        redis_server.kill()


def test_a_redis_that_never_answers_is_reported_as_reconnecting(
    settings: Settings, db: Database, openapi: OpenAPIChecker
) -> None:
    url = f"redis://127.0.0.1:{free_port()}"  # nothing listens there
    with served_with_lifespan(settings, db, openapi, event_bus="redis", redis_url=url) as client:
        wait_for(lambda: bus_of(client)["state"] == "reconnecting", what="the first failure")
        assert bus_of(client)["transport"] == "redis"
