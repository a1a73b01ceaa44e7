"""Rate limits: headers everywhere, 429 with Retry-After, per credential and per address,
the in-flight cap, and counters shared between processes through Redis."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.factories.people import make_person

Serve = Callable[[ASGIApp], AbstractContextManager[str]]
POLYTASK = Path(sys.executable).with_name("polytask")


def app_with(settings: Settings, db: Database, **limits: Any) -> Any:
    return create_app(settings.model_copy(update=limits), db)


def test_every_v1_response_carries_the_headers(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    for r in (client.get("/v1/me", headers=alice.headers), client.get("/v1/me"), client.get("/v1/tasks/task_999")):
        assert r.headers["x-ratelimit-limit"] == "1000000"
        assert int(r.headers["x-ratelimit-remaining"]) > 0
        assert int(r.headers["x-ratelimit-reset"]) >= int(time.time())
    assert "x-ratelimit-limit" not in client.get("/healthz").headers


def test_limit_per_credential_then_429(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    app = app_with(settings, db, rate_limit_per_minute=5, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        remaining = [int(c.get("/v1/me", headers=alice.headers).headers["x-ratelimit-remaining"]) for _ in range(5)]
        assert remaining == [4, 3, 2, 1, 0]
        r = c.get("/v1/me", headers=alice.headers)
        assert r.status_code == 429
        error = r.json()["error"]
        assert error["code"] == "RATE_LIMIT_EXCEEDED"
        assert error["request_id"] == r.headers["x-request-id"]
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert error["details"]["retry_after"] == int(r.headers["retry-after"])
        assert r.headers["x-ratelimit-retry-after"] == r.headers["retry-after"]
        assert r.headers["x-ratelimit-remaining"] == "0"
        assert c.get("/v1/me", headers=bob.headers).status_code == 200  # a separate bucket


def test_a_known_key_that_stops_working_is_counted_by_address(
    serve_app: Serve, settings: Settings, db: Database
) -> None:
    """A key the process knows as valid, revoked: its next request is a 401 counted in the
    key's bucket, and the process then counts its requests in the client address's bucket
    (the headers of a known key go out without the limiter's own `send` wrapper)."""
    alice = make_person(db)
    app = app_with(settings, db, rate_limit_per_minute=100, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        assert c.get("/v1/me", headers=alice.headers).headers["x-ratelimit-remaining"] == "99"
        listed = c.get("/v1/api-keys", headers=alice.headers)
        assert listed.headers["x-ratelimit-remaining"] == "98"
        [key] = listed.json()["data"]
        revoked = c.delete(f"/v1/api-keys/{key['id']}", headers=alice.headers)
        assert revoked.status_code == 204, revoked.text
        assert revoked.headers["x-ratelimit-remaining"] == "97"
        refused = c.get("/v1/me", headers=alice.headers)
        assert refused.status_code == 401
        assert refused.headers["x-ratelimit-remaining"] == "96"  # still the key's bucket
        again = c.get("/v1/me", headers=alice.headers)
        assert again.status_code == 401
        assert again.headers["x-ratelimit-remaining"] == "99"  # the address's: its first request


def test_unauthenticated_requests_are_limited_per_address(serve_app: Serve, settings: Settings, db: Database) -> None:
    app = app_with(settings, db, rate_limit_per_minute=3, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        assert [c.get("/v1/workspaces").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_hourly_window(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db)
    app = app_with(settings, db, rate_limit_per_minute=100, rate_limit_per_hour=2, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        assert [c.get("/v1/me", headers=alice.headers).status_code for _ in range(3)] == [200, 200, 429]
        r = c.get("/v1/me", headers=alice.headers)
        assert r.headers["x-ratelimit-limit"] == "2"
        assert int(r.headers["retry-after"]) > 60  # the hour window, not the minute one


def test_in_flight_cap(serve_app: Serve, settings: Settings, db: Database) -> None:
    app = app_with(settings, db, rate_limit_concurrency=2)
    # The handler holds its slot until the test lets go: the two first requests are in flight
    # while the next three arrive, however slow the machine.
    entered: list[int] = []
    release = threading.Event()

    @app.get("/v1/test-only/slow", include_in_schema=False)
    async def slow() -> dict[str, str]:
        entered.append(1)
        await asyncio.to_thread(release.wait, 60)
        return {"status": "done"}

    with serve_app(app) as base:
        headers = {"Authorization": "Bearer same-credential"}

        def call(_: int) -> int:
            return httpx.get(f"{base}/v1/test-only/slow", headers=headers, timeout=90).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            held = [pool.submit(call, n) for n in range(2)]
            try:
                deadline = time.monotonic() + 30
                while len(entered) < 2:
                    assert time.monotonic() < deadline, "the first two requests never reached the handler"
                    time.sleep(0.01)
                refused = [call(n) for n in range(3)]
            finally:
                release.set()
            statuses = sorted([*refused, *(f.result() for f in held)])
        assert statuses == [200, 200, 429, 429, 429]
        assert call(0) == 200  # the slots are free again


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    proc = subprocess.Popen(
        [str(POLYTASK), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _server_env(settings: Settings, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYTASK_")}
    env.update(POLYTASK_HOME=str(tmp_path), POLYTASK_DATABASE_URL=settings.effective_database_url, **extra)
    return env


def test_two_processes_share_counters_through_redis(settings: Settings, db: Database, tmp_path: Path) -> None:
    redis_url = os.environ.get("POLYTASK_TEST_REDIS_URL")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Redis: run the suite through `make test` (scripts/with-redis.sh)")
        pytest.skip("needs POLYTASK_TEST_REDIS_URL (scripts/with-redis.sh starts a server)")
    alice = make_person(db)
    env = _server_env(
        settings,
        tmp_path,
        POLYTASK_REDIS_URL=redis_url,
        POLYTASK_RATE_LIMIT_PER_MINUTE="40",
        POLYTASK_RATE_LIMIT_CONCURRENCY="0",
    )
    with _server(env) as (one, _), _server(env) as (two, _):
        bases = [one, two]

        def call(n: int) -> tuple[int, str | None]:
            r = httpx.get(f"{bases[n % 2]}/v1/me", headers=alice.headers, timeout=30)
            return r.status_code, r.headers.get("x-ratelimit-limit")

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(call, range(120)))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 40, statuses
    assert statuses.count(429) == 80
    assert {limit for _, limit in results} == {"40"}


def test_several_workers_without_redis_warn(settings: Settings, db: Database, tmp_path: Path) -> None:
    make_person(db)  # not an empty database: no first-run admin is created
    env = _server_env(settings, tmp_path)
    with _server(env, "--workers", "2") as (_base, proc):
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert "WARNING: 2 worker processes but no POLYTASK_REDIS_URL" in stderr
