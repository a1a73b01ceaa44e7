"""OAuth access tokens on /v1: scopes enforced like API keys', "last used", hashed storage, and
the tokens of deleted clients or deactivated users refused."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update

from polytask.core.db import Database
from polytask.models import Event, OAuthClient, OAuthToken, User
from tests.factories.people import make_person
from tests.factories.work import make_project
from tests.oauth.flow import PASSWORD, bearer, register, token_request, tokens_for


def test_scopes_of_a_token_are_enforced_on_v1(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    project = make_project(client, owner, name="Scoped")
    app = register(client, owner)
    tokens = tokens_for(base_url, http, app, owner, scope="tasks:read")
    h = bearer(tokens["access_token"])
    r = client.get(f"/v1/projects/{project}/tasks", headers=h)
    assert r.status_code == 200, r.text
    r = client.post(f"/v1/projects/{project}/tasks", json={"name": "No"}, headers=h)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == "tasks:write"
    r = client.get("/v1/workspaces", headers=h)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "PERMISSION_DENIED"
    # Other resources stay out of reach.
    r = client.get(f"/v1/projects/{project}", headers=h)
    assert r.status_code == 403
    # A token without the api_keys scopes can register no OAuth client and mint no API key.
    r = client.post("/v1/oauth/clients", json={"name": "x", "redirect_uris": []}, headers=h)
    assert r.status_code == 403
    r = client.post("/v1/api-keys", json={"name": "x"}, headers=h)
    assert r.status_code == 403


def test_a_token_never_exceeds_its_users_rights(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner, stranger = make_person(db, password=PASSWORD), make_person(db)
    project = make_project(client, stranger, name="Not yours")
    app = register(client, owner, scopes=["admin"])
    tokens = tokens_for(base_url, http, app, owner, scope="admin")
    r = client.get(f"/v1/projects/{project}", headers=bearer(tokens["access_token"]))
    assert r.status_code == 404


def test_token_of_a_deleted_client_is_refused(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    tokens = tokens_for(base_url, http, app, owner)
    cc = token_request(http, app, grant_type="client_credentials").json()
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200
    r = client.delete(f"/v1/oauth/clients/{app.pk}", headers=owner.headers)
    assert r.status_code == 204
    for access in (tokens["access_token"], cc["access_token"]):
        assert client.get("/v1/workspaces", headers=bearer(access)).status_code == 401
    r = token_request(http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"


def test_token_of_a_deactivated_user_is_refused(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner, alice = make_person(db), make_person(db, password=PASSWORD)
    app = register(client, owner)
    tokens = tokens_for(base_url, http, app, alice)
    auth = (app.client_id, app.secret or "")
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200
    with db.unit_of_work() as session:
        session.execute(update(User).where(User.id == alice.user_id).values(is_active=False))
    r = client.get("/v1/workspaces", headers=bearer(tokens["access_token"]))
    assert r.status_code == 401
    assert "deactivated" in r.json()["error"]["message"]
    r = token_request(http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.json()["error"] == "invalid_grant"
    assert http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth).json() == {"active": False}
    # A deactivated owner's client can no longer use client_credentials.
    with db.unit_of_work() as session:
        session.execute(update(User).where(User.id == owner.user_id).values(is_active=False))
    r = token_request(http, app, grant_type="client_credentials")
    assert r.json()["error"] == "unauthorized_client"


def test_last_used_and_hashed_storage(base_url: str, client: httpx.Client, http: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    tokens = tokens_for(base_url, http, app, owner)
    with db.unit_of_work(readonly=True) as session:
        row = session.scalars(select(OAuthToken)).one()
        assert row.last_used_at is None
        stored = {row.access_hash, row.refresh_hash, session.scalars(select(OAuthClient.secret_hash)).one()}
    # Nothing secret is stored as given: only SHA-256 digests.
    for secret in (tokens["access_token"], tokens["refresh_token"], app.secret):
        assert secret not in stored
    assert all(value is not None and len(value) == 64 for value in stored)
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(OAuthToken.last_used_at)).one() is not None


def test_token_endpoint_outcomes_are_audited(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    issued = tokens_for(base_url, http, app, owner)
    http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(app.client_id, "pts_wrong"))
    token_request(http, app, grant_type="refresh_token", refresh_token="ptr_unknown")
    http.post("/oauth/introspect", data={"token": "x"})
    revoked = http.post("/oauth/revoke", data={"token": issued["access_token"]}, auth=(app.client_id, app.secret or ""))
    assert revoked.status_code == 200
    with db.unit_of_work(readonly=True) as session:
        events = list(session.scalars(select(Event).where(Event.type.like("auth.%")).order_by(Event.id)))
    kinds = [e.type for e in events]
    assert kinds[:3] == ["auth.login_succeeded", "auth.consent_granted", "auth.token_issued"]
    # Issuing and revoking tokens is recorded with the address the request came from.
    by_type = {e.type: e for e in events}
    assert by_type["auth.token_issued"].client_ip == "127.0.0.1"
    assert by_type["auth.token_revoked"].client_ip == "127.0.0.1"
    refused = [e.snapshot for e in events if e.type == "auth.oauth_refused"]
    assert [(r["endpoint"], r["error"]) for r in refused] == [
        ("token", "invalid_client"),
        ("token", "invalid_grant"),
        ("introspect", "invalid_client"),
    ]
    assert all(r["client_ip"] == "127.0.0.1" for r in refused)


def test_ip_allowlists_apply_to_oauth_tokens(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    project = make_project(client, owner, name="Office only")
    app = register(client, owner)
    tokens = tokens_for(base_url, http, app, owner, scope="projects:read")
    r = client.put(
        f"/v1/workspaces/{owner.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.1/32"]}},
        headers=owner.headers,
    )
    assert r.status_code == 200, r.text
    assert client.get(f"/v1/projects/{project}", headers=bearer(tokens["access_token"])).status_code == 200
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=base_url, transport=transport, timeout=30) as elsewhere:
        r = elsewhere.get(f"/v1/projects/{project}", headers=bearer(tokens["access_token"]))
    assert r.status_code == 403
    assert r.json()["error"]["details"]["client_ip"] == "127.0.0.2"
