"""Invites by mail (POST /v1/workspaces/{id}/invites) read back from a real SMTP server, and an
invite accepted by someone without an account (POST /v1/invites/signup)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from polytask.core.db import Database
from polytask.models import Event, MailMessage
from tests.factories.people import join, make_person
from tests.mail.conftest import Deliver, token_in
from tests.mail.smtpd import USER, SmtpServer


def _rename_workspace(client: httpx.Client, headers: dict[str, str], workspace: str, name: str) -> None:
    r = client.patch(f"/v1/workspaces/{workspace}", json={"name": name}, headers=headers)
    assert r.status_code == 200, r.text


def test_an_invite_is_mailed_after_the_commit_and_makes_an_account(
    client: httpx.Client, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    owner = make_person(db, name="Olga <Owner>")
    _rename_workspace(client, owner.headers, owner.workspace, "Ops & <b>Friends</b>")
    r = client.post(
        f"/v1/workspaces/{owner.workspace}/invites",
        json={"emails": ["Newcomer@Example.com"], "role": "member", "message": "Hi <script>alert(1)</script>"},
        headers=owner.headers,
    )
    assert r.status_code == 201, r.text
    answered_token = r.json()["data"][0]["attributes"]["token"]
    assert smtp.inbox.messages == []  # queued in the outbox; the worker sends it

    [sent] = deliver()
    assert sent.status == "sent"
    [mail] = smtp.inbox.to("newcomer@example.com")
    assert mail.tls
    assert mail.login == USER
    assert mail.message["Subject"] == "Olga <Owner> invited you to Ops & <b>Friends</b> on Polytask"
    text, html = mail.part("plain"), mail.part("html")
    assert token_in(text) == answered_token
    assert "Hi <script>alert(1)</script>" in text
    # Whatever a person typed is escaped in the HTML part.
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Ops &amp; &lt;b&gt;Friends&lt;/b&gt;" in html
    assert "Olga &lt;Owner&gt;" in html
    assert token_in(html) == answered_token
    assert deliver() == []  # sent once

    # The invitee has no account: accepting makes one, with a first API key.
    body = {"token": token_in(text), "name": "New Comer", "password": "a long secret"}
    r = client.post("/v1/invites/signup", json=body)
    assert r.status_code == 201, r.text
    key = r.json()["data"]["attributes"]["key"]
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200, me.text
    assert me.json()["data"]["attributes"]["email"] == "newcomer@example.com"
    assert me.json()["data"]["attributes"]["name"] == "New Comer"
    members = client.get(f"/v1/workspaces/{owner.workspace}/users", headers=owner.headers).json()["data"]
    assert "newcomer@example.com" in [m["attributes"]["email"] for m in members]
    # Good once.
    again = client.post("/v1/invites/signup", json=body)
    assert again.status_code == 409, again.text
    with db.unit_of_work(readonly=True) as session:
        types = list(session.scalars(select(Event.type).order_by(Event.id)))
    assert {"user.created", "invite.accepted", "member.added", "api_key.created"} <= set(types)


def test_signup_refusals(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    existing = make_person(db)
    r = client.post(
        f"/v1/workspaces/{owner.workspace}/invites", json={"emails": [existing.email]}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    token = r.json()["data"][0]["attributes"]["token"]
    # An address with an account signs in and accepts instead.
    r = client.post("/v1/invites/signup", json={"token": token, "name": "X", "password": "a long secret"})
    assert r.status_code == 409, r.text
    assert "/v1/invites/accept" in r.json()["error"]["message"]
    r = client.post("/v1/invites/signup", json={"token": "inv_" + "x" * 32, "name": "X", "password": "a long secret"})
    assert r.status_code == 404, r.text
    r = client.post("/v1/invites/signup", json={"token": token, "name": "X", "password": "short"})
    assert r.status_code == 422, r.text
    assert "password" in r.text
    # The existing user accepts with their key; the invite is then spent.
    r = client.post("/v1/invites/accept", json={"token": token}, headers=existing.headers)
    assert r.status_code == 200, r.text


def test_invites_made_in_a_rolled_back_transaction_send_nothing(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    member = make_person(db)
    # One address is already a member: the whole request is refused and nothing is queued.
    join(db, owner, member)
    with db.unit_of_work() as session:
        before = len(list(session.scalars(select(MailMessage.id))))
    r = client.post(
        f"/v1/workspaces/{owner.workspace}/invites",
        json={"emails": ["fresh@example.com", member.email]},
        headers=owner.headers,
    )
    assert r.status_code == 422, r.text
    with db.unit_of_work() as session:
        assert len(list(session.scalars(select(MailMessage.id)))) == before


def test_the_longest_name_still_gets_a_personal_workspace(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    r = client.post(
        f"/v1/workspaces/{owner.workspace}/invites", json={"emails": ["long@example.com"]}, headers=owner.headers
    )
    token = r.json()["data"][0]["attributes"]["token"]
    r = client.post("/v1/invites/signup", json={"token": token, "name": "N" * 200, "password": "a long secret"})
    assert r.status_code == 201, r.text
    key = {"Authorization": f"Bearer {r.json()['data']['attributes']['key']}"}
    names = [w["attributes"]["name"] for w in client.get("/v1/workspaces", headers=key).json()["data"]]
    assert "N" * 188 + "'s workspace" in names
