"""POST /api/auth/login, GET /api/auth/me, POST /api/auth/logout as the TaskFlow doc shows them,
with the doc's own clients (requests.Session, curl with a cookie file)."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import requests
from sqlalchemy import select, update

from polytask.core.clock import as_utc, utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import BrowserSession, Event, LoginFailure, User
from tests.api.taskflow.conftest import PASSWORD, Serve, log_in, served
from tests.factories.people import Person, join, make_person

COOKIE = "polytask_session"


def _sessions(db: Database) -> list[BrowserSession]:
    with db.unit_of_work(readonly=True) as session:
        return list(session.scalars(select(BrowserSession).order_by(BrowserSession.id)))


def _events(db: Database, prefix: str = "auth.") -> list[Event]:
    with db.unit_of_work(readonly=True) as session:
        return [e for e in session.scalars(select(Event).order_by(Event.id)) if e.type.startswith(prefix)]


def test_the_docs_requests_session_flow(plain_url: str, alice: Person, db: Database) -> None:
    base = f"{plain_url}/api"
    session = requests.Session()
    login_response = session.post(f"{base}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert login_response.status_code == 200, login_response.text
    body = login_response.json()
    assert body["status"] == "success"
    assert body["message"] == "Login successful"
    assert body["data"]["user"] == {
        "id": alice.user_id,
        "username": "alice",
        "email": "alice@taskflow.com",
        "role": "user",
        "department": "Management",
    }
    token = body["data"]["csrf_token"]
    assert isinstance(token, str)
    assert len(token) >= 32
    me = session.get(f"{base}/auth/me")
    assert me.status_code == 200
    assert me.json()["data"]["user"]["id"] == alice.user_id
    assert me.json()["data"]["csrf_token"] == token  # the same session, the same token
    # No token, no Origin: the JSON client of the doc keeps working for state changes.
    out = session.post(f"{base}/auth/logout")
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "success"
    after = session.get(f"{base}/auth/me")
    assert after.status_code == 401
    assert after.json()["status"] == "error"
    assert after.json()["message"]
    assert after.json()["data"]["error_code"] == "AUTH_REQUIRED"
    assert after.json()["data"]["redirect_url"] == "/login"
    assert COOKIE not in session.cookies  # logout cleared it


def test_the_docs_curl_commands_with_a_cookie_file(plain_url: str, alice: Person, tmp_path: Path) -> None:
    jar = tmp_path / "cookies.txt"

    def curl(*args: str) -> str:
        done = subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = curl(
        "-X",
        "POST",
        f"{plain_url}/api/auth/login",
        "-H",
        "Content-Type: application/json",
        "-d",
        f'{{"username": "alice@taskflow.com", "password": "{PASSWORD}"}}',
        "-c",
        str(jar),
    )
    assert '"status":"success"' in out
    assert COOKIE in jar.read_text()
    assert '"username":"alice"' in curl("-X", "GET", f"{plain_url}/api/auth/me", "-b", str(jar))
    assert '"Logout successful"' in curl("-X", "POST", f"{plain_url}/api/auth/logout", "-b", str(jar))
    assert '"AUTH_REQUIRED"' in curl("-X", "GET", f"{plain_url}/api/auth/me", "-b", str(jar))


def test_cookie_flags_by_default(client: httpx.Client, alice: Person, db: Database) -> None:
    """The suite's server runs with the defaults: HttpOnly, SameSite=Lax, Path=/, and Secure
    (here, where a proxy says the request came over TLS; test_plumbing.py has the whole rule)."""
    r = log_in(client, "alice", headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 200, r.text
    [cookie] = r.headers.get_list("set-cookie")
    name, _, rest = cookie.partition("=")
    value = rest.split(";", 1)[0]
    flags = {part.strip().split("=", 1)[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert name == COOKIE
    assert flags["samesite"].lower() == "samesite=lax"
    assert flags["path"] == "Path=/"
    assert {"httponly", "secure"} <= set(flags)
    assert "max-age" not in flags
    assert "expires" not in flags  # a browser-session cookie; the server enforces the limits
    assert r.headers["cache-control"] == "no-store"
    # Stored as a digest only.
    [row] = _sessions(db)
    assert row.id_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in {row.id_hash, row.user_agent, row.client_ip}
    # The Secure cookie is not sent back over plain HTTP by a cookie jar: not signed in here.
    assert client.get("/api/auth/me").status_code == 401


def test_cookie_not_secure_for_plain_http_from_loopback(web: httpx.Client, alice: Person) -> None:
    r = log_in(web, "alice")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "secure" not in cookie
    out = web.post("/api/auth/logout")
    assert out.status_code == 200
    cleared = out.headers["set-cookie"].lower()
    assert cleared.startswith(f"{COOKIE}=")
    assert "max-age=0" in cleared


def test_a_new_session_id_at_every_login(web: httpx.Client, alice: Person, db: Database) -> None:
    # A planted (fixated) value is never adopted: the server picks the id.
    web.cookies.set(COOKIE, "attacker-chosen-value")
    r = log_in(web, "alice")
    first = r.cookies[COOKIE]
    assert first != "attacker-chosen-value"
    assert web.get("/api/auth/me").status_code == 200
    token1 = r.json()["data"]["csrf_token"]
    r = log_in(web, "alice")
    second = r.cookies[COOKIE]
    assert second != first
    assert r.json()["data"]["csrf_token"] != token1
    assert web.get("/api/auth/me").status_code == 200
    # The presented old session was revoked at the second login.
    with httpx.Client(base_url=str(web.base_url), cookies={COOKIE: first}) as old:
        gone = old.get("/api/auth/me")
        assert gone.status_code == 401
        assert gone.json()["data"]["error_code"] == "AUTH_REQUIRED"
    rows = _sessions(db)
    assert [row.revoked_reason for row in rows] == ["rotated", None]


def test_email_login_and_the_email_field(web: httpx.Client, alice: Person) -> None:
    assert log_in(web, "ALICE@taskflow.com").status_code == 200
    r = web.post("/api/auth/login", json={"email": "alice@taskflow.com", "password": PASSWORD})
    assert r.status_code == 200
    assert r.json()["data"]["user"]["username"] == "alice"


def test_wrong_credentials_write_no_session(web: httpx.Client, alice: Person, db: Database) -> None:
    for login, password in (("alice", "wrong password"), ("nobody", PASSWORD)):
        r = log_in(web, login, password)
        assert r.status_code == 401
        assert r.json()["status"] == "error"
        assert r.json()["data"]["error_code"] == "INVALID_CREDENTIALS"
        assert r.json()["message"] == "Invalid username or password."
        assert "set-cookie" not in r.headers
    assert _sessions(db) == []
    failed = _events(db, "auth.login_failed")
    assert len(failed) == 2
    assert {e.snapshot["surface"] for e in failed} == {"taskflow"}
    assert failed[0].resource_id == alice.user_id
    assert web.get("/api/auth/me").status_code == 401


def test_malformed_logins_are_422_and_write_nothing(web: httpx.Client, alice: Person, db: Database) -> None:
    r = web.post("/api/auth/login", json={"username": "alice"})
    assert r.status_code == 422
    assert r.json()["status"] == "error"
    assert r.json()["data"]["error_code"] == "VALIDATION_ERROR"
    assert "password" in r.json()["data"]["errors"]
    r = web.post("/api/auth/login", json={"password": PASSWORD})
    assert r.status_code == 422
    assert r.json()["data"]["errors"] == {"username": ["is required (a username or an email)"]}
    r = web.post(
        "/api/auth/login",
        content=b'{"username": "alice", "password": "x"',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(LoginFailure)).all() == []
    assert _events(db) == []
    assert _sessions(db) == []


def test_login_throttle_is_shared_with_the_oauth_sign_in(web: httpx.Client, alice: Person, db: Database) -> None:
    for _ in range(5):
        assert log_in(web, "alice", "nope").status_code == 401
    r = log_in(web, "alice")  # the right password, too late
    assert r.status_code == 429
    assert r.json()["data"]["error_code"] == "RATE_LIMIT_EXCEEDED"
    assert int(r.headers["retry-after"]) > 0
    assert r.json()["data"]["retry_after"] == int(r.headers["retry-after"])
    assert _sessions(db) == []
    assert _events(db, "auth.login_throttled")[0].snapshot["surface"] == "taskflow"
    # The same account counter locks the OAuth sign-in page.
    with db.unit_of_work(readonly=True) as session:
        subjects = set(session.scalars(select(LoginFailure.subject)))
    assert f"user:{alice.user_id}" in subjects


def test_a_deactivated_users_sessions_stop_at_once(web: httpx.Client, alice: Person, db: Database) -> None:
    assert log_in(web, "alice").status_code == 200
    assert web.get("/api/auth/me").status_code == 200
    assert web.get("/v1/me").status_code == 200
    with db.unit_of_work() as session:
        session.execute(update(User).where(User.id == alice.user_id).values(is_active=False))
    r = web.get("/api/auth/me")
    assert r.status_code == 401
    assert r.json()["data"]["error_code"] == "AUTH_REQUIRED"
    assert "deactivated" in r.json()["message"]
    assert web.get("/v1/me").status_code == 401
    assert log_in(web, "alice").status_code == 401


def _age_sessions(db: Database, seconds: float, *, columns: tuple[str, ...] = ("last_seen_at",)) -> None:
    """Move the sessions' clock by hand: their timestamps `seconds` further in the past, as if
    that much time had gone by (no sleeping, so nothing depends on the machine's speed)."""
    back = timedelta(seconds=seconds)
    with db.unit_of_work() as session:
        # In Python, not SQL: SQLite has no datetime arithmetic on these columns.
        for row in session.scalars(select(BrowserSession)):
            for column in columns:
                setattr(row, column, getattr(row, column) - back)


def test_idle_timeout(serve_app: Serve, settings: Settings, db: Database, alice: Person) -> None:
    idle = 600  # long, so that a slow request never counts as idle time
    with served(serve_app, settings, db, session_idle_timeout=idle) as url, httpx.Client(base_url=url) as c:
        assert log_in(c, "alice").status_code == 200
        for _ in range(3):  # in use: each request moves the idle limit on
            _age_sessions(db, idle - 60)
            before = utcnow()
            assert c.get("/api/auth/me").status_code == 200
            [row] = _sessions(db)
            seen = as_utc(row.last_seen_at)
            assert seen is not None
            assert seen >= before - timedelta(seconds=1), "the request recorded its use"
        _age_sessions(db, idle + 1)
        r = c.get("/api/auth/me")
        assert r.status_code == 401
        assert "expired" in r.json()["message"]


def test_absolute_timeout(serve_app: Serve, settings: Settings, db: Database, alice: Person) -> None:
    absolute = 600
    changes = {"session_absolute_timeout": absolute, "session_idle_timeout": 3 * absolute}
    with served(serve_app, settings, db, **changes) as url, httpx.Client(base_url=url) as c:
        before = utcnow()
        assert log_in(c, "alice").status_code == 200
        [row] = _sessions(db)
        expires = as_utc(row.expires_at)
        assert expires is not None
        assert before + timedelta(seconds=absolute) - timedelta(seconds=1) <= expires
        assert expires <= utcnow() + timedelta(seconds=absolute) + timedelta(seconds=1)
        everything = ("created_at", "last_seen_at", "expires_at")
        _age_sessions(db, absolute - 60, columns=everything)
        assert c.get("/api/auth/me").status_code == 200  # in use all along: it still ends on time
        _age_sessions(db, 61, columns=everything)
        r = c.get("/api/auth/me")
        assert r.status_code == 401
        assert "expired" in r.json()["message"]
        # An expired session's rows go away at the user's next login.
        assert log_in(c, "alice").status_code == 200
    assert len(_sessions(db)) == 1


def test_audit_events(web: httpx.Client, alice: Person, db: Database) -> None:
    assert log_in(web, "alice").status_code == 200
    assert web.post("/api/auth/logout").status_code == 200
    # A second logout is harmless and audits nothing more.
    assert web.post("/api/auth/logout").status_code == 200
    types = [(e.type, e.resource_id, e.snapshot.get("surface")) for e in _events(db)]
    assert types == [
        ("auth.login_succeeded", alice.user_id, "taskflow"),
        ("auth.logout", alice.user_id, "taskflow"),
    ]
    [row] = _sessions(db)
    assert row.revoked_reason == "logout"
    assert row.client_ip == "127.0.0.1"
    assert row.user_agent is not None
    assert row.user_agent.startswith("python-httpx")


def test_the_session_cookie_authenticates_v1(web: httpx.Client, alice: Person, db: Database) -> None:
    assert log_in(web, "alice").status_code == 200
    r = web.get("/v1/me")
    assert r.status_code == 200
    assert r.json()["data"]["id"] == alice.id
    # A JSON write without a token: a non-browser client, allowed.
    r = web.post(f"/v1/workspaces/{alice.workspace}/projects", json={"name": "From the cookie"})
    assert r.status_code == 201, r.text
    with db.unit_of_work(readonly=True) as session:
        event = session.scalars(select(Event).where(Event.type == "project.created")).one()
    assert event.credential_kind == "session"
    assert event.actor_user_id == alice.user_id
    # A bearer credential wins over the cookie.
    bob = make_person(db)
    r = web.get("/v1/me", headers=bob.headers)
    assert r.json()["data"]["id"] == bob.id


def test_the_session_is_subject_to_ip_allowlists(
    plain_url: str, client: httpx.Client, alice: Person, db: Database
) -> None:
    r = client.put(
        f"/v1/workspaces/{alice.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.1/32"]}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    # From another loopback address, which the allowlist leaves out.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=plain_url, transport=transport) as elsewhere:
        assert log_in(elsewhere, "alice").status_code == 200
        assert elsewhere.get("/api/auth/me").status_code == 200
        r = elsewhere.get(f"/v1/workspaces/{alice.workspace}")
        assert r.status_code == 403
        assert r.json()["error"]["details"]["client_ip"] == "127.0.0.2"


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api"])
def test_other_api_paths(web: httpx.Client, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 404
    assert r.json()["status"] == "error"
    assert r.json()["data"]["error_code"] == "NOT_FOUND"


def test_the_other_surfaces_under_api_keep_their_errors(web: httpx.Client, alice: Person) -> None:
    assert log_in(web, "alice").status_code == 200
    # Taskforce (/api/v1) authenticates by HTTP Basic only and answers in its own shape.
    r = web.get("/api/v1/tasks.json")
    assert r.status_code == 401
    assert r.json()["success"] is False
    r = web.get("/api/public-v1/nothing")
    assert r.status_code == 404
    assert "status" not in r.json()


def test_idempotency_keys_are_per_session_user(plain_url: str, alice: Person, db: Database) -> None:
    """Two people signed in by cookie, one Idempotency-Key and body: no one gets the other's replay."""
    bob = make_person(db, email="bob@taskflow.com", password=PASSWORD)
    join(db, alice, bob, role="member")
    created = []
    for who in ("alice", "bob", "alice"):
        with httpx.Client(base_url=plain_url) as c:
            assert log_in(c, who).status_code == 200
            r = c.post(
                f"/v1/workspaces/{alice.workspace}/projects",
                json={"name": "Same body"},
                headers={"Idempotency-Key": "same-key-1"},
            )
            assert r.status_code == 201, r.text
            created.append((r.json()["data"]["id"], r.headers.get("idempotent-replayed")))
    assert created[0][0] != created[1][0]
    assert created[1][1] is None
    # Alice's new session is a new credential too: a key is scoped to the session it was sent with.
    assert created[2][1] is None


def test_a_batch_runs_as_the_session(web: httpx.Client, alice: Person) -> None:
    assert log_in(web, "alice").status_code == 200
    ops = [
        {"method": "POST", "path": f"/workspaces/{alice.workspace}/projects", "body": {"name": "Batched"}},
        {"method": "GET", "path": "/projects/$0.data.id"},
    ]
    r = web.post("/v1/batch", json={"operations": ops, "atomic": True})
    assert r.status_code == 200, r.text
    assert [result["status"] for result in r.json()["data"]] == [201, 200]
    r = web.post("/v1/batch", json={"operations": ops}, headers={"Origin": "https://evil.example.net"})
    assert r.status_code == 403


def test_me_with_a_bearer_key_like_every_other_route(client: httpx.Client, db: Database) -> None:
    """GET /api/auth/me takes the /v1 credentials too: its user, and no CSRF token (no session)."""
    person = make_person(db, name="Carol", email="carol@taskflow.com", role="manager", department="Sales")
    r = client.get("/api/auth/me", headers=person.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["user"] == {
        "id": person.user_id,
        "username": "carol",
        "email": "carol@taskflow.com",
        "role": "manager",
        "department": "Sales",
    }
    assert r.json()["data"]["csrf_token"] is None
    wrong = client.get("/api/auth/me", headers={"Authorization": "Bearer not-a-key"})
    assert wrong.status_code == 401
    assert wrong.json()["data"]["error_code"] == "AUTH_REQUIRED"
