"""The authorization-code flow with PKCE end to end, driven by Authlib's OAuth2Client (a real
third-party OAuth library) against the server on loopback; the HTML forms with plain HTTP."""

from __future__ import annotations

import warnings
from urllib.parse import quote

import httpx
import pytest
from authlib.common.security import generate_token

with warnings.catch_warnings():
    # Authlib 1.7+ prefers the httpx2 fork and warns when it falls back to httpx; httpx is what we have.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import OAuth2Client

from polytask.core.db import Database
from tests.factories.people import make_person
from tests.oauth.flow import PASSWORD, REDIRECT, Browser, authorize_url, bearer, code_from, register


@pytest.fixture(autouse=True)
def _loopback_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # Authlib refuses plain http unless told the transport is trusted; the test server is on 127.0.0.1.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def test_public_client_with_pkce_end_to_end(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    alice = make_person(db, password=PASSWORD)
    app = register(client, owner, public=True)
    assert app.secret is None
    oauth = OAuth2Client(
        client_id=app.client_id,
        scope="workspaces:read projects:write",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = generate_token(64)
    url, state = oauth.create_authorization_url(f"{base_url}/oauth/authorize", code_verifier=verifier)
    assert "code_challenge=" in url
    assert "code_challenge_method=S256" in url
    with Browser(base_url) as browser:
        consent = browser.sign_in(url, alice.email)
        assert consent.status_code == 200
        assert "Test app" in consent.text
        assert "workspaces:read" in consent.text
        assert "projects:write" in consent.text
        location = browser.submit(consent, action="approve").headers["location"]
    assert location.startswith(REDIRECT + "?")
    assert f"state={state}" in location

    token = oauth.fetch_token(f"{base_url}/oauth/token", authorization_response=location, code_verifier=verifier)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert token["scope"] == "workspaces:read projects:write"
    assert token["access_token"].startswith("pto_")
    assert token["refresh_token"].startswith("ptr_")

    # The token acts as alice, on every /v1 route, like an API key.
    r = oauth.get(f"{base_url}/v1/workspaces")
    assert r.status_code == 200, r.text
    assert [w["id"] for w in r.json()["data"]] == [alice.workspace]
    r = oauth.post(f"{base_url}/v1/projects", json={"name": "Via OAuth", "workspace_id": alice.workspace})
    assert r.status_code == 201, r.text

    # Refresh (rotation): a new pair, and the new access token works.
    old_refresh = token["refresh_token"]
    fresh = oauth.refresh_token(f"{base_url}/oauth/token")
    assert fresh["refresh_token"] != old_refresh
    assert fresh["access_token"] != token["access_token"]
    r = client.get("/v1/workspaces", headers=bearer(fresh["access_token"]))
    assert r.status_code == 200


def test_confidential_client_with_basic_auth_end_to_end(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner, scopes=["tasks:read", "workspaces:read"])
    assert app.secret is not None
    assert app.secret.startswith("pts_")
    oauth = OAuth2Client(
        client_id=app.client_id,
        client_secret=app.secret,
        scope="workspaces:read",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    verifier = generate_token(64)
    url, _ = oauth.create_authorization_url(f"{base_url}/oauth/authorize", code_verifier=verifier)
    with Browser(base_url) as browser:
        location = browser.consent(url, owner.email)
    token = oauth.fetch_token(f"{base_url}/oauth/token", authorization_response=location, code_verifier=verifier)
    assert token["scope"] == "workspaces:read"
    assert oauth.get(f"{base_url}/v1/workspaces").status_code == 200
    # Only what was granted: workspaces:read does not cover projects.
    r = oauth.get(f"{base_url}/v1/projects")
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == "projects:read"


def test_client_credentials_with_authlib(base_url: str, client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    app = register(client, owner, scopes=["workspaces:read", "tasks:read"])
    oauth = OAuth2Client(client_id=app.client_id, client_secret=app.secret, scope="workspaces:read")
    token = oauth.fetch_token(f"{base_url}/oauth/token", grant_type="client_credentials")
    assert token["scope"] == "workspaces:read"
    assert "refresh_token" not in token
    r = oauth.get(f"{base_url}/v1/workspaces")
    assert r.status_code == 200
    assert [w["id"] for w in r.json()["data"]] == [owner.workspace]


def test_the_specs_token_request_as_written(
    base_url: str, client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    """taskade-developer-api.md, Authentication: client_secret in the form, no PKCE, no state."""
    owner = make_person(db, password=PASSWORD)
    app = register(client, owner)
    url = authorize_url(base_url, app, state=None)
    with Browser(base_url) as browser:
        location = browser.consent(url, owner.email)
    assert "state=" not in location
    r = http.post(
        "/oauth/token",
        content=(
            f"client_id={app.client_id}&client_secret={app.secret}&code={code_from(location)}&"
            f"grant_type=authorization_code&redirect_uri={quote(REDIRECT, safe='')}"
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "workspaces:read projects:write"
    assert r.headers["cache-control"] == "no-store"
