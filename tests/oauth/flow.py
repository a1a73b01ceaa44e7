"""Driving the authorization server as a browser would: plain HTTP, the HTML forms, no script."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.factories.people import Person

PASSWORD = "correct horse battery"
REDIRECT = "http://127.0.0.1:8765/callback"


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str | None
    pk: str  # the /v1 resource id


def register(
    http: httpx.Client,
    owner: Person,
    *,
    public: bool = False,
    redirect_uris: list[str] | None = None,
    scopes: list[str] | None = None,
    name: str = "Test app",
) -> Client:
    body: dict[str, Any] = {"name": name, "redirect_uris": redirect_uris or [REDIRECT], "public": public}
    if scopes is not None:
        body["scopes"] = scopes
    r = http.post("/v1/oauth/clients", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    attrs = r.json()["data"]["attributes"]
    return Client(attrs["client_id"], attrs.get("client_secret"), r.json()["data"]["id"])


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(base_url: str, client: Client, **params: str | None) -> str:
    query: dict[str, str] = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "scope": "workspaces:read projects:write",
        "state": "xyz",
    }
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"{base_url}/oauth/authorize?{urlencode(query)}"


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The first form's action and hidden fields."""
    action = re.search(r'<form method=post action="([^"]+)"', page)
    assert action, page
    hidden = dict(re.findall(r'<input type=hidden name=([a-z_]+) value="([^"]*)"', page))
    return unescape(action.group(1)), {k: unescape(v) for k, v in hidden.items()}


class Browser:
    """A cookie jar and the forms: sign in, then approve or deny."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def open(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def submit(self, page: httpx.Response, **fields: str) -> httpx.Response:
        action, hidden = form_of(page.text)
        return self.http.post(action, data={**hidden, **fields})

    def sign_in(self, url: str, login: str, password: str = PASSWORD) -> httpx.Response:
        """Open the authorization URL and sign in; returns the consent page (or the refusal)."""
        page = self.open(url)
        assert page.status_code == 200, page.text
        assert "name=username" in page.text
        assert "name=password" in page.text
        r = self.submit(page, username=login, password=password)
        if r.status_code != 303:
            return r
        return self.http.get(r.headers["location"])

    def consent(self, url: str, login: str, *, approve: bool = True) -> str:
        """Sign in and answer the consent page; returns the redirect Location."""
        page = self.sign_in(url, login)
        assert page.status_code == 200, page.text
        assert "Approve" in page.text, page.text
        r = self.submit(page, action="approve" if approve else "deny")
        assert r.status_code == 303, r.text
        return r.headers["location"]


def code_from(location: str) -> str:
    query = parse_qs(urlsplit(location).query)
    assert "code" in query, location
    return query["code"][0]


def token_request(http: httpx.Client, client: Client, **form: str) -> httpx.Response:
    """POST /oauth/token, authenticating a confidential client with HTTP Basic."""
    auth = (client.client_id, client.secret) if client.secret else None
    data = dict(form) if auth else {"client_id": client.client_id, **form}
    return http.post("/oauth/token", data=data, auth=auth)


def tokens_for(
    base_url: str, http: httpx.Client, client: Client, person: Person, *, scope: str = "workspaces:read projects:write"
) -> dict[str, Any]:
    """The whole authorization-code flow with PKCE, by hand; returns the token response."""
    verifier, challenge = pkce_pair()
    url = authorize_url(base_url, client, scope=scope, code_challenge=challenge, code_challenge_method="S256")
    with Browser(base_url) as browser:
        code = code_from(browser.consent(url, person.email))
    r = token_request(
        http, client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
