"""taskflow-pro-api.md's rate limits on every TaskFlow operation: 1000 requests an hour
authenticated, 100 unauthenticated, bursts of 20 a minute, told in `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `X-RateLimit-Reset` (a Unix time) on each answer.

Each walk calls every operation of /api/openapi.json once (ids that exist nowhere, `{}` for a
body): what the answer says (200, 401, 404, 422, 429) does not matter here, its headers do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.planspec import Plan
from polytask.core.rateplans import configured_plans
from polytask.core.settings import Settings
from tests.api.test_rate_plans import bearer, key_on_plan
from tests.factories.people import make_person

Serve = Callable[[ASGIApp], AbstractContextManager[str]]
HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def test_the_plans_are_the_documents(tmp_path: Path) -> None:
    plans = configured_plans(Settings(home=tmp_path))
    assert plans["taskflow"] == Plan("taskflow", per_minute=20, per_hour=1000)
    assert plans["taskflow-anonymous"] == Plan("taskflow-anonymous", per_minute=20, per_hour=100)


def _operations(base_url: str) -> Iterator[tuple[str, str]]:
    # From the suite's server: fetching it from the one under test would count as a request there.
    document = httpx.get(f"{base_url}/api/openapi.json", timeout=60).json()
    for path, operations in document["paths"].items():
        for method in operations:
            yield method.upper(), path.replace("{id}", "987654").replace("{project_id}", "987654")


def _call(c: httpx.Client, method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"json": {}} if method in ("POST", "PUT") else {}
    return c.request(method, path, headers=headers, **body)  # type: ignore[arg-type]


def _numbers(r: httpx.Response) -> tuple[int, int, int]:
    missing = [h for h in HEADERS if h not in r.headers]
    assert missing == [], f"{r.request.method} {r.request.url.path} ({r.status_code}) lacks {missing}"
    limit, remaining, reset = (int(r.headers[h]) for h in HEADERS)
    return limit, remaining, reset


def _spec_app(settings: Settings, db: Database, plans: str = "") -> ASGIApp:
    # The suite's settings raise every surface plan out of reach; these are the document's
    # (or the document's with one window turned off, `plans`).
    return create_app(settings.model_copy(update={"rate_plans": plans}), db)


def test_every_operation_answers_a_credential_with_its_minute_window(
    serve_app: Serve, settings: Settings, db: Database, base_url: str
) -> None:
    alice = make_person(db, role="admin")
    with serve_app(_spec_app(settings, db)) as base, httpx.Client(base_url=base, timeout=30) as c:
        operations = list(_operations(base_url))
        assert len(operations) >= 28
        for method, path in operations:
            # A key of its own for each call: a fresh bucket, so no call meets the burst limit.
            r = _call(c, method, path, bearer(key_on_plan(db, alice, None)))
            assert r.status_code != 429, (method, path)
            limit, remaining, reset = _numbers(r)
            assert (limit, remaining) == (20, 19), (method, path)
            assert 0 < reset - time.time() <= 61, (method, path)


def test_every_operation_counts_against_an_anonymous_address(
    serve_app: Serve, settings: Settings, db: Database, base_url: str
) -> None:
    with serve_app(_spec_app(settings, db)) as base, httpx.Client(base_url=base, timeout=30) as c:
        operations = list(_operations(base_url))
        answers = [_call(c, method, path) for method, path in operations]
        numbers = [_numbers(r) for r in answers]
        # 20 a minute from one address, whichever operations they were; then 429 with the same headers.
        assert [n[0] for n in numbers] == [20] * len(operations)
        assert [n[1] for n in numbers] == [*range(19, -1, -1), *[0] * (len(operations) - 20)]
        assert [r.status_code == 429 for r in answers] == [False] * 20 + [True] * (len(operations) - 20)
        assert all(int(r.headers["retry-after"]) > 0 for r in answers[20:])
        assert len({n[2] for n in numbers}) == 1  # one window, one reset time


def test_the_hourly_limits_when_the_minute_window_is_off(
    serve_app: Serve, settings: Settings, db: Database, base_url: str
) -> None:
    alice = make_person(db, role="admin")
    hourly = json.dumps({"taskflow": {"per_minute": 0}, "taskflow-anonymous": {"per_minute": 0}})
    with serve_app(_spec_app(settings, db, hourly)) as base, httpx.Client(base_url=base, timeout=30) as c:
        operations = list(_operations(base_url))
        for kind, headers, limit in (("authenticated", alice.headers, 1000), ("anonymous", None, 100)):
            numbers = [_numbers(_call(c, method, path, headers)) for method, path in operations]
            assert [n[0] for n in numbers] == [limit] * len(operations), kind
            assert [n[1] for n in numbers] == list(range(limit - 1, limit - 1 - len(operations), -1)), kind
            assert all(60 < n[2] - time.time() <= 3601 for n in numbers), kind
