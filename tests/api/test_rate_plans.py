"""Rate-limit plans (core/rateplans.py): a key's own plan, burst, monthly quota, per-surface
defaults, headers on every kind of response, and the in-flight cap shared through Redis."""

from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from polytask.api.ratelimit import month_bounds
from polytask.core.db import Database
from polytask.core.keycache import KEYS
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import create_api_key
from polytask.models import User
from tests.api.taskforce.client import basic
from tests.api.test_rate_limits import POLYTASK, Serve, _server, _server_env, app_with
from tests.factories.people import Person, make_person

PLANS = json.dumps({"small": {"per_minute": 3}, "bursty": {"per_minute": 100, "burst": 2}})


def key_on_plan(db: Database, person: Person, plan: str | None) -> str:
    with db.unit_of_work() as session:
        user = session.get(User, person.user_id)
        assert user is not None
        return create_api_key(session, None, user=user, rate_plan=plan).secret


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def redis_url() -> str:
    url = os.environ.get("POLYTASK_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Redis: run the suite through `make test` (scripts/with-redis.sh)")
        pytest.skip("needs POLYTASK_TEST_REDIS_URL (scripts/with-redis.sh starts a server)")
    return url


def test_a_key_on_a_plan_gets_the_plans_limits(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db)
    small = key_on_plan(db, alice, "small")
    app = app_with(settings, db, rate_plans=PLANS, rate_limit_per_minute=50, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        first = [c.get("/v1/me", headers=bearer(small)) for _ in range(4)]
        # Even the first request, before this process knew the key's plan, is counted in the plan.
        assert [r.headers["x-ratelimit-limit"] for r in first] == ["3"] * 4
        assert [r.status_code for r in first] == [200, 200, 200, 429]
        assert [r.headers["x-ratelimit-remaining"] for r in first] == ["2", "1", "0", "0"]
        assert first[3].json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        # The same user's key without a plan is on the default plan, in a bucket of its own.
        other = c.get("/v1/me", headers=alice.headers)
        assert other.status_code == 200
        assert other.headers["x-ratelimit-limit"] == "50"


def test_burst_is_a_one_second_window(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db)
    key = key_on_plan(db, alice, "bursty")
    app = app_with(settings, db, rate_plans=PLANS, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        c.get("/v1/me", headers=bearer(key))  # the process learns the key's plan
        # A window opens with its first request and lasts a second. Three requests sent and
        # answered within one second of the client's clock all fell in one window (the server
        # saw them inside that span), so only then is the third's refusal certain. A loaded
        # machine may be slower than that: such a try shows that a request in a new window is
        # served, and the test tries again, until a generous deadline.
        deadline = time.monotonic() + 60
        while True:
            time.sleep(1.1)  # whatever window the last request opened is over (longer is fine)
            started = time.monotonic()
            responses = [c.get("/v1/me", headers=bearer(key)) for _ in range(3)]
            within_one_window = time.monotonic() - started < 1.0
            statuses = [r.status_code for r in responses]
            assert statuses in ([200, 200, 429], [200, 200, 200]), statuses
            if within_one_window:
                break
            assert time.monotonic() < deadline, "in 60 s, never three requests answered within one second"
        assert statuses == [200, 200, 429]
        assert [r.headers["x-ratelimit-limit"] for r in responses] == ["2", "2", "2"]
        assert responses[2].headers["retry-after"] == "1"
        time.sleep(1.1)  # at least a second after the window opened (longer is fine)
        assert c.get("/v1/me", headers=bearer(key)).status_code == 200  # a new window


def test_monthly_quota(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    second_key = key_on_plan(db, alice, None)
    app = app_with(settings, db, rate_limit_monthly_quota=3, rate_limit_concurrency=0)
    _, next_month = month_bounds(time.time())
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        served = [c.get("/v1/me", headers=alice.headers) for _ in range(3)]
        assert [r.status_code for r in served] == [200, 200, 200]
        assert [r.headers["x-quota-remaining"] for r in served] == ["2", "1", "0"]
        assert {r.headers["x-quota-limit"] for r in served} == {"3"}
        assert {r.headers["x-quota-reset"] for r in served} == {str(next_month)}
        refused = c.get("/v1/me", headers=alice.headers)
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert error["code"] == "QUOTA_EXCEEDED"
        assert refused.headers["x-quota-remaining"] == "0"
        assert int(refused.headers["retry-after"]) == pytest.approx(next_month - time.time(), abs=5)
        # The rate windows still answer: the request was within them.
        assert int(refused.headers["x-ratelimit-remaining"]) > 0
        # The quota is the user's, whichever key: a second key is refused once the process knows it.
        assert c.get("/v1/me", headers=bearer(second_key)).headers["x-quota-remaining"] == "0"
        assert c.get("/v1/me", headers=bearer(second_key)).json()["error"]["code"] == "QUOTA_EXCEEDED"
        # Taskforce answers in its own shape (Basic is another credential to this process: the
        # first request shows who it is, and is served).
        assert c.get("/api/v1/user.json", headers=basic(alice.email, alice.key)).status_code == 200
        tf = c.get("/api/v1/user.json", headers=basic(alice.email, alice.key))
        assert tf.status_code == 429
        assert tf.json()["success"] is False
        assert tf.json()["code"] == "QUOTA_EXCEEDED"
        # Another user is untouched.
        assert c.get("/v1/me", headers=bob.headers).headers["x-quota-remaining"] == "2"


def test_month_bounds() -> None:
    dec = datetime(2026, 12, 31, 23, 59, tzinfo=UTC).timestamp()
    assert month_bounds(dec) == ("2026-12", int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()))
    feb = datetime(2028, 2, 29, 12, tzinfo=UTC).timestamp()
    assert month_bounds(feb) == ("2028-02", int(datetime(2028, 3, 1, tzinfo=UTC).timestamp()))


def test_surface_defaults_by_path_prefix(serve_app: Serve, settings: Settings, db: Database) -> None:
    plans = {
        "taskip": {"per_minute": 2, "per_hour": 50},
        "taskflow": {"per_minute": 0, "per_hour": 7},
        "taskflow-anonymous": {"per_minute": 0, "per_hour": 4},
    }
    alice = make_person(db)
    app = app_with(settings, db, rate_plans=json.dumps(plans), rate_limit_per_minute=30, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        # TaskIP (/api/public-v1): not built yet, but its spec's plan already applies (2/min here).
        ip = [c.get("/api/public-v1/clients", headers={"X-Secret-Key": "some-key"}) for _ in range(3)]
        assert [r.headers["x-ratelimit-limit"] for r in ip] == ["2", "2", "2"]
        assert [r.status_code for r in ip] == [404, 404, 429]
        # TaskFlow (/api): per hour, and a separate plan per address without credentials.
        flow = c.get("/api/projects", headers=alice.headers)
        assert flow.headers["x-ratelimit-limit"] == "7"
        anonymous = c.get("/api/projects")
        assert anonymous.headers["x-ratelimit-limit"] == "4"
        assert int(anonymous.headers["x-ratelimit-reset"]) - time.time() > 60
        # Taskforce (/api/v1, also /api/v1.json) and /v1 keep the default plan.
        assert c.get("/api/v1/user.json", headers=basic(alice.email, alice.key)).headers["x-ratelimit-limit"] == "30"
        assert c.get("/api/v1.json").headers["x-ratelimit-limit"] == "30"
        assert c.get("/v1/me", headers=alice.headers).headers["x-ratelimit-limit"] == "30"
        # So does the OAuth server; discovery and health are not limited.
        assert c.post("/oauth/token", data={"grant_type": "client_credentials"}).headers["x-ratelimit-limit"] == "30"
        assert "x-ratelimit-limit" not in c.get("/healthz").headers


def test_headers_on_every_kind_of_response(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db)
    app = app_with(settings, db, rate_limit_per_minute=100, rate_limit_concurrency=0)

    @app.get("/v1/test-only/boom", include_in_schema=False)
    async def boom() -> dict[str, str]:
        raise RuntimeError("a bug")

    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        responses: dict[int, httpx.Response] = {
            200: c.get("/v1/me", headers=alice.headers),
            401: c.get("/v1/me"),
            404: c.get("/v1/tasks/task_999", headers=alice.headers),
            405: c.delete("/v1/me", headers=alice.headers),
            422: c.post("/v1/workspaces", headers=alice.headers, json={"name": ""}),
            500: c.get("/v1/test-only/boom", headers=alice.headers),
        }
        for status, r in responses.items():
            assert r.status_code == status, r.text
            assert r.headers["x-ratelimit-limit"] == "100", status
            assert int(r.headers["x-ratelimit-remaining"]) < 100
            assert int(r.headers["x-ratelimit-reset"]) >= int(time.time())
        assert responses[500].json()["error"]["code"] == "INTERNAL_ERROR"
        assert responses[500].headers["x-request-id"] == responses[500].json()["error"]["request_id"]


def test_unknown_plan_in_configuration_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        Settings(rate_plans='{"gold": {"per_minit": 5}}')
    with pytest.raises(ValueError, match="non-negative integer"):
        Settings(rate_plans='{"gold": {"per_minute": -1}}')


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(POLYTASK), *args], env=env, capture_output=True, text=True, timeout=60)


def test_cli_puts_keys_on_configured_plans(serve_app: Serve, settings: Settings, db: Database, tmp_path: Path) -> None:
    alice = make_person(db)
    env = _server_env(settings, tmp_path, POLYTASK_RATE_PLANS=PLANS)
    refused = _cli(env, "api-keys", "create", "--user", alice.email, "--plan", "platinum")
    assert refused.returncode != 0
    assert "unknown plan" in refused.stderr + refused.stdout
    made = _cli(env, "api-keys", "create", "--user", alice.email, "--plan", "small")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    app = app_with(settings, db, rate_plans=PLANS, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        assert c.get("/v1/me", headers=bearer(key)).headers["x-ratelimit-limit"] == "3"
        listed = c.get("/v1/api-keys", headers=bearer(key)).json()["data"][-1]
        key_id = listed["id"]
        assert listed["attributes"]["rate_plan"] == "small"
        moved = _cli(env, "api-keys", "set-plan", key_id, "bursty")
        assert moved.returncode == 0, moved.stderr
        # Another process changed the key: this server sees it when its cached entry expires
        # (POLYTASK_API_KEY_CACHE_SECONDS, docs/security.md). Expire it now.
        KEYS.clear()
        assert c.get("/v1/me", headers=bearer(key)).status_code == 200  # still counted under the old plan
        assert c.get("/v1/me", headers=bearer(key)).headers["x-ratelimit-limit"] == "2"  # the burst
        assert _cli(env, "api-keys", "set-plan", key_id, "nope").returncode != 0
        back = _cli(env, "api-keys", "set-plan", key_id, "default")
        assert back.returncode == 0, back.stderr
        assert back.stdout.strip() == f"{key_id}: default"
        KEYS.clear()
        c.get("/v1/me", headers=bearer(key))
        assert c.get("/v1/me", headers=bearer(key)).headers["x-ratelimit-limit"] == "1000000"
        assert c.get(f"/v1/api-keys/{key_id}", headers=bearer(key)).json()["data"]["attributes"]["rate_plan"] is None


def test_two_processes_keep_a_plan_within_one_percent(settings: Settings, db: Database, tmp_path: Path) -> None:
    url = redis_url()
    alice = make_person(db)
    key = key_on_plan(db, alice, "hourly")
    env = _server_env(
        settings,
        tmp_path,
        POLYTASK_REDIS_URL=url,
        POLYTASK_RATE_PLANS=json.dumps({"hourly": {"per_hour": 150}}),
        POLYTASK_RATE_LIMIT_CONCURRENCY="0",
    )
    with _server(env) as (one, _), _server(env) as (two, _):
        bases = [one, two]

        def call(n: int) -> tuple[int, str | None]:
            r = httpx.get(f"{bases[n % 2]}/v1/me", headers=bearer(key), timeout=30)
            return r.status_code, r.headers.get("x-ratelimit-limit")

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(call, range(300)))
    statuses = [status for status, _ in results]
    # Within 1%; the windows are exact, and a process's first sight of the key counts in the plan.
    assert 150 <= statuses.count(200) <= 151, statuses.count(200)
    assert statuses.count(200) + statuses.count(429) == 300
    assert {limit for _, limit in results} == {"150"}


def test_in_flight_cap_is_shared_through_redis(settings: Settings, db: Database, tmp_path: Path) -> None:
    url = redis_url()
    alice = make_person(db)
    env = _server_env(
        settings,
        tmp_path,
        POLYTASK_REDIS_URL=url,
        POLYTASK_RATE_LIMIT_CONCURRENCY="2",
        # A stream notices a departed client when it next writes.
        POLYTASK_EVENTS_HEARTBEAT_SECONDS="1",
    )
    with _server(env) as (one, _), _server(env) as (two, _):
        # An event stream holds its request open: one on each process fills the two slots.
        with (
            httpx.Client(timeout=30) as c1,
            httpx.Client(timeout=30) as c2,
            c1.stream("GET", f"{one}/v1/events/stream", headers=alice.headers) as s1,
            c2.stream("GET", f"{two}/v1/events/stream", headers=alice.headers) as s2,
        ):
            assert (s1.status_code, s2.status_code) == (200, 200)
            for base in (one, two):
                r = httpx.get(f"{base}/v1/me", headers=alice.headers, timeout=30)
                assert r.status_code == 429
                assert r.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
                assert "at once" in r.json()["error"]["message"]
                assert r.headers["retry-after"] == "1"
        # Closed streams give their slots back (once the server notices the client left).
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline:
            status = httpx.get(f"{one}/v1/me", headers=alice.headers, timeout=30).status_code
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200


def test_an_oauth_clients_plan_applies_to_its_tokens(
    serve_app: Serve, settings: Settings, db: Database, tmp_path: Path
) -> None:
    from tests.oauth.flow import register, token_request

    owner = make_person(db)
    app = app_with(settings, db, rate_plans=PLANS, rate_limit_concurrency=0)
    env = _server_env(settings, tmp_path, POLYTASK_RATE_PLANS=PLANS)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        oauth_app = register(c, owner)
        assert _cli(env, "oauth-clients", "set-plan", oauth_app.client_id, "gold").returncode != 0
        moved = _cli(env, "oauth-clients", "set-plan", oauth_app.client_id, "small")
        assert moved.returncode == 0, moved.stderr
        token = token_request(c, oauth_app, grant_type="client_credentials").json()["access_token"]
        responses = [c.get("/v1/me", headers=bearer(token)) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert {r.headers["x-ratelimit-limit"] for r in responses} == {"3"}


def test_a_signed_in_browser_is_counted_as_itself_on_the_authenticated_plan(
    serve_app: Serve, settings: Settings, db: Database
) -> None:
    plans = {"taskflow": {"per_minute": 0, "per_hour": 7}, "taskflow-anonymous": {"per_minute": 0, "per_hour": 4}}
    alice = make_person(db, password="correct horse battery")
    bob = make_person(db, password="correct horse battery")
    app = app_with(settings, db, rate_plans=json.dumps(plans), session_cookie_secure=False)
    with serve_app(app) as base:
        browsers = [httpx.Client(base_url=base), httpx.Client(base_url=base)]
        for browser, person in zip(browsers, (alice, bob), strict=True):
            login = browser.post(
                "/api/auth/login", json={"username": person.email, "password": "correct horse battery"}
            )
            assert login.status_code == 200, login.text
            assert login.headers["x-ratelimit-limit"] == "4"  # no session yet: the address's plan
        first = [browsers[0].get("/api/auth/me") for _ in range(3)]
        assert [r.status_code for r in first] == [200, 200, 200]
        assert [r.headers["x-ratelimit-limit"] for r in first] == ["7", "7", "7"]
        assert [r.headers["x-ratelimit-remaining"] for r in first] == ["6", "5", "4"]
        # Another session has a bucket of its own, and the address's bucket is untouched by both.
        other = browsers[1].get("/api/auth/me")
        assert (other.headers["x-ratelimit-limit"], other.headers["x-ratelimit-remaining"]) == ("7", "6")
        anonymous = httpx.get(f"{base}/api/auth/me")
        assert anonymous.status_code == 401
        assert (anonymous.headers["x-ratelimit-limit"], anonymous.headers["x-ratelimit-remaining"]) == ("4", "1")
        for browser in browsers:
            browser.close()
