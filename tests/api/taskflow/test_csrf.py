"""CSRF for state changes made with the session cookie: Fetch Metadata and Origin checks, a token
for form posts; bearer credentials untouched; JSON clients without browser headers unaffected."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import BrowserSession, Event, LoginFailure
from tests.api.taskflow.conftest import PASSWORD, Serve, log_in, served
from tests.factories.people import Person

EVIL = "https://evil.example.net"


def _signed_in(web: httpx.Client) -> str:
    r = log_in(web, "alice")
    assert r.status_code == 200, r.text
    token: str = r.json()["data"]["csrf_token"]
    return token


def _still_signed_in(web: httpx.Client) -> bool:
    return web.get("/api/auth/me").status_code == 200


def _refused(r: httpx.Response, reason: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["status"] == "error"
    assert body["data"]["error_code"] == "PERMISSION_DENIED"
    assert body["data"]["reason"] == reason
    assert len(body["message"]) > 40  # says what to do


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.127.0.0.1"},
        {"Sec-Fetch-Site": "cross-site", "Origin": EVIL, "Content-Type": "application/json"},
    ],
)
def test_cross_site_state_changes_are_refused(web: httpx.Client, alice: Person, headers: dict[str, str]) -> None:
    _signed_in(web)
    _refused(web.post("/api/auth/logout", headers=headers), "cross_site_request")
    assert _still_signed_in(web)


def test_same_origin_and_user_initiated_requests_pass(web: httpx.Client, alice: Person) -> None:
    own = str(web.base_url).rstrip("/")
    for headers in (
        {"Origin": own, "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar, a bookmark
        {"Origin": own},
        # Behind a TLS proxy that does not pass the scheme on, the page is https://<Host>.
        {"Origin": own.replace("http://", "https://")},
    ):
        _signed_in(web)
        r = web.post("/api/auth/logout", headers=headers)
        assert r.status_code == 200, (headers, r.text)
        assert not _still_signed_in(web)


def test_reads_are_never_refused(web: httpx.Client, alice: Person) -> None:
    _signed_in(web)
    r = web.get("/api/auth/me", headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 200


def test_login_csrf_is_refused_and_counts_nothing(web: httpx.Client, alice: Person, db: Database) -> None:
    for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}):
        r = log_in(web, "alice", headers=headers)
        _refused(r, "cross_site_request")
        assert "set-cookie" not in r.headers
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(BrowserSession)).all() == []
        assert session.scalars(select(LoginFailure)).all() == []
        assert session.scalars(select(Event).where(Event.type.like("auth.%"))).all() == []
    # Nor can a form post it: the login takes JSON only (text/plain is what a cross-site form can send).
    r = web.post(
        "/api/auth/login",
        content=b'{"username": "alice", "password": "%s"}' % PASSWORD.encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code == 422
    assert "set-cookie" not in r.headers
    own = str(web.base_url).rstrip("/")
    assert log_in(web, "alice", headers={"Origin": own, "Sec-Fetch-Site": "same-origin"}).status_code == 200


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"])
def test_form_posts_need_the_token(web: httpx.Client, alice: Person, content_type: str) -> None:
    """Even same-origin: an HTML form (or no-cors fetch) is what a forged cross-site request looks like."""
    _signed_in(web)
    headers = {"Content-Type": content_type}
    _refused(web.post("/api/auth/logout", content=b"a=1", headers=headers), "csrf_token_missing")
    bad = {**headers, "X-CSRF-Token": "0" * 64}
    _refused(web.post("/api/auth/logout", content=b"a=1", headers=bad), "csrf_token_invalid")
    assert _still_signed_in(web)


@pytest.mark.parametrize("header", ["X-CSRF-Token", "X-CSRFToken"])
def test_the_token_in_a_header(web: httpx.Client, alice: Person, header: str) -> None:
    token = _signed_in(web)
    r = web.post("/api/auth/logout", content=b"bye", headers={"Content-Type": "text/plain", header: token})
    assert r.status_code == 200, r.text
    assert not _still_signed_in(web)


def test_the_token_as_a_form_field(web: httpx.Client, alice: Person) -> None:
    token = _signed_in(web)
    r = web.post("/api/auth/logout", data={"csrf_token": token, "other": "x"})
    assert r.status_code == 200, r.text
    assert not _still_signed_in(web)
    token = _signed_in(web)
    r = web.post("/api/auth/logout", data={"csrf_token": token}, files={"attachment": ("a.txt", b"hello")})
    assert r.status_code == 200, r.text
    assert not _still_signed_in(web)
    # The token of another session is no good.
    stale = token
    _signed_in(web)
    _refused(web.post("/api/auth/logout", data={"csrf_token": stale}), "csrf_token_invalid")


def test_v1_with_the_cookie_is_protected_in_the_native_shape(web: httpx.Client, alice: Person) -> None:
    token = _signed_in(web)
    url = f"/v1/workspaces/{alice.workspace}/projects"
    r = web.post(url, json={"name": "Forged"}, headers={"Origin": EVIL})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    assert r.json()["error"]["details"]["reason"] == "cross_site_request"
    r = web.post(url, content=b"name=Forged", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403
    assert r.json()["error"]["details"]["reason"] == "csrf_token_missing"
    # A browser page of our own, with JSON: no token needed.
    own = str(web.base_url).rstrip("/")
    r = web.post(url, json={"name": "Mine"}, headers={"Origin": own, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 201, r.text
    r = web.delete(f"/v1/projects/{r.json()['data']['id']}", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    assert token


def test_bearer_credentials_are_not_subject_to_csrf(web: httpx.Client, alice: Person) -> None:
    _signed_in(web)  # the cookie is in the jar too, but the Authorization header wins
    headers: dict[str, Any] = {**alice.headers, "Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    r = web.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "By key"}, headers=headers)
    assert r.status_code == 201, r.text


def test_configured_cors_origins_may_use_the_cookie(
    serve_app: Serve, settings: Settings, db: Database, alice: Person
) -> None:
    spa = "https://app.example.com"
    with (
        served(serve_app, settings, db, cors_origins=spa, cors_allow_credentials=True) as url,
        httpx.Client(base_url=url) as c,
    ):
        assert log_in(c, "alice", headers={"Origin": spa, "Sec-Fetch-Site": "cross-site"}).status_code == 200
        token = c.get("/api/auth/me").json()["data"]["csrf_token"]
        r = c.post(
            f"/v1/workspaces/{alice.workspace}/projects",
            json={"name": "From the SPA"},
            headers={"Origin": spa, "Sec-Fetch-Site": "cross-site"},
        )
        assert r.status_code == 201, r.text
        assert r.headers["access-control-allow-origin"] == spa
        assert r.headers["access-control-allow-credentials"] == "true"
        # Its preflight allows the token header.
        r = c.options(
            "/api/auth/logout",
            headers={
                "Origin": spa,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-csrf-token",
            },
        )
        assert "x-csrf-token" in r.headers["access-control-allow-headers"].lower()
        r = c.post("/api/auth/logout", headers={"Origin": EVIL})
        assert r.status_code == 403
        r = c.post("/api/auth/logout", headers={"Origin": spa, "X-CSRF-Token": token})
        assert r.status_code == 200


def test_a_stale_cookie_with_a_json_write_is_401(web: httpx.Client, alice: Person) -> None:
    _signed_in(web)
    assert web.post("/api/auth/logout").status_code == 200
    web.cookies.set("polytask_session", "revoked-or-made-up")
    r = web.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "x"})
    assert r.status_code == 401
    assert PASSWORD not in r.text
