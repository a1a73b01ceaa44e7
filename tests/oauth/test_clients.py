"""Registering OAuth clients: /v1/oauth/clients (owner-only, `admin` scope) and the CLI.

The standard cases (401, 403, 404, 422 bodies, hostile input, paging, events) are the CRUD
contract's: tests/api/v1/test_crud_contracts.py. Here: what is specific to the resource.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx

from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.cli.test_cli import polytask
from tests.factories.people import make_person
from tests.oauth.flow import (
    PASSWORD,
    REDIRECT,
    Browser,
    Client,
    authorize_url,
    bearer,
    code_from,
    pkce_pair,
    token_request,
)

CLIENT_ID = re.compile(r"^client_id: (ptc_[0-9a-f]{24})$")
SECRET = re.compile(r"^client_secret: (pts_[A-Za-z0-9_-]{43})$")


def test_create_list_get_delete(client: httpx.Client, db: Database) -> None:
    owner, other = make_person(db), make_person(db)
    body = {"name": "Dashboard", "redirect_uris": [REDIRECT], "scopes": ["tasks:read"]}
    r = client.post("/v1/oauth/clients", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["type"] == "oauth_client"
    assert r.headers["location"] == f"/v1/oauth/clients/{data['id']}"
    attrs = data["attributes"]
    assert attrs["public"] is False
    assert attrs["scopes"] == ["tasks:read"]
    assert attrs["redirect_uris"] == [REDIRECT]
    assert attrs["client_secret"].startswith("pts_")

    r = client.get(f"/v1/oauth/clients/{data['id']}", headers=owner.headers)
    assert r.status_code == 200
    assert (
        "client_secret" not in r.json()["data"]["attributes"] or r.json()["data"]["attributes"]["client_secret"] is None
    )
    listed = client.get("/v1/oauth/clients", headers=owner.headers).json()["data"]
    assert [c["id"] for c in listed] == [data["id"]]
    # Owner-only: someone else sees nothing and cannot delete it.
    assert client.get("/v1/oauth/clients", headers=other.headers).json()["data"] == []
    assert client.get(f"/v1/oauth/clients/{data['id']}", headers=other.headers).status_code == 404
    assert client.delete(f"/v1/oauth/clients/{data['id']}", headers=other.headers).status_code == 404

    assert client.delete(f"/v1/oauth/clients/{data['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/v1/oauth/clients/{data['id']}", headers=owner.headers).status_code == 404
    assert client.get("/v1/oauth/clients/oauth_client_999", headers=owner.headers).status_code == 404


def test_all_scopes_by_default_and_public_clients_have_no_secret(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    r = client.post(
        "/v1/oauth/clients", json={"name": "SPA", "redirect_uris": [REDIRECT], "public": True}, headers=owner.headers
    )
    assert r.status_code == 201
    attrs = r.json()["data"]["attributes"]
    assert attrs.get("client_secret") is None
    assert {"admin", "tasks:read", "workspaces:write"} <= set(attrs["scopes"])


def test_registration_needs_the_api_keys_scopes_and_stays_within_them(client: httpx.Client, db: Database) -> None:
    scoped = make_person(db, scopes=["tasks:write"])
    r = client.post("/v1/oauth/clients", json={"name": "x", "redirect_uris": [REDIRECT]}, headers=scoped.headers)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == "api_keys:write"
    r = client.get("/v1/oauth/clients", headers=scoped.headers)
    assert r.status_code == 403
    assert r.json()["error"]["details"]["required_scope"] == "api_keys:read"

    keys = make_person(db, scopes=["api_keys:write", "tasks:read"])
    # No more than the credential holds: a client that could get `admin` is refused.
    for scopes in (["admin"], ["tasks:write"], ["tasks:read", "projects:read"]):
        body = {"name": "x", "redirect_uris": [REDIRECT], "scopes": scopes}
        r = client.post("/v1/oauth/clients", json=body, headers=keys.headers)
        assert r.status_code == 403, scopes
    r = client.post("/v1/oauth/clients", json={"name": "x", "redirect_uris": [REDIRECT]}, headers=keys.headers)
    assert r.status_code == 201
    assert r.json()["data"]["attributes"]["scopes"] == ["api_keys:write", "tasks:read"]


def test_workspace_bound_credentials_cannot_register_clients(client: httpx.Client, db: Database) -> None:
    owner = make_person(db)
    app = client.post("/v1/oauth/clients", json={"name": "x", "redirect_uris": [REDIRECT]}, headers=owner.headers)
    bound = make_person(db, bind_workspace=True)
    r = client.post("/v1/oauth/clients", json={"name": "x", "redirect_uris": [REDIRECT]}, headers=bound.headers)
    assert r.status_code == 403
    assert "bound to a workspace" in r.json()["error"]["message"]
    assert client.get("/v1/oauth/clients", headers=bound.headers).json()["data"] == []
    assert client.get(f"/v1/oauth/clients/{app.json()['data']['id']}", headers=bound.headers).status_code == 404


def test_cli_creates_clients_that_work(
    settings: Settings, base_url: str, client: httpx.Client, db: Database, tmp_path: Path
) -> None:
    owner = make_person(db, password=PASSWORD)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return polytask(*args, database_url=settings.effective_database_url, home=tmp_path)

    r = cli(
        "oauth-clients", "create", "--name", "CLI app", "--redirect-uri", REDIRECT,
        "--redirect-uri", REDIRECT + "2", "--scopes", "workspaces:read tasks:read", "--owner", owner.email,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    id_match, secret_match = CLIENT_ID.match(lines[0]), SECRET.match(lines[1])
    assert id_match
    assert secret_match
    app = Client(id_match.group(1), secret_match.group(1), "")
    with httpx.Client(base_url=base_url) as http:
        r2 = token_request(http, app, grant_type="client_credentials")
    assert r2.status_code == 200, r2.text
    assert r2.json()["scope"] == "workspaces:read tasks:read"
    assert client.get("/v1/workspaces", headers=bearer(r2.json()["access_token"])).status_code == 200

    r = cli("oauth-clients", "create", "--name", "SPA", "--redirect-uri", REDIRECT, "--public", "--owner", owner.email)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    public_id = CLIENT_ID.match(lines[0])
    assert public_id
    # The public client runs the PKCE flow.
    verifier, challenge = pkce_pair()
    spa = Client(public_id.group(1), None, "")
    url = authorize_url(base_url, spa, scope="tasks:read", code_challenge=challenge, code_challenge_method="S256")
    with Browser(base_url) as browser:
        code = code_from(browser.consent(url, owner.email))
    with httpx.Client(base_url=base_url) as http:
        r2 = token_request(
            http, spa, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
        )
    assert r2.status_code == 200, r2.text

    listed = cli("oauth-clients", "list")
    assert id_match.group(1) in listed.stdout
    assert public_id.group(1) in listed.stdout
    assert cli("oauth-clients", "delete", id_match.group(1)).returncode == 0
    assert id_match.group(1) not in cli("oauth-clients", "list").stdout


def test_cli_refusals(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner = make_person(db)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return polytask(*args, database_url=settings.effective_database_url, home=tmp_path)

    base = ("oauth-clients", "create", "--name", "x", "--owner", owner.email)
    r = cli(*base, "--redirect-uri", "http://example.com/cb")
    assert r.returncode != 0
    assert "loopback" in r.stderr
    r = cli(*base, "--redirect-uri", REDIRECT, "--scopes", "tasks:fly")
    assert r.returncode != 0
    assert "tasks:fly" in r.stderr
    r = cli(*base, "--public")
    assert r.returncode != 0
    assert "redirect URI" in r.stderr
    r = cli("oauth-clients", "create", "--name", "x", "--redirect-uri", REDIRECT, "--owner", "nobody@example.com")
    assert r.returncode != 0
    assert "no user" in r.stderr


def test_cli_owner_defaults_to_the_admin(
    settings: Settings, client: httpx.Client, db: Database, tmp_path: Path
) -> None:
    admin = make_person(db, role="admin")
    r = polytask(
        "oauth-clients", "create", "--name", "Ops", "--redirect-uri", REDIRECT,
        database_url=settings.effective_database_url, home=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    client_id = CLIENT_ID.match(r.stdout.splitlines()[0])
    assert client_id
    listed = client.get("/v1/oauth/clients", headers=admin.headers).json()["data"]
    assert [c["attributes"]["client_id"] for c in listed] == [client_id.group(1)]
