"""The RFCs' MUSTs: exact redirect URIs, PKCE without downgrade, single-use codes, refresh
rotation with reuse detection, RFC 7009 revocation, RFC 7662 introspection, expiry."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import OAuthCode, OAuthToken
from tests.factories.people import make_person
from tests.oauth.flow import (
    PASSWORD,
    REDIRECT,
    Browser,
    authorize_url,
    bearer,
    code_from,
    pkce_pair,
    register,
    token_request,
    tokens_for,
)

INACTIVE = {"active": False}


def _error_redirect(location: str) -> dict[str, list[str]]:
    assert location.startswith(REDIRECT + "?"), location
    return parse_qs(urlsplit(location).query)


@pytest.mark.parametrize(
    "variant",
    [
        REDIRECT + "/",  # trailing slash
        "http://127.0.0.1:8766/callback",  # another port
        "http://localhost:8765/callback",  # another host
        "https://127.0.0.1:8765/callback",  # another scheme
        REDIRECT + "?extra=1",  # an added query
        "http://127.0.0.1:8765/Callback",  # another case
        "http://127.0.0.1:8765/callback/../callback",  # path tricks
    ],
)
def test_redirect_uri_variants_are_rejected_without_redirecting(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database, variant: str
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner, public=True)
    _, challenge = pkce_pair()
    url = authorize_url(base_url, app, redirect_uri=variant, code_challenge=challenge, code_challenge_method="S256")
    r = http.get(url)
    assert r.status_code == 400
    assert "location" not in r.headers
    assert "redirect_uri is not registered" in r.text


def test_token_request_needs_the_same_redirect_uri(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner, redirect_uris=[REDIRECT, REDIRECT + "2"])
    with Browser(base_url) as browser:
        code = code_from(browser.consent(authorize_url(base_url, app), owner.email))
    for wrong in (REDIRECT + "2", REDIRECT + "/", None):
        form = {"grant_type": "authorization_code", "code": code}
        if wrong:
            form["redirect_uri"] = wrong
        r = token_request(http, app, **form)
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_grant", r.text
    # The failed attempts did not spend the code.
    r = token_request(http, app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert r.status_code == 200, r.text


def test_pkce_is_required_for_public_clients_and_only_s256(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner, public=True)
    verifier, _challenge = pkce_pair()
    # No challenge at all.
    r = http.get(authorize_url(base_url, app))
    assert r.status_code == 303
    err = _error_redirect(r.headers["location"])
    assert err["error"] == ["invalid_request"]
    assert err["state"] == ["xyz"]
    # The plain method, explicit or implied by a missing method.
    for method in ("plain", None):
        r = http.get(authorize_url(base_url, app, code_challenge=verifier, code_challenge_method=method))
        assert r.status_code == 303
        assert _error_redirect(r.headers["location"])["error"] == ["invalid_request"]
    # A challenge that is not a SHA-256 digest's length.
    r = http.get(authorize_url(base_url, app, code_challenge="short", code_challenge_method="S256"))
    assert _error_redirect(r.headers["location"])["error"] == ["invalid_request"]


def test_wrong_or_missing_verifier_is_invalid_grant(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner, public=True)
    verifier, challenge = pkce_pair()
    url = authorize_url(base_url, app, code_challenge=challenge, code_challenge_method="S256")
    with Browser(base_url) as browser:
        code = code_from(browser.consent(url, owner.email))
    other, _ = pkce_pair()
    for bad in (other, None, challenge):
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        if bad:
            form["code_verifier"] = bad
        r = token_request(http, app, **form)
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_grant", r.text
    r = token_request(
        http, app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert r.status_code == 200


def test_confidential_client_cannot_add_a_verifier_to_a_code_without_challenge(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    with Browser(base_url) as browser:
        code = code_from(browser.consent(authorize_url(base_url, app), owner.email))
    verifier, _ = pkce_pair()
    r = token_request(
        http, app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_grant"
    # Confidential clients may skip PKCE (it is supported, not required, for them).
    r = token_request(http, app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert r.status_code == 200, r.text


def test_code_reuse_is_invalid_grant_and_revokes_what_it_issued(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner, public=True)
    verifier, challenge = pkce_pair()
    url = authorize_url(base_url, app, code_challenge=challenge, code_challenge_method="S256")
    with Browser(base_url) as browser:
        code = code_from(browser.consent(url, owner.email))
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    first = token_request(http, app, **form)
    assert first.status_code == 200
    tokens = first.json()
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200
    # A refresh before the replay: the replay must take the rotated pair down too.
    refreshed = token_request(http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()

    again = token_request(http, app, **form)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert again.headers["cache-control"] == "no-store"
    for access in (tokens["access_token"], refreshed["access_token"]):
        r = client.get("/v1/workspaces", headers=bearer(access))
        assert r.status_code == 401, r.text
    r = token_request(http, app, grant_type="refresh_token", refresh_token=refreshed["refresh_token"])
    assert r.json()["error"] == "invalid_grant"


def test_refresh_token_reuse_revokes_the_family(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    first = tokens_for(base_url, http, app, owner)
    second = token_request(http, app, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert second.status_code == 200
    second_tokens = second.json()
    assert second_tokens["refresh_token"] != first["refresh_token"]
    assert second_tokens["scope"] == first["scope"]
    # Narrowing on refresh is allowed; widening is not.
    r = token_request(
        http, app, grant_type="refresh_token", refresh_token=second_tokens["refresh_token"], scope="admin"
    )
    assert r.json()["error"] == "invalid_scope"

    reuse = token_request(http, app, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    # The whole family is gone: the rotated refresh token and every access token.
    r = token_request(http, app, grant_type="refresh_token", refresh_token=second_tokens["refresh_token"])
    assert r.json()["error"] == "invalid_grant"
    for access in (first["access_token"], second_tokens["access_token"]):
        assert client.get("/v1/workspaces", headers=bearer(access)).status_code == 401


def test_refresh_token_of_another_client_is_invalid_grant(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app, other = register(client, owner), register(client, owner, name="Other")
    tokens = tokens_for(base_url, http, app, owner)
    r = token_request(http, other, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.json()["error"] == "invalid_grant"


def test_revocation_answers_200_and_revokes(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    auth = (app.client_id, app.secret or "")
    for unknown in ("pto_nothing", "garbage", "ptr_" + "x" * 43):
        r = http.post("/oauth/revoke", data={"token": unknown}, auth=auth)
        assert r.status_code == 200
        assert r.content == b""
    r = http.post("/oauth/revoke", data={"token": "pto_nothing", "token_type_hint": "access_token"}, auth=auth)
    assert r.status_code == 200

    tokens = tokens_for(base_url, http, app, owner)
    # Bad client credentials are a 401, never a silent success.
    r = http.post("/oauth/revoke", data={"token": tokens["access_token"]}, auth=(app.client_id, "pts_wrong"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200
    # Another client's token: 200, and nothing happens to it.
    other = register(client, owner, name="Other")
    r = http.post("/oauth/revoke", data={"token": tokens["access_token"]}, auth=(other.client_id, other.secret or ""))
    assert r.status_code == 200
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200

    r = http.post("/oauth/revoke", data={"token": tokens["access_token"]}, auth=auth)
    assert r.status_code == 200
    assert client.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 401
    # Revoking a refresh token takes its family with it.
    more = tokens_for(base_url, http, app, owner)
    r = http.post("/oauth/revoke", data={"token": more["refresh_token"], "token_type_hint": "refresh_token"}, auth=auth)
    assert r.status_code == 200
    assert client.get("/v1/workspaces", headers=bearer(more["access_token"])).status_code == 401
    r = token_request(http, app, grant_type="refresh_token", refresh_token=more["refresh_token"])
    assert r.json()["error"] == "invalid_grant"


def test_introspection(base_url: str, client: httpx.Client, http: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    auth = (app.client_id, app.secret or "")
    tokens = tokens_for(base_url, http, app, owner)

    r = http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth)
    assert r.status_code == 200
    body = r.json()
    assert body["active"] is True
    assert body["scope"] == "workspaces:read projects:write"
    assert body["client_id"] == app.client_id
    assert body["sub"] == owner.id
    assert body["token_type"] == "Bearer"
    assert body["exp"] > time.time() + 3500
    r = http.post("/oauth/introspect", data={"token": tokens["refresh_token"]}, auth=auth)
    assert r.json()["active"] is True
    assert r.json()["token_type"] == "refresh_token"

    # Client authentication is required: none, a wrong secret, or a public client are 401.
    assert http.post("/oauth/introspect", data={"token": tokens["access_token"]}).status_code == 401
    r = http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=(app.client_id, "pts_x"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    public = register(client, owner, public=True, name="Public")
    r = http.post("/oauth/introspect", data={"token": tokens["access_token"], "client_id": public.client_id})
    assert r.status_code == 401

    other = register(client, owner, name="Other")
    invalid = ["", "garbage", "pto_unknown", "ptr_unknown", app.secret or ""]
    for token in invalid:
        r = http.post("/oauth/introspect", data={"token": token}, auth=auth)
        assert r.status_code == 200, token
        assert r.json() == INACTIVE, token
    # Another client's token looks inactive to this one.
    r = http.post(
        "/oauth/introspect", data={"token": tokens["access_token"]}, auth=(other.client_id, other.secret or "")
    )
    assert r.json() == INACTIVE
    # A rotated refresh token, and a revoked access token, are inactive.
    rotated = token_request(http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert http.post("/oauth/introspect", data={"token": tokens["refresh_token"]}, auth=auth).json() == INACTIVE
    http.post("/oauth/revoke", data={"token": rotated["access_token"]}, auth=auth)
    assert http.post("/oauth/introspect", data={"token": rotated["access_token"]}, auth=auth).json() == INACTIVE


ACCESS_TTL, CODE_TTL = 120, 90


@pytest.fixture
def short_lived(
    settings: Settings, db: Database, serve_app: Callable[[ASGIApp], AbstractContextManager[str]]
) -> object:
    """A second server over the same database whose codes and access tokens live a little while:
    long enough that no slow machine sees them expire on its own."""
    quick = settings.model_copy(update={"oauth_access_token_ttl": ACCESS_TTL, "oauth_code_ttl": CODE_TTL})
    with serve_app(create_app(quick, db)) as url:
        yield url


def _age_grants(db: Database, seconds: float) -> None:
    """Move the OAuth rows' clock by hand: every stored time `seconds` further in the past, as
    if that much time had gone by (CONTRIBUTING: no sleeping)."""
    back = timedelta(seconds=seconds)
    with db.unit_of_work() as session:
        # In Python, not SQL: SQLite has no datetime arithmetic on these columns.
        for code in session.scalars(select(OAuthCode)):
            code.expires_at -= back
            code.created_at -= back
        for token in session.scalars(select(OAuthToken)):
            token.access_expires_at -= back
            token.created_at -= back
            if token.refresh_expires_at is not None:
                token.refresh_expires_at -= back


def test_expired_codes_and_tokens_are_refused(short_lived: str, client: httpx.Client, db: Database) -> None:
    base = short_lived
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    auth = (app.client_id, app.secret or "")
    with httpx.Client(base_url=base, timeout=30) as http:
        tokens = tokens_for(base, http, app, owner)
        assert tokens["expires_in"] == ACCESS_TTL
        with Browser(base) as browser:
            late_code = code_from(browser.consent(authorize_url(base, app), owner.email))
        # Still good now: what refuses them below is their age, nothing else.
        assert http.get("/v1/workspaces", headers=bearer(tokens["access_token"])).status_code == 200
        assert http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth).json()["active"]
        _age_grants(db, max(ACCESS_TTL, CODE_TTL) + 1)
        r = http.get("/v1/workspaces", headers=bearer(tokens["access_token"]))
        assert r.status_code == 401
        assert "expired" in r.json()["error"]["message"]
        assert http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth).json() == INACTIVE
        r = token_request(http, app, grant_type="authorization_code", code=late_code, redirect_uri=REDIRECT)
        assert r.json()["error"] == "invalid_grant"
        # The refresh token outlives the access token.
        r = token_request(http, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
        assert r.status_code == 200
        assert http.get("/v1/workspaces", headers=bearer(r.json()["access_token"])).status_code == 200


def test_grants_that_do_not_exist(base_url: str, client: httpx.Client, http: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    r = token_request(http, app, grant_type="password", username=owner.email, password=PASSWORD)
    assert r.status_code == 400
    assert r.json()["error"] == "unsupported_grant_type"
    r = token_request(http, app)
    assert r.json()["error"] == "invalid_request"
    # No implicit grant: response_type=token is refused at the authorization endpoint.
    r = http.get(authorize_url(base_url, app, response_type="token"))
    assert _error_redirect(r.headers["location"])["error"] == ["unsupported_response_type"]
    # Form bodies only, each parameter once.
    r = http.post("/oauth/token", json={"grant_type": "client_credentials"}, auth=(app.client_id, app.secret or ""))
    assert r.json()["error"] == "invalid_request"
    r = http.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(app.client_id, app.secret or ""),
    )
    assert r.json()["error"] == "invalid_request"


def test_client_credentials_rules(client: httpx.Client, http: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    app = register(client, owner, scopes=["tasks:read"])
    r = token_request(http, app, grant_type="client_credentials", scope="tasks:write")
    assert r.json()["error"] == "invalid_scope"
    r = http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": app.secret},
    )
    assert r.status_code == 200
    assert r.json()["scope"] == "tasks:read"
    r = token_request(http, app, grant_type="client_credentials")
    assert r.status_code == 200
    r = http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(app.client_id, "pts_wrong"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert "Basic" in r.headers["www-authenticate"]
    public = register(client, owner, public=True)
    r = token_request(http, public, grant_type="client_credentials")
    assert r.json()["error"] == "unauthorized_client"
    # A scope the client may not ask for is refused at authorization too.
    r = http.get(authorize_url("", app, scope="tasks:write"))
    assert r.status_code == 303
    assert "error=invalid_scope" in r.headers["location"]


def test_metadata_document(base_url: str, http: httpx.Client) -> None:
    r = http.get("/.well-known/oauth-authorization-server")
    assert r.status_code == 200
    meta = r.json()
    assert meta["issuer"] == base_url
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    assert set(meta["grant_types_supported"]) == {"authorization_code", "refresh_token", "client_credentials"}
    assert "password" not in meta["grant_types_supported"]
    assert "implicit" not in meta["grant_types_supported"]
    for endpoint in ("authorization", "token", "revocation", "introspection"):
        assert meta[f"{endpoint}_endpoint"].startswith(base_url + "/oauth/")
    assert "workspaces:read" in meta["scopes_supported"]
    assert "projects:write" in meta["scopes_supported"]
