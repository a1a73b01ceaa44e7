"""Passwords: POST /v1/me/password, and a reset by mail (POST /v1/password-resets, then
/v1/password-resets/confirm with the token read from the message the SMTP server received)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import Event, MailMessage, PasswordReset
from tests.api.taskflow.conftest import PASSWORD, checked_client, log_in
from tests.factories.people import make_person
from tests.mail.conftest import Deliver, token_in
from tests.mail.smtpd import SmtpServer

NEW = "a brand new passphrase"


def _events(db: Database, type_: str) -> list[Event]:
    with db.unit_of_work(readonly=True) as session:
        rows = list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.id)))
        session.expunge_all()
        return rows


def _browser(
    base_url: str, check: Callable[[httpx.Response], None], login: str, password: str = PASSWORD
) -> httpx.Client:
    c = checked_client(base_url, check)
    r = log_in(c, login, password)
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["data"]["csrf_token"]
    return c


def test_change_your_own_password(
    client: httpx.Client, base_url: str, check_response: Callable[[httpx.Response], None], db: Database
) -> None:
    jane = make_person(db, email="jane@example.com", password=PASSWORD)
    here = _browser(base_url, check_response, "jane@example.com")
    elsewhere = _browser(base_url, check_response, "jane@example.com")
    try:
        wrong = client.post(
            "/v1/me/password", json={"current_password": "not it", "new_password": NEW}, headers=jane.headers
        )
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["error"]["details"]["field"] == "current_password"
        short = client.post(
            "/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=jane.headers
        )
        assert short.status_code == 422, short.text
        assert (
            client.post("/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}).status_code == 401
        )

        # Changed from the browser session `here`: it stays signed in, the other one is signed out.
        r = here.post("/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW})
        assert r.status_code == 204, r.text
        assert here.get("/api/auth/me").status_code == 200
        assert elsewhere.get("/api/auth/me").status_code == 401
        [event] = _events(db, "user.password_changed")
        assert event.snapshot == {"via": "change", "sessions_ended": 1}
        assert (event.actor_user_id, event.credential_kind) == (jane.user_id, "session")
        # The API key still works; the old password does not, the new one does.
        assert client.get("/v1/me", headers=jane.headers).status_code == 200
        with httpx.Client(base_url=base_url, timeout=30) as fresh:
            assert log_in(fresh, "jane@example.com").status_code == 401
            assert log_in(fresh, "jane@example.com", NEW).status_code == 200
    finally:
        here.close()
        elsewhere.close()


def test_reset_a_forgotten_password_by_mail(
    client: httpx.Client,
    base_url: str,
    check_response: Callable[[httpx.Response], None],
    db: Database,
    smtp: SmtpServer,
    deliver: Deliver,
) -> None:
    make_person(db, name="Jane <J>", email="jane@example.com", password=PASSWORD)
    signed_in = _browser(base_url, check_response, "jane@example.com")
    try:
        accepted = client.post("/v1/password-resets", json={"email": "JANE@example.com"})
        assert accepted.status_code == 202, accepted.text
        unknown = client.post("/v1/password-resets", json={"email": "nobody@example.com"})
        # The same answer whether or not an account has the address.
        assert (unknown.status_code, unknown.json()) == (202, accepted.json())

        [sent] = deliver()
        assert sent.status == "sent"
        assert [m.recipients for m in smtp.inbox.messages] == [["jane@example.com"]]
        [mail] = smtp.inbox.messages
        assert mail.message["Subject"] == "Reset your Polytask password"
        token = token_in(mail.part("plain"))
        assert token == token_in(mail.part("html"))
        assert "Jane &lt;J&gt;" in mail.part("html")
        with db.unit_of_work(readonly=True) as session:
            # Once the relay has it, the outbox keeps no copy of the token.
            row = session.scalars(select(MailMessage)).one()
            assert (row.status, row.text_body, row.html_body) == ("sent", None, None)
            assert token not in str(session.scalars(select(PasswordReset.token_hash)).all())

        short = client.post("/v1/password-resets/confirm", json={"token": token, "password": "short"})
        assert short.status_code == 422, short.text
        r = client.post("/v1/password-resets/confirm", json={"token": token, "password": NEW})
        assert r.status_code == 204, r.text
        assert signed_in.get("/api/auth/me").status_code == 401  # every session ends
        with httpx.Client(base_url=base_url, timeout=30) as fresh:
            assert log_in(fresh, "jane@example.com").status_code == 401
            assert log_in(fresh, "jane@example.com", NEW).status_code == 200
        again = client.post("/v1/password-resets/confirm", json={"token": token, "password": "yet another one"})
        assert again.status_code == 422, again.text
        assert again.json()["error"]["details"]["field"] == "token"
        [changed] = _events(db, "user.password_changed")
        assert changed.snapshot == {"via": "reset", "sessions_ended": 1}
        assert len(_events(db, "user.password_reset_requested")) == 1
    finally:
        signed_in.close()


def test_an_expired_or_unknown_token_is_refused(
    client: httpx.Client, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    make_person(db, email="jane@example.com", password=PASSWORD)
    assert client.post("/v1/password-resets", json={"email": "jane@example.com"}).status_code == 202
    deliver()
    token = token_in(smtp.inbox.messages[0].part("plain"))
    with db.unit_of_work() as session:
        session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    for candidate in (token, "pwr_" + "x" * 40):
        r = client.post("/v1/password-resets/confirm", json={"token": candidate, "password": NEW})
        assert r.status_code == 422, r.text
    bad = client.post("/v1/password-resets", json={"email": "not an address"})
    assert bad.status_code == 422, bad.text


def test_reset_requests_are_limited(
    client: httpx.Client,
    serve_app: Callable[..., object],
    settings: Settings,
    db: Database,
    smtp: SmtpServer,
    deliver: Deliver,
) -> None:
    make_person(db, email="jane@example.com", password=PASSWORD)
    per_account = settings.password_reset_per_account_hour
    per_address = settings.password_reset_per_hour
    assert per_account < per_address
    for _ in range(per_address):
        assert client.post("/v1/password-resets", json={"email": "jane@example.com"}).status_code == 202
    # Past the account's hourly number, no more mail goes out (and the answer does not change).
    while deliver():
        pass
    assert len(smtp.inbox.to("jane@example.com")) == per_account
    # Past the address's hourly number: 429, for any email.
    r = client.post("/v1/password-resets", json={"email": "someone@example.com"})
    assert r.status_code == 429, r.text
    assert r.json()["error"]["details"]["retry_after"] > 0
    assert int(r.headers["retry-after"]) == r.json()["error"]["details"]["retry_after"]


def test_requests_older_than_a_day_are_forgotten(client: httpx.Client, db: Database) -> None:
    with db.unit_of_work() as session:
        session.add(PasswordReset(user_id=None, client_ip="192.0.2.7", requested_at=utcnow() - timedelta(days=2)))
    assert client.post("/v1/password-resets", json={"email": "nobody@example.com"}).status_code == 202
    with db.unit_of_work(readonly=True) as session:
        assert [row.client_ip for row in session.scalars(select(PasswordReset))] == ["127.0.0.1"]


def test_an_admin_mails_a_reset_or_sets_a_password(
    client: httpx.Client,
    base_url: str,
    check_response: Callable[[httpx.Response], None],
    db: Database,
    smtp: SmtpServer,
    deliver: Deliver,
) -> None:
    admin = make_person(db, role="admin")
    jane = make_person(db, name="Jane", email="jane@example.com", password=PASSWORD)
    path = f"/v1/admin/users/{jane.id}/password-reset"
    set_path = f"/v1/admin/users/{jane.id}/password"
    signed_in = _browser(base_url, check_response, "jane@example.com")
    try:
        # No body: a reset token goes to the account's address, through the outbox.
        r = client.post(path, headers=admin.headers)
        assert r.status_code == 202, r.text
        assert r.json()["data"] is None
        assert jane.id in r.json()["meta"]["message"]
        assert client.post(path, json={}, headers=admin.headers).status_code == 202
        with db.unit_of_work(readonly=True) as session:
            queued = list(session.scalars(select(MailMessage).order_by(MailMessage.id)))
            assert [(m.kind, m.to_address, m.status) for m in queued] == [
                ("password_reset", "jane@example.com", "pending")
            ] * 2
        assert [s.status for s in deliver()] == ["sent", "sent"]
        assert [m.recipients for m in smtp.inbox.messages] == [["jane@example.com"]] * 2
        first, second = (token_in(m.part("plain")) for m in smtp.inbox.messages)
        requested = _events(db, "user.password_reset_requested")
        assert [(e.resource_id, e.actor_user_id, e.credential_kind) for e in requested] == [
            (jane.user_id, admin.user_id, "api_key")
        ] * 2
        assert signed_in.get("/api/auth/me").status_code == 200, "mailing a token changes nothing yet"
        assert client.post("/v1/password-resets/confirm", json={"token": first, "password": NEW}).status_code == 204
        assert signed_in.get("/api/auth/me").status_code == 401

        # A password is set by the other operation, never ignored by this one.
        stray = client.post(path, json={"password": "a long enough one"}, headers=admin.headers)
        assert stray.status_code == 422, stray.text
        assert "password" in stray.text
        # Set at once, as the CLI's reset does, and every session ends.
        again = _browser(base_url, check_response, "jane@example.com", NEW)
        try:
            for body in ({"password": "short"}, {}, {"password": "a long enough one", "role": "admin"}):
                bad = client.post(set_path, json=body, headers=admin.headers)
                assert bad.status_code == 422, (body, bad.text)
            chosen = "chosen by the admin"
            r = client.post(set_path, json={"password": chosen}, headers=admin.headers)
            assert r.status_code == 204, r.text
            assert again.get("/api/auth/me").status_code == 401
        finally:
            again.close()
        with httpx.Client(base_url=base_url, timeout=30) as fresh:
            assert log_in(fresh, "jane@example.com", NEW).status_code == 401
            assert log_in(fresh, "jane@example.com", chosen).status_code == 200
        assert client.get("/v1/me", headers=jane.headers).status_code == 200, "API keys keep working"
        # The second mailed token was made useless by the password set since.
        late = client.post("/v1/password-resets/confirm", json={"token": second, "password": "yet another one"})
        assert late.status_code == 422, late.text
        [reset] = _events(db, "user.password_reset")
        assert (reset.resource_id, reset.actor_user_id) == (jane.user_id, admin.user_id)
        assert reset.snapshot == {"sessions_ended": 1, "generated": False}

        # Unknown accounts are 404; a disabled one is refused, both ways, naming it.
        for where, body in (("password-reset", None), ("password", {"password": chosen})):
            r = client.post(f"/v1/admin/users/user_987654/{where}", json=body, headers=admin.headers)
            assert (r.status_code, r.json()["error"]["code"]) == (404, "RESOURCE_NOT_FOUND")
        assert client.post(f"/v1/admin/users/{jane.id}/disable", headers=admin.headers).status_code == 200
        for where, body in ((path, None), (set_path, {"password": "another long one"})):
            r = client.post(where, json=body, headers=admin.headers)
            assert r.status_code == 422, r.text
            assert r.json()["error"]["details"]["field"] == "user"
        assert deliver() == [], "nothing more was queued"
    finally:
        signed_in.close()
