"""/openapi.json declares its credentials (so /docs has an Authorize button), and what it
declares works: the OAuth URLs are this server's, and a token with an operation's declared
scope is let through that operation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import httpx

from polytask.core.db import Database
from polytask.core.scopes import SCOPES
from tests.api.v1.test_scopes import OPEN
from tests.factories.people import make_person
from tests.oauth.flow import bearer, register, token_request

METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_security_schemes_and_every_native_operation_names_its_credentials(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "ptk_<prefix>_<secret>",
        "description": schemes["ApiKey"]["description"],
    }
    flows = schemes["OAuth2"]["flows"]
    assert set(flows) == {"authorizationCode", "clientCredentials"}
    code, credentials = flows["authorizationCode"], flows["clientCredentials"]
    assert (code["authorizationUrl"], code["tokenUrl"], credentials["tokenUrl"]) == (
        "/oauth/authorize",
        "/oauth/token",
        "/oauth/token",
    )
    assert set(code["scopes"]) == set(credentials["scopes"]) == SCOPES
    native = [(m, p, op) for m, p, op in operations(document) if p.startswith("/v1/")]
    assert len(native) > 50
    for method, path, operation in native:
        if (method.lower(), path) in OPEN:
            # Credential-free by design (an invite's sign-up, a password reset): none asked.
            assert operation["security"] == [], (method, path)
            continue
        scope = operation["x-required-scope"]
        assert operation["security"] == [{"ApiKey": []}, {"OAuth2": [scope]}], (method, path)
        assert scope in SCOPES
    # The server's own metadata names the same endpoints, resolved against its address.
    meta = client.get("/.well-known/oauth-authorization-server").json()
    base = str(client.base_url)
    assert meta["authorization_endpoint"] == urljoin(base, code["authorizationUrl"])
    assert meta["token_endpoint"] == urljoin(base, code["tokenUrl"])
    page = client.get("/docs").text
    assert "/openapi.json" in page
    assert "oauth2RedirectUrl: window.location.origin + '/docs/oauth2-redirect'" in page
    redirect = client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert "oauth2" in redirect.text


def test_a_token_from_the_declared_url_with_the_declared_scope_is_let_through(
    client: httpx.Client, http: httpx.Client, db: Database
) -> None:
    owner = make_person(db)
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/workspaces"]["get"]
    [scope] = operation["security"][1]["OAuth2"]
    token_url = document["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]["tokenUrl"]
    assert token_url == "/oauth/token"  # what token_request posts to
    app = register(client, owner, scopes=[scope, "tasks:read"])
    narrow = token_request(http, app, grant_type="client_credentials", scope="tasks:read").json()["access_token"]
    assert client.get("/v1/workspaces", headers=bearer(narrow)).status_code == 403
    granted = token_request(http, app, grant_type="client_credentials", scope=scope).json()["access_token"]
    assert client.get("/v1/workspaces", headers=bearer(granted)).status_code == 200
    assert client.get("/v1/workspaces", headers=owner.headers).status_code == 200
