"""The authorization endpoint's rules: checking a request, then the user's consent turning into a code."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.settings import Settings
from polytask.domain.events.service import record_event
from polytask.domain.oauth.clients import find_client
from polytask.domain.oauth.common import digest, split_scope
from polytask.models import OAuthCode, User

# RFC 7636 section 4.2: BASE64URL(SHA256(verifier)) is 43 characters; the alphabet is the unreserved set.
PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_SINGLE = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_pk: int
    client_id: str
    client_name: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None


@dataclass(frozen=True, slots=True)
class AuthorizationFailure:
    """An error to send back to the client at `redirect_uri`, or (when None) to show the user:
    without a trusted redirect URI the server must not redirect (RFC 6749 section 4.1.2.1)."""

    error: str
    description: str
    redirect_uri: str | None = None
    state: str | None = None

    def location(self) -> str:
        assert self.redirect_uri is not None
        params = {"error": self.error, "error_description": self.description}
        if self.state is not None:
            params["state"] = self.state
        return with_query(self.redirect_uri, params)


def with_query(uri: str, params: dict[str, str]) -> str:
    """`uri` with `params` added to whatever query it already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def check_authorization_request(
    session: Session, items: Iterable[tuple[str, str]]
) -> AuthorizationRequest | AuthorizationFailure:
    """Validate `/oauth/authorize` parameters against the registered client."""
    params: dict[str, str] = {}
    repeated: list[str] = []
    for key, value in items:
        if key in params and key in _SINGLE:
            repeated.append(key)
        params.setdefault(key, value)
    client = find_client(session, params.get("client_id"))
    if client is None:
        return AuthorizationFailure("invalid_request", "Unknown client_id.")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        return AuthorizationFailure("invalid_request", "redirect_uri is required.")
    # Exact string comparison: no normalisation, no prefix or port leeway.
    if redirect_uri not in client.redirect_uris or "redirect_uri" in repeated:
        return AuthorizationFailure("invalid_request", "redirect_uri is not registered for this client.")
    state = params.get("state")

    def fail(error: str, description: str) -> AuthorizationFailure:
        return AuthorizationFailure(error, description, redirect_uri, state)

    if repeated:
        return fail("invalid_request", f"Parameter '{repeated[0]}' was sent more than once.")
    response_type = params.get("response_type")
    if response_type != "code":
        if not response_type:
            return fail("invalid_request", "response_type is required.")
        return fail("unsupported_response_type", "Only response_type=code is supported.")
    scopes = split_scope(params.get("scope")) or list(client.scopes)
    outside = [s for s in scopes if s not in client.scopes]
    if outside:
        return fail("invalid_scope", f"Scope '{outside[0]}' is not allowed for this client.")
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if challenge is not None or method is not None:
        if method != "S256":
            return fail("invalid_request", "code_challenge_method must be S256.")
        if challenge is None or not PKCE_VALUE.match(challenge):
            return fail("invalid_request", "code_challenge must be 43 to 128 unreserved characters.")
    elif client.is_public:
        return fail("invalid_request", "Public clients must use PKCE (code_challenge with S256).")
    return AuthorizationRequest(
        client_pk=client.id,
        client_id=client.client_id,
        client_name=client.name,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=challenge,
    )


def _audit(session: Session, user: User, request: AuthorizationRequest, type: str) -> None:
    record_event(
        session,
        Actor(user_id=user.id, global_role=user.role, credential_kind="session"),
        type=type,
        resource_type="oauth_client",
        resource_id=request.client_pk,
        workspace_id=None,
        snapshot={"client_id": request.client_id, "scopes": request.scopes},
    )


def approve(session: Session, settings: Settings, *, user: User, request: AuthorizationRequest) -> str:
    """The user grants the request: issue a single-use code and return where to send the browser."""
    code = secrets.token_urlsafe(32)
    session.add(
        OAuthCode(
            code_hash=digest(code),
            client_pk=request.client_pk,
            user_id=user.id,
            redirect_uri=request.redirect_uri,
            scopes=request.scopes,
            code_challenge=request.code_challenge,
            expires_at=utcnow() + timedelta(seconds=settings.oauth_code_ttl),
        )
    )
    _audit(session, user, request, "auth.consent_granted")
    params = {"code": code}
    if request.state is not None:
        params["state"] = request.state
    return with_query(request.redirect_uri, params)


def deny(session: Session, *, user: User, request: AuthorizationRequest) -> str:
    """The user refuses: the client hears access_denied."""
    _audit(session, user, request, "auth.consent_denied")
    failure = AuthorizationFailure("access_denied", "The user denied the request.", request.redirect_uri, request.state)
    return failure.location()


def describe_scopes(scopes: list[str]) -> list[tuple[str, str]]:
    """Each scope with a sentence a person can consent to."""
    out = []
    for scope in scopes:
        if scope == "admin":
            out.append((scope, "Everything your account can do, including administration"))
            continue
        resource, _, action = scope.partition(":")
        noun = resource.replace("_", " ")
        out.append((scope, f"Read your {noun}" if action == "read" else f"Create, change and delete your {noun}"))
    return out
