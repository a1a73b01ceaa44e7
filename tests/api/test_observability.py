"""The access log (one line per request) and GET /metrics, over HTTP against the real app."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.logs import JsonLines
from polytask.core.settings import Settings
from tests.factories.people import make_person
from tests.factories.work import make_project

Serve = Callable[[ASGIApp], AbstractContextManager[str]]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def access_log(caplog: pytest.LogCaptureFixture) -> Callable[[str], list[logging.LogRecord]]:
    caplog.set_level(logging.INFO, logger="polytask.access")

    def lines(request_id: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "polytask.access" and getattr(r, "request_id", "") == request_id]

    return lines


def test_one_access_line_per_request(
    client: httpx.Client, db: Database, access_log: Callable[[str], list[logging.LogRecord]]
) -> None:
    owner = make_person(db)
    project = make_project(client, owner, name="Logged")
    r = client.get(
        f"/v1/projects/{project}",
        params={"access_token": "query-secret-value"},
        headers={**owner.headers, "X-Request-ID": "req-observed-1"},
    )
    assert r.status_code in (200, 422), r.text
    [line] = access_log("req-observed-1")
    fields = {k: getattr(line, k) for k in ("method", "route", "status", "request_id", "credential")}
    assert fields == {
        "method": "GET",
        "route": "/v1/projects/{project_id}",
        "status": r.status_code,
        "request_id": "req-observed-1",
        "credential": "key_1",
    }
    duration = line.duration_ms  # type: ignore[attr-defined]
    assert isinstance(duration, float)
    assert duration >= 0
    text = line.getMessage()
    assert text.startswith(f"GET /v1/projects/{{project_id}} {r.status_code} ")
    assert text.endswith(" req-observed-1 key_1")
    as_json = json.loads(JsonLines().format(line))
    assert as_json["level"] == "info"
    assert as_json["logger"] == "polytask.access"
    assert {k: as_json[k] for k in fields} == fields
    assert as_json["duration_ms"] == duration
    for shown in (text, json.dumps(as_json)):
        assert owner.key not in shown
        assert owner.key.split("_", 2)[2] not in shown
        assert "query-secret-value" not in shown
        assert project not in shown  # the template, not the raw path

    # Without a credential, and for a path no route has.
    client.get("/v1/workspaces", headers={"X-Request-ID": "req-observed-2", "Authorization": "Bearer nope"})
    [refused] = access_log("req-observed-2")
    assert (refused.route, refused.status, refused.credential) == ("/v1/workspaces", 401, "-")  # type: ignore[attr-defined]
    client.get("/no/such/place/42", headers={"X-Request-ID": "req-observed-3"})
    [lost] = access_log("req-observed-3")
    assert (lost.route, lost.status) == ("<unmatched>", 404)  # type: ignore[attr-defined]


def scrape(client: httpx.Client, **headers: str) -> Samples:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=")  # the text exposition format
    samples: Samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def labels(**values: str) -> frozenset[tuple[str, str]]:
    return frozenset(values.items())


def test_metrics_count_requests_by_route_template(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    project = make_project(client, owner, name="Counted")
    route = labels(method="GET", route="/v1/projects/{project_id}", status="200")
    timed = labels(method="GET", route="/v1/projects/{project_id}")
    before = scrape(client)
    for _ in range(3):
        assert client.get(f"/v1/projects/{project}", headers=owner.headers).status_code == 200
    after = scrape(client)
    assert after[("polytask_http_requests_total", route)] - before.get(("polytask_http_requests_total", route), 0) == 3
    count = ("polytask_http_request_duration_seconds_count", timed)
    assert after[count] - before.get(count, 0) == 3
    assert after[("polytask_http_request_duration_seconds_bucket", timed | {("le", "+Inf")})] == after[count]
    assert not any(project in dict(key[1]).get("route", "") for key in after)
    assert after[("polytask_db_pool_connections", labels(state="size"))] >= 1


def test_metrics_show_the_webhook_outbox(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    assert scrape(client)[("polytask_webhook_outbox_pending", frozenset())] == 0
    r = client.post("/v1/webhooks", json={"url": "https://93.184.216.34/in", "events": ["*"]}, headers=owner.headers)
    assert r.status_code == 201, r.text
    make_project(client, owner, name="Announced")  # the test server runs no dispatcher: it stays queued
    samples = scrape(client)
    assert samples[("polytask_webhook_outbox_pending", frozenset())] == 1
    assert samples[("polytask_webhook_outbox_retrying", frozenset())] == 0
    assert samples[("polytask_webhook_attempts_total", frozenset())] == 0


def test_metrics_are_protected(
    client: httpx.Client, serve_app: Serve, settings: Settings, db: Database, check_response: Callable[..., None]
) -> None:
    # Without a token: loopback only, and a request relayed by a proxy is not loopback.
    r = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
    with (
        serve_app(create_app(settings.model_copy(update={"metrics_token": "scrape-me"}), db)) as url,
        httpx.Client(base_url=url, event_hooks={"response": [check_response]}, timeout=30) as guarded,
    ):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-me"}):
            assert guarded.get("/metrics", headers=headers).status_code == 404, headers
        assert ("polytask_webhook_outbox_pending", frozenset()) in scrape(guarded, Authorization="Bearer scrape-me")
