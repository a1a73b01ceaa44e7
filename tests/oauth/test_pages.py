"""The authorization pages: sign-in by username or email, consent, CSRF, throttling, cookies."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import func, select
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import Event, LoginFailure, User
from tests.factories.people import make_person
from tests.oauth.flow import PASSWORD, REDIRECT, Browser, authorize_url, form_of, register


def test_sign_in_by_username_and_deny(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    with db.unit_of_work(readonly=True) as session:
        username = session.scalars(select(User.username).where(User.id == owner.user_id)).one()
    app = register(client, owner, name="<script>alert(1)</script>")
    with Browser(base_url) as browser:
        page = browser.sign_in(authorize_url(base_url, app), username)
        assert page.status_code == 200
        assert "<script>alert(1)" not in page.text
        assert "&lt;script&gt;" in page.text
        r = browser.submit(page, action="deny")
    assert r.status_code == 303
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["xyz"]
    assert "code" not in query


def test_pages_are_not_cached_or_framed_and_the_cookie_is_locked_down(
    base_url: str, client: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    with Browser(base_url) as browser:
        page = browser.open(authorize_url(base_url, app))
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/oauth" in cookie


def test_forms_need_the_csrf_token(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    url = authorize_url(base_url, app)
    with Browser(base_url) as browser:
        page = browser.open(url)
        action, hidden = form_of(page.text)
        for token in ("", "forged", None):
            data = {**hidden, "username": owner.email, "password": PASSWORD}
            if token is None:
                data.pop("csrf_token")
            else:
                data["csrf_token"] = token
            r = browser.http.post(action, data=data)
            assert r.status_code == 403
            assert "expired" in r.text
        consent = browser.sign_in(url, owner.email)
        # The CSRF token rotates at sign-in: the sign-in page's token no longer works.
        _, after = form_of(consent.text)
        assert after["csrf_token"] != hidden["csrf_token"]
        r = browser.http.post(action, data={"csrf_token": hidden["csrf_token"], "action": "approve"})
        assert r.status_code == 403
    # Without the cookie (another browser, a cross-site post), the token alone is useless.
    with httpx.Client(base_url=base_url) as stranger:
        r = stranger.post(action, data={"csrf_token": after["csrf_token"], "action": "approve"})
        assert r.status_code == 403


def test_wrong_password_then_lockout(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    url = authorize_url(base_url, app)
    with Browser(base_url) as browser:
        for _ in range(5):
            r = browser.sign_in(url, owner.email, password="wrong password")
            assert r.status_code == 401
            assert "Invalid username or password." in r.text
        # Locked now, even with the right password.
        r = browser.sign_in(url, owner.email)
        assert r.status_code == 429
        assert "Too many failed sign-in attempts" in r.text
        assert int(r.headers["retry-after"]) > 0
    with db.unit_of_work(readonly=True) as session:
        kinds = list(session.scalars(select(Event.type).where(Event.type.like("auth.login%")).order_by(Event.id)))
    assert kinds == ["auth.login_failed"] * 5 + ["auth.login_throttled"]


def test_unknown_users_are_throttled_per_address(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    url = authorize_url(base_url, app)
    with Browser(base_url) as browser:
        for n in range(20):
            r = browser.sign_in(url, f"nobody{n}@example.com", password="guess")
            assert r.status_code == 401
        r = browser.sign_in(url, owner.email)
        assert r.status_code == 429


def test_success_clears_the_account_counter(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    url = authorize_url(base_url, app)
    for _ in range(2):
        with Browser(base_url) as browser:
            for _ in range(4):
                assert browser.sign_in(url, owner.email, password="nope").status_code == 401
            assert browser.sign_in(url, owner.email).status_code == 200


def test_sign_out_returns_to_the_sign_in_page(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    url = authorize_url(base_url, app)
    with Browser(base_url) as browser:
        consent = browser.sign_in(url, owner.email)
        r = browser.submit(consent, action="logout")
        assert r.status_code == 303
        page = browser.http.get(r.headers["location"])
        assert "name=password" in page.text
        # Approving without being signed in does nothing but show the sign-in page again.
        r = browser.submit(page, action="approve")
        assert r.status_code == 303
        assert "code=" not in r.headers["location"]


def test_bad_requests_show_an_error_page_or_go_back_to_the_client(
    base_url: str, client: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    with httpx.Client(base_url=base_url) as http:
        r = http.get(authorize_url(base_url, app, client_id="ptc_unknown"))
        assert r.status_code == 400
        assert "Unknown client_id" in r.text
        r = http.get(authorize_url(base_url, app, redirect_uri=None))
        assert r.status_code == 400
        r = http.get(f"{authorize_url(base_url, app)}&state=again")
        assert r.status_code == 303
        assert r.headers["location"].startswith(REDIRECT)
        assert "error=invalid_request" in r.headers["location"]


def test_the_lockout_ends_and_old_failures_are_dropped(
    settings: Settings, client: httpx.Client, db: Database, serve_app: Callable[[ASGIApp], AbstractContextManager[str]]
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    # A long window, so that three argon2 checks on a loaded machine never outlast it; its end
    # comes by moving the failures' clock by hand.
    window = 600
    quick = settings.model_copy(update={"login_lockout_seconds": window, "login_max_failures": 2})
    with serve_app(create_app(quick, db)) as base, Browser(base) as browser:
        url = authorize_url(base, app)
        for _ in range(2):
            assert browser.sign_in(url, owner.email, password="nope").status_code == 401
        assert browser.sign_in(url, owner.email).status_code == 429
        with db.unit_of_work() as session:
            for failure in session.scalars(select(LoginFailure)):
                failure.failed_at -= timedelta(seconds=window + 1)
        assert browser.sign_in(url, "nobody@example.com", password="nope").status_code == 401
        with db.unit_of_work(readonly=True) as session:
            # The address's two old failures are gone; only the new one is left.
            assert session.scalar(select(func.count()).select_from(LoginFailure)) == 3
            assert (
                session.scalar(
                    select(func.count()).select_from(LoginFailure).where(LoginFailure.subject == "ip:127.0.0.1")
                )
                == 1
            )
        assert browser.sign_in(url, owner.email).status_code == 200
