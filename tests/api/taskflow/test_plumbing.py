"""What every TaskFlow resource route shares: the envelope and its pagination, page parameters,
the error bodies (401, 403, 404, 422), /v1 bearer credentials, the session cookie's Secure rule
and the rate-limit plans."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskflow.conftest import Serve, log_in, served
from tests.api.test_rate_limits import app_with
from tests.factories.people import Person, make_person

SignedIn = Callable[..., tuple[Person, httpx.Client]]


def _projects(c: httpx.Client, n: int) -> list[int]:
    ids = []
    for i in range(n):
        r = c.post("/api/projects", json={"name": f"Project {i + 1}"})
        assert r.status_code == 201, r.text
        ids.append(r.json()["data"]["project"]["id"])
    return ids


def test_the_envelope_and_its_pagination(signed_in: SignedIn) -> None:
    _, c = signed_in("mia", role="manager")
    empty = c.get("/api/projects")
    assert empty.status_code == 200, empty.text
    body = empty.json()
    assert body["status"] == "success"
    assert body["data"] == {"projects": []}
    assert body["pagination"] == {"page": 1, "per_page": 10, "total": 0, "pages": 0}
    assert body["meta"]["version"] == "1.0"
    assert body["meta"]["request_id"] == empty.headers["x-request-id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["meta"]["timestamp"])
    ids = _projects(c, 12)
    first = c.get("/api/projects").json()
    assert [p["id"] for p in first["data"]["projects"]] == ids[:10]  # default 10, oldest first
    assert first["pagination"] == {"page": 1, "per_page": 10, "total": 12, "pages": 2}
    third = c.get("/api/projects", params={"page": 3, "per_page": 5}).json()
    assert [p["id"] for p in third["data"]["projects"]] == ids[10:]
    assert third["pagination"] == {"page": 3, "per_page": 5, "total": 12, "pages": 3}
    past = c.get("/api/projects", params={"page": 9, "per_page": 5}).json()
    assert past["data"]["projects"] == []
    assert past["pagination"] == {"page": 9, "per_page": 5, "total": 12, "pages": 3}
    most = c.get("/api/projects", params={"per_page": 100}).json()
    assert len(most["data"]["projects"]) == 12


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"user_id": "me"}, "user_id"),
        ({"user_id": 2**63 - 2}, "user_id"),  # no key is that large (PostgreSQL would refuse to compare)
        ({"status": "sleeping"}, "status"),
    ],
)
def test_bad_page_parameters_are_a_422_naming_them(signed_in: SignedIn, params: dict[str, Any], field: str) -> None:
    _, c = signed_in("pat")
    r = c.get("/api/projects", params=params)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["status"] == "error"
    assert body["data"]["error_code"] == "VALIDATION_ERROR"
    assert list(body["data"]["errors"]) == [field]


def test_no_credentials_is_auth_required(client: httpx.Client) -> None:
    for method, path in [("GET", "/api/projects"), ("POST", "/api/projects"), ("GET", "/api/projects/1")]:
        r = client.request(method, path, json={"name": "x"} if method == "POST" else None)
        assert r.status_code == 401, r.text
        assert r.json()["status"] == "error"
        assert r.json()["data"]["error_code"] == "AUTH_REQUIRED"
        assert r.json()["data"]["redirect_url"] == "/login"


def test_a_role_below_the_operations_is_a_403_naming_both(signed_in: SignedIn) -> None:
    _, c = signed_in("ursula", role="user")
    r = c.post("/api/projects", json={"name": "Not mine to make"})
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["status"] == "error"
    assert body["message"] == "Insufficient permissions"
    assert body["data"]["error_code"] == "PERMISSION_DENIED"
    assert body["data"]["required_role"] == "manager"
    assert body["data"]["current_role"] == "user"


def test_missing_and_foreign_ids_are_404(signed_in: SignedIn) -> None:
    _, mine = signed_in("mona", role="admin")
    _, theirs = signed_in("theo", role="admin")
    [pid] = _projects(theirs, 1)
    for c, project in [(mine, pid), (mine, 999_999), (mine, 2**63 + 5), (theirs, 999_999)]:
        for method in ("GET", "PUT", "DELETE"):
            r = c.request(method, f"/api/projects/{project}", json={"name": "x"} if method == "PUT" else None)
            assert r.status_code == 404, (method, project, r.text)
            assert r.json()["data"]["error_code"] == "NOT_FOUND"
    assert theirs.get(f"/api/projects/{pid}").status_code == 200


def test_validation_errors_name_each_field(signed_in: SignedIn) -> None:
    _, c = signed_in("vera", role="manager")
    r = c.post("/api/projects", json={"description": "no name", "start_date": "soon", "status": "dreaming"})
    assert r.status_code == 422, r.text
    errors = r.json()["data"]["errors"]
    assert set(errors) == {"name", "start_date", "status"}
    assert all(isinstance(m, list) and m and all(isinstance(x, str) for x in m) for m in errors.values())
    assert c.get("/api/projects").json()["pagination"]["total"] == 0  # nothing half-written


def test_v1_api_keys_are_accepted_as_bearer(client: httpx.Client, db: Database) -> None:
    boss = make_person(db, role="manager")
    made = client.post("/api/projects", json={"name": "From CI"}, headers=boss.headers)
    assert made.status_code == 201, made.text
    pid = made.json()["data"]["project"]["id"]
    listed = client.get("/api/projects", headers=boss.headers).json()["data"]["projects"]
    assert [p["id"] for p in listed] == [pid]
    # The same project is a core project: /v1 sees it in the same workspace.
    v1 = client.get(f"/v1/projects/project_{pid}", headers=boss.headers)
    assert v1.status_code == 200
    assert v1.json()["data"]["relationships"]["workspace"]["data"]["id"] == boss.workspace
    bad = client.get("/api/projects", headers={"Authorization": "Bearer not-a-key"})
    assert bad.status_code == 401
    assert bad.json()["data"]["error_code"] == "AUTH_REQUIRED"
    # A read-only key cannot write, whatever the user's role.
    reader = make_person(db, role="admin", scopes=["projects:read"])
    refused = client.post("/api/projects", json={"name": "x"}, headers=reader.headers)
    assert refused.status_code == 403
    assert refused.json()["data"]["error_code"] == "PERMISSION_DENIED"


def test_cookie_writes_are_csrf_checked_and_bearer_ones_are_not(signed_in: SignedIn, client: httpx.Client) -> None:
    boss, c = signed_in("cara", role="admin")
    [pid] = _projects(c, 1)
    forged = c.delete(f"/api/projects/{pid}", headers={"Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403
    assert forged.json()["data"] == {
        **forged.json()["data"],
        "error_code": "PERMISSION_DENIED",
        "reason": "cross_site_request",
    }
    assert c.get(f"/api/projects/{pid}").status_code == 200
    # A bearer key is no browser's: the same header does not matter.
    by_key = client.delete(f"/api/projects/{pid}", headers={**boss.headers, "Sec-Fetch-Site": "cross-site"})
    assert by_key.status_code == 200, by_key.text


# --- the session cookie's Secure flag -----------------------------------------------------------


def _cookie_flags(r: httpx.Response) -> set[str]:
    [cookie] = r.headers.get_list("set-cookie")
    return {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}


def test_plain_http_from_loopback_gets_no_secure_flag_and_the_jar_sends_it_back(
    client: httpx.Client, db: Database
) -> None:
    make_person(db, email="lou@taskflow.com", password="correct horse battery")
    r = log_in(client, "lou")
    assert r.status_code == 200
    assert "secure" not in _cookie_flags(r)
    assert {"httponly", "samesite", "path"} <= _cookie_flags(r)
    assert client.get("/api/auth/me").status_code == 200  # the jar sent it back over http://


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-Proto": "https"},  # TLS ended at a proxy on loopback (uvicorn's trusted default)
        {"X-Forwarded-For": "203.0.113.7"},  # a browser elsewhere, through that proxy
        {"X-Forwarded-For": "192.168.1.20", "X-Forwarded-Proto": "http"},  # plain HTTP from the LAN
    ],
)
def test_tls_or_a_client_beyond_loopback_keeps_secure(
    client: httpx.Client, db: Database, headers: dict[str, str]
) -> None:
    make_person(db, email="sam@taskflow.com", password="correct horse battery")
    r = log_in(client, "sam", headers=headers)
    assert r.status_code == 200, r.text
    assert "secure" in _cookie_flags(r)
    out = client.post("/api/auth/logout", headers=headers)
    assert "secure" in _cookie_flags(out)  # the clearing cookie too


@pytest.mark.parametrize(("setting", "secure"), [("always", True), (True, True), ("never", False), (False, False)])
def test_the_setting_overrides_the_rule(
    serve_app: Serve, settings: Settings, db: Database, setting: object, secure: bool
) -> None:
    make_person(db, email="set@taskflow.com", password="correct horse battery")
    # As POLYTASK_SESSION_COOKIE_SECURE would be read (true/false keep their old meaning).
    mode = Settings.model_validate({"session_cookie_secure": setting}).session_cookie_secure
    assert mode in ("always", "never")
    with served(serve_app, settings, db, session_cookie_secure=mode) as url, httpx.Client(base_url=url) as c:
        r = log_in(c, "set", headers={"X-Forwarded-For": "203.0.113.7"})
        assert ("secure" in _cookie_flags(r)) is secure


# --- rate limits ---------------------------------------------------------------------------------


def test_the_docs_limits_apply_to_the_resource_routes(serve_app: Serve, settings: Settings, db: Database) -> None:
    """The shipped plans (the suite's server raises them): burst 20 a minute is the tightest
    window, for a session, a bearer key and an anonymous caller alike."""
    boss = make_person(db, email="rita@taskflow.com", password="correct horse battery", role="manager")
    shipped = Settings.model_fields["rate_plans"].default
    with served(serve_app, settings, db, rate_plans=shipped) as url, httpx.Client(base_url=url) as c:
        assert log_in(c, "rita").status_code == 200
        one, two = c.get("/api/projects"), c.post("/api/projects", json={"name": "Counted"})
        keyed = c.get("/api/projects", headers=boss.headers)
        for r in (one, two, keyed):
            assert r.headers["x-ratelimit-limit"] == "20"
        if one.headers["x-ratelimit-reset"] == two.headers["x-ratelimit-reset"]:
            assert int(two.headers["x-ratelimit-remaining"]) == int(one.headers["x-ratelimit-remaining"]) - 1
        c.cookies.clear()
        anonymous = c.get("/api/projects")
        assert anonymous.status_code == 401
        assert anonymous.headers["x-ratelimit-limit"] == "20"


def test_the_hourly_plans_by_credential(serve_app: Serve, settings: Settings, db: Database) -> None:
    """The hourly figures (1000 / 100 in the doc) shrunk by configuration to see them run out."""
    plans = {"taskflow": {"per_minute": 0, "per_hour": 5}, "taskflow-anonymous": {"per_minute": 0, "per_hour": 3}}
    boss = make_person(db, role="manager")
    app = app_with(settings, db, rate_plans=json.dumps(plans), rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        authed = [c.get("/api/projects", headers=boss.headers) for _ in range(6)]
        assert [r.status_code for r in authed] == [200] * 5 + [429]
        assert [r.headers["x-ratelimit-limit"] for r in authed] == ["5"] * 6
        assert [r.headers["x-ratelimit-remaining"] for r in authed] == ["4", "3", "2", "1", "0", "0"]
        refused = authed[-1].json()
        assert refused["status"] == "error"
        assert refused["data"]["error_code"] == "RATE_LIMIT_EXCEEDED"
        assert int(authed[-1].headers["retry-after"]) >= 1
        anonymous = [c.get("/api/projects/1") for _ in range(4)]
        assert [r.status_code for r in anonymous] == [401, 401, 401, 429]
        assert [r.headers["x-ratelimit-limit"] for r in anonymous] == ["3"] * 4
