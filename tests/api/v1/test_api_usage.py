"""API-usage accounting (/v1/analytics/api-usage): requests counted in memory by the request
id middleware, flushed into the api_usage buckets by worker/usage.py, read per workspace and
server-wide, and pruned by retention. Real HTTP on the real app; the recorder's clock is
fixed so that every request lands in one known minute."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.usage.recorder import UsageRecorder
from polytask.models.usage import LATENCY_BOUNDS_MS, ApiUsage
from polytask.worker.usage import UsageFlusher, flush_now, prune_usage_now
from tests.conftest import SurfaceCheck
from tests.factories.people import Person, join, make_person
from tests.oauth.flow import bearer, register, token_request

Serve = Callable[[ASGIApp], AbstractContextManager[str]]

# 2026-01-01T10:00:30Z: every request of a test lands in the 10:00 minute.
T0 = int(datetime(2026, 1, 1, 10, 0, 30, tzinfo=UTC).timestamp())
MINUTE = {"interval": "minute", "from": "2026-01-01T10:00:00Z", "to": "2026-01-01T10:05:00Z"}
USAGE = "/v1/analytics/api-usage"


@pytest.fixture
def served(
    serve_app: Serve, settings: Settings, db: Database, check_response: SurfaceCheck
) -> Iterator[tuple[Any, httpx.Client]]:
    """An app of its own with a small rate limit (6 a minute per credential) and a fixed clock."""
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 6, "rate_limit_concurrency": 0}), db)
    recorder: UsageRecorder = app.state.api_usage
    recorder.clock = lambda: T0
    with serve_app(app) as base, httpx.Client(base_url=base, event_hooks={"response": [check_response]}) as c:
        yield app, c


def _usage(c: httpx.Client, who: Person, **params: Any) -> httpx.Response:
    return c.get(USAGE, params={**MINUTE, **params}, headers=who.headers)


def _by_credential(document: dict[str, Any]) -> dict[tuple[str, str | None, str | None], dict[str, Any]]:
    rows = {}
    for item in document["data"]:
        a = item["attributes"]
        key = (a["surface"], a["api_key_id"], a["oauth_client_id"])
        assert key not in rows  # one bucket of the minute per (surface, key, client)
        rows[key] = a
    return rows


def _key_id(c: httpx.Client, who: Person) -> str:
    [key] = c.get("/v1/api-keys", headers=who.headers).json()["data"]
    return str(key["id"])


def test_requests_are_counted_per_key_client_surface_and_status(served: tuple[Any, httpx.Client], db: Database) -> None:
    app, c = served
    admin = make_person(db, role="admin")
    alice = make_person(db, bind_workspace=True)  # her key acts in her workspace only
    bob = make_person(db)
    alice_key, bob_key = _key_id(c, alice), _key_id(c, bob)  # one request each
    oauth_app = register(c, bob, scopes=["workspaces:read"])  # bob: 2
    token = token_request(c, oauth_app, grant_type="client_credentials").json()["access_token"]
    # The rate limiter's windows are calendar minutes of the real clock: alice's 7 requests
    # below must not straddle one (they take well under a second).
    if time.time() % 60 > 50:
        time.sleep(60.5 - time.time() % 60)
    started = time.perf_counter()
    for _ in range(3):
        assert c.get("/v1/me", headers=alice.headers).status_code == 200
    for _ in range(2):
        assert c.get("/v1/tasks/task_999999", headers=alice.headers).status_code == 404
    # Alice's 7th request of the minute is over her plan's 6: the rate limiter's 429.
    refused = c.get("/v1/me", headers=alice.headers)
    assert refused.status_code == 429
    assert c.post("/v1/projects", json={"data": {"name": ""}}, headers=bob.headers).status_code == 422
    for _ in range(2):
        assert c.get("/v1/workspaces", headers=bearer(token)).status_code == 200
    assert c.get("/api/public-v1/project", headers={"X-Secret-Key": bob.key}).status_code == 200
    slowest_ms = (time.perf_counter() - started) * 1000
    assert c.get(USAGE, params=MINUTE).status_code == 401  # no credential: counted, no key

    assert flush_now(db, app.state.api_usage) > 0
    r = _usage(c, admin)
    assert r.status_code == 200, r.text
    rows = _by_credential(r.json())
    mine = rows[("native", alice_key, None)]
    assert mine["interval"] == "minute"
    assert mine["bucket_start"] == "2026-01-01T10:00:00Z"
    assert (mine["requests"], mine["succeeded"], mine["rate_limited"]) == (7, 4, 1)
    assert mine["errors"] == {"404": 2, "429": 1}
    assert mine["success_rate"] == round(4 / 7, 4)
    assert mine["p50_ms"] in LATENCY_BOUNDS_MS
    assert mine["p95_ms"] in LATENCY_BOUNDS_MS
    assert mine["p50_ms"] <= mine["p95_ms"]
    assert mine["p50_ms"] / 2**0.5 <= slowest_ms  # the bucket's bound is within sqrt(2) of a real latency
    bobs = rows[("native", bob_key, None)]
    assert (bobs["requests"], bobs["errors"]) == (3, {"422": 1})  # api-keys, oauth client create, the 422
    assert rows[("native", None, oauth_app.pk)]["requests"] == 2
    assert rows[("native", None, oauth_app.pk)]["errors"] == {}
    assert rows[("taskip", bob_key, None)]["requests"] == 1
    assert rows[("native", None, None)]["errors"] == {"401": 1}
    assert ("oauth", None, None) in rows  # the token request: the OAuth surface, no credential yet
    totals = r.json()["meta"]["totals"]
    assert totals["requests"] == sum(row["requests"] for row in rows.values())
    assert totals["rate_limited"] == 1
    assert r.json()["meta"]["from"] == "2026-01-01T10:00:00Z"
    assert r.json()["meta"]["workspace_id"] is None

    # Filters: one key, one surface.
    only = _usage(c, admin, api_key_id=bob_key, surface="taskip").json()["data"]
    assert [(d["attributes"]["surface"], d["attributes"]["requests"]) for d in only] == [("taskip", 1)]
    # The hour and the day hold the same counts (rolled up as they are written).
    for interval, start in (("hour", "2026-01-01T10:00:00Z"), ("day", "2026-01-01")):
        wider = _usage(c, admin, interval=interval, **{"from": start}, to="2026-01-02").json()
        assert wider["meta"]["totals"]["requests"] == totals["requests"]
        assert _by_credential(wider)[("native", alice_key, None)]["errors"] == {"404": 2, "429": 1}


def test_flushes_of_several_processes_add_up_and_percentiles_merge(
    served: tuple[Any, httpx.Client], db: Database
) -> None:
    """Two recorders (two processes) and two flushes of one: the rows add, the histograms merge."""
    _, c = served
    admin = make_person(db, role="admin")
    actor = Actor(user_id=admin.user_id, global_role="admin", credential_id=999, credential_kind="api_key")
    one, other = UsageRecorder(clock=lambda: T0), UsageRecorder(clock=lambda: T0)
    for _ in range(10):
        one.record("native", actor, 200, 0.003)  # 3 ms: the bucket up to 4.0 ms
    assert flush_now(db, one) == 3  # a minute, an hour and a day row
    for _ in range(9):
        other.record("native", actor, 200, 0.100)  # 100 ms: the bucket up to 128 ms
    other.record("native", actor, 503, 0.100)
    flush_now(db, other)
    assert flush_now(db, other) == 0  # nothing new
    [row] = _usage(c, admin, api_key_id="key_999").json()["data"]
    a = row["attributes"]
    assert (a["requests"], a["succeeded"], a["errors"], a["success_rate"]) == (20, 19, {"503": 1}, 0.95)
    assert (a["p50_ms"], a["p95_ms"]) == (4.0, 128.0)
    assert a["mean_ms"] == pytest.approx((10 * 3 + 10 * 100) / 20)
    with db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(ApiUsage)) == 6  # 2 statuses x 3 granularities


def test_workspace_owners_see_their_workspace_only(served: tuple[Any, httpx.Client], db: Database) -> None:
    app, c = served
    alice = make_person(db, bind_workspace=True)
    bob = make_person(db, bind_workspace=True)
    carol = make_person(db)
    join(db, alice, carol, role="member")
    alice_key, bob_key = _key_id(c, alice), _key_id(c, bob)
    flush_now(db, app.state.api_usage)

    mine = _usage(c, alice, workspace_id=alice.workspace)
    assert mine.status_code == 200, mine.text
    keys = {d["attributes"]["api_key_id"] for d in mine.json()["data"]}
    assert keys == {alice_key}  # never bob's, nor carol's unbound key
    assert mine.json()["meta"]["workspace_id"] == alice.workspace
    assert bob_key not in str(_usage(c, alice, workspace_id=alice.workspace, api_key_id=bob_key).json()["data"])
    # Another workspace: 404, as if it did not exist; a member without the role: 403.
    assert _usage(c, bob, workspace_id=alice.workspace).status_code == 404
    assert _usage(c, alice, workspace_id="workspace_999999").status_code == 404
    denied = _usage(c, carol, workspace_id=alice.workspace)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "PERMISSION_DENIED"
    # Server-wide: server admins only.
    assert _usage(c, carol).status_code == 403
    assert _usage(c, alice).status_code == 403  # a bound key, and no admin
    assert c.get(USAGE, params=MINUTE).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"interval": "week"}, "interval"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-01-01T11:00:00Z", "to": "2026-01-01T10:00:00Z"}, "from"),
        ({"from": "2025-12-01T00:00:00Z", "to": "2026-01-01T10:00:00Z"}, "from"),  # a month of minutes
        ({"surface": "ftp"}, "surface"),
        ({"api_key_id": "task_3"}, "api_key_id"),
    ],
)
@pytest.mark.parametrize("path", [USAGE, "/v1/me/api-usage"])
def test_bad_parameters_are_422_naming_the_field(
    client: httpx.Client, db: Database, params: dict[str, str], field: str, path: str
) -> None:
    person = make_person(db, role="admin") if path == USAGE else make_person(db)
    r = client.get(path, params={**MINUTE, **params}, headers=person.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == field


def test_retention_prunes_minutes_and_keeps_the_hours_and_days(
    served: tuple[Any, httpx.Client], settings: Settings, db: Database
) -> None:
    app, c = served
    admin = make_person(db, role="admin")
    for _ in range(4):
        c.get("/v1/me", headers=admin.headers)
    flush_now(db, app.state.api_usage)
    kept = settings.model_copy(
        update={
            "api_usage_minute_retention_hours": 48,
            "api_usage_hour_retention_days": 31,
            "api_usage_day_retention_days": 400,
        }
    )

    def rows() -> dict[str, int]:
        with db.unit_of_work(readonly=True) as session:
            counted = session.execute(
                select(ApiUsage.granularity, func.sum(ApiUsage.requests)).group_by(ApiUsage.granularity)
            )
            return {granularity: int(n) for granularity, n in counted}

    assert rows() == {"minute": 4, "hour": 4, "day": 4}
    assert prune_usage_now(db, kept, now=T0 + 47 * 3600).total == 0
    pruned = prune_usage_now(db, kept, now=T0 + 49 * 3600)
    assert pruned.deleted == {"minute": 1, "hour": 0, "day": 0}
    assert rows() == {"hour": 4, "day": 4}
    hours = _usage(c, admin, interval="hour", **{"from": "2026-01-01"}, to="2026-01-02").json()
    assert hours["meta"]["totals"]["requests"] == 4
    assert _usage(c, admin).json()["data"] == []  # no minutes left
    assert prune_usage_now(db, kept, now=T0 + 32 * 86400).deleted == {"minute": 0, "hour": 1, "day": 0}
    assert rows() == {"day": 4}
    assert prune_usage_now(db, kept, now=T0 + 401 * 86400).deleted["day"] == 1
    assert rows() == {}


def test_the_flusher_writes_what_is_left_when_it_stops(db: Database) -> None:
    """The lifespan's shutdown calls stop(): the last counts reach the database, even with a
    flush interval that never came round."""
    recorder = UsageRecorder(clock=lambda: T0)
    flusher = UsageFlusher(db, recorder, interval=3600)
    flusher.start()
    recorder.record("taskforce", None, 401, 0.002)
    flusher.stop()
    with db.unit_of_work(readonly=True) as session:
        written = session.execute(select(ApiUsage.granularity, ApiUsage.surface, ApiUsage.status, ApiUsage.requests))
        assert sorted(written) == [
            ("day", "taskforce", 401, 1),
            ("hour", "taskforce", 401, 1),
            ("minute", "taskforce", 401, 1),
        ]
    assert recorder.pending() == 0


def test_accounting_can_be_turned_off(settings: Settings, db: Database) -> None:
    app = create_app(settings.model_copy(update={"api_usage": "off"}), db)
    assert app.state.api_usage is None


def test_the_server_wide_report_leaves_out_workspaces_that_refuse_the_callers_address(
    served: tuple[Any, httpx.Client], db: Database
) -> None:
    """As the server-wide audit log does: an admin's own workspace whose IP allowlist refuses
    the address asking stays out of the report (the test server sees 127.0.0.2 as another
    client address)."""
    app, c = served
    admin = make_person(db, role="admin")
    alice = make_person(db, bind_workspace=True)
    bob = make_person(db)
    join(db, alice, admin, role="admin")
    alice_key, bob_key = _key_id(c, alice), _key_id(c, bob)
    r = c.put(
        f"/v1/workspaces/{alice.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.1/32"]}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert c.get("/v1/me", headers=bob.headers).status_code == 200
    assert flush_now(db, app.state.api_usage) > 0
    here = _by_credential(_usage(c, admin).json())
    assert ("native", alice_key, None) in here
    assert ("native", bob_key, None) in here
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=str(c.base_url), transport=transport, timeout=30) as elsewhere:
        r = elsewhere.get(USAGE, params=MINUTE, headers=admin.headers)
        assert r.status_code == 200, r.text
        there = _by_credential(r.json())
        # The workspace still answers its own report only from an allowed address.
        assert (
            elsewhere.get(USAGE, params={**MINUTE, "workspace_id": alice.workspace}, headers=admin.headers).status_code
            == 403
        )
    assert ("native", alice_key, None) not in there
    assert there[("native", bob_key, None)] == here[("native", bob_key, None)]


def test_anyone_reads_their_own_keys_and_clients_usage(served: tuple[Any, httpx.Client], db: Database) -> None:
    """/v1/me/api-usage: a member who is no admin anywhere sees their own unbound key's and
    their OAuth client's requests (every user's tokens of it), and nobody else's."""
    app, c = served
    alice, bob = make_person(db), make_person(db)
    alice_key, bob_key = _key_id(c, alice), _key_id(c, bob)
    oauth_app = register(c, bob, scopes=["workspaces:read"])
    token = token_request(c, oauth_app, grant_type="client_credentials").json()["access_token"]
    assert c.get("/v1/workspaces", headers=bearer(token)).status_code == 200
    # (The served app allows 6 requests a minute per credential: alice makes 6 in all.)
    assert c.get("/v1/me", headers=alice.headers).status_code == 200
    assert c.get("/v1/tasks/task_999999", headers=alice.headers).status_code == 404
    assert flush_now(db, app.state.api_usage) > 0
    r = c.get("/v1/me/api-usage", params=MINUTE, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert set(_by_credential(r.json())) == {("native", alice_key, None)}
    [mine] = r.json()["data"]
    assert (mine["attributes"]["requests"], mine["attributes"]["errors"]) == (3, {"404": 1})  # with /v1/api-keys
    assert r.json()["meta"]["totals"]["requests"] == 3
    theirs = c.get("/v1/me/api-usage", params=MINUTE, headers=bob.headers).json()
    assert set(_by_credential(theirs)) == {("native", bob_key, None), ("native", None, oauth_app.pk)}
    assert c.get("/v1/me/api-usage", params=MINUTE).status_code == 401
    # Naming someone else's key narrows to nothing.
    other = c.get("/v1/me/api-usage", params={**MINUTE, "api_key_id": bob_key}, headers=alice.headers)
    assert other.status_code == 200, other.text
    assert other.json()["data"] == []
