"""The token endpoint's grants, revocation (RFC 7009), introspection (RFC 7662) and bearer use on /v1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.errors import AuthenticationFailed
from polytask.core.settings import Settings
from polytask.domain.api_keys.service import Authenticated
from polytask.domain.events.service import record_event
from polytask.domain.oauth.authorize import PKCE_VALUE
from polytask.domain.oauth.clients import authenticate_client
from polytask.domain.oauth.common import ACCESS_PREFIX, REFRESH_PREFIX, OAuthError, digest, join_scope, split_scope
from polytask.domain.workspaces.access import blocked_workspaces, in_allowlisted_workspace
from polytask.models import OAuthClient, OAuthCode, OAuthToken, User

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token_id: int
    access_token: str
    expires_in: int
    scopes: list[str]
    refresh_token: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": join_scope(self.scopes),
        }
        if self.refresh_token is not None:
            out["refresh_token"] = self.refresh_token
        return out


def _client_actor(client: OAuthClient, user_id: int | None = None, client_ip: str | None = None) -> Actor:
    return Actor(
        user_id=user_id or client.owner_id,
        global_role="user",
        credential_kind="oauth_client",
        credential_id=client.id,
        client_ip=client_ip,
    )


def record_refusal(
    session: Session,
    error: OAuthError,
    *,
    endpoint: str,
    client: OAuthClient | None,
    client_id: str | None,
    client_ip: str | None,
    grant_type: str | None = None,
) -> None:
    """Audit a refused request to a token endpoint (bad client credentials, bad grant, ...)."""
    record_event(
        session,
        None,
        type="auth.oauth_refused",
        resource_type="oauth_client",
        resource_id=client.id if client else 0,
        workspace_id=None,
        snapshot={
            "endpoint": endpoint,
            "error": error.error,
            "description": error.description,
            "client_id": (client_id or "")[:100],
            "grant_type": (grant_type or "")[:50],
            "client_ip": client_ip,
        },
    )


def _issue(
    session: Session,
    settings: Settings,
    *,
    client: OAuthClient,
    user_id: int,
    scopes: list[str],
    grant_type: str,
    family: str | None = None,
    code_id: int | None = None,
    with_refresh: bool = True,
    client_ip: str | None = None,
) -> IssuedToken:
    now = utcnow()
    access = f"{ACCESS_PREFIX}{secrets.token_urlsafe(32)}"
    refresh = f"{REFRESH_PREFIX}{secrets.token_urlsafe(32)}" if with_refresh else None
    row = OAuthToken(
        client_pk=client.id,
        user_id=user_id,
        code_id=code_id,
        family=family or secrets.token_hex(16),
        scopes=scopes,
        access_hash=digest(access),
        refresh_hash=digest(refresh) if refresh else None,
        access_expires_at=now + timedelta(seconds=settings.oauth_access_token_ttl),
        refresh_expires_at=now + timedelta(seconds=settings.oauth_refresh_token_ttl) if refresh else None,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        _client_actor(client, user_id, client_ip),
        type="auth.token_issued",
        resource_type="oauth_token",
        resource_id=row.id,
        workspace_id=None,
        snapshot={"client_id": client.client_id, "grant_type": grant_type, "scopes": scopes, "family": row.family},
    )
    return IssuedToken(row.id, access, settings.oauth_access_token_ttl, scopes, refresh)


def _revoke(session: Session, condition: Any, *, reason: str, client: OAuthClient, client_ip: str | None = None) -> int:
    """Revoke every live token matching `condition`; audited with `reason`."""
    now = utcnow()
    ids = list(session.scalars(select(OAuthToken.id).where(condition, OAuthToken.revoked_at.is_(None))))
    if ids:
        session.execute(update(OAuthToken).where(OAuthToken.id.in_(ids)).values(revoked_at=now))
    for token_id in ids:
        record_event(
            session,
            _client_actor(client, client_ip=client_ip),
            type="auth.token_revoked",
            resource_type="oauth_token",
            resource_id=token_id,
            workspace_id=None,
            snapshot={"reason": reason, "client_id": client.client_id},
        )
    return len(ids)


def _active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def _pkce_matches(verifier: str, challenge: str) -> bool:
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(computed, challenge)


def exchange_code(
    session: Session, settings: Settings, *, client: OAuthClient, form: dict[str, str], client_ip: str | None = None
) -> IssuedToken | OAuthError:
    """grant_type=authorization_code (RFC 6749 section 4.1.3, RFC 7636 section 4.6)."""
    raw = form.get("code")
    if not raw:
        return OAuthError("invalid_request", "code is required.")
    code = session.scalar(select(OAuthCode).where(OAuthCode.code_hash == digest(raw)))
    invalid = OAuthError("invalid_grant", "The authorization code is invalid, expired or already used.")
    if code is None or code.client_pk != client.id:
        return invalid
    if code.used_at is not None:
        _revoke(
            session,
            OAuthToken.code_id == code.id,
            reason="authorization code reused",
            client=client,
            client_ip=client_ip,
        )
        return invalid
    expires = as_utc(code.expires_at)
    if expires is None or expires <= utcnow():
        return invalid
    if form.get("redirect_uri") != code.redirect_uri:
        return OAuthError("invalid_grant", "redirect_uri does not match the authorization request.")
    verifier = form.get("code_verifier")
    if code.code_challenge is not None:
        if not verifier or not PKCE_VALUE.match(verifier) or not _pkce_matches(verifier, code.code_challenge):
            return OAuthError("invalid_grant", "code_verifier does not match the code_challenge.")
    elif verifier is not None:
        # A verifier for a code issued without a challenge signals a downgraded request.
        return OAuthError("invalid_grant", "This code was issued without PKCE; code_verifier is unexpected.")
    # Claimed with a conditional update, so two concurrent redemptions cannot both succeed.
    claimed = session.execute(
        update(OAuthCode).where(OAuthCode.id == code.id, OAuthCode.used_at.is_(None)).values(used_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        _revoke(
            session,
            OAuthToken.code_id == code.id,
            reason="authorization code reused",
            client=client,
            client_ip=client_ip,
        )
        return invalid
    if _active_user(session, code.user_id) is None:
        return OAuthError("invalid_grant", "The user who granted this code is deactivated.")
    return _issue(
        session,
        settings,
        client=client,
        user_id=code.user_id,
        scopes=list(code.scopes),
        grant_type="authorization_code",
        client_ip=client_ip,
        code_id=code.id,
    )


def refresh(
    session: Session, settings: Settings, *, client: OAuthClient, form: dict[str, str], client_ip: str | None = None
) -> IssuedToken | OAuthError:
    """grant_type=refresh_token with rotation; presenting a used refresh token revokes its whole family."""
    raw = form.get("refresh_token")
    if not raw:
        return OAuthError("invalid_request", "refresh_token is required.")
    row = session.scalar(select(OAuthToken).where(OAuthToken.refresh_hash == digest(raw)))
    invalid = OAuthError("invalid_grant", "The refresh token is invalid, expired, revoked or already used.")
    if row is None or row.client_pk != client.id or row.revoked_at is not None:
        return invalid
    if row.refreshed_at is not None:
        _revoke(
            session, OAuthToken.family == row.family, reason="refresh token reused", client=client, client_ip=client_ip
        )
        return invalid
    expires = as_utc(row.refresh_expires_at)
    if expires is None or expires <= utcnow():
        return invalid
    scopes = split_scope(form.get("scope")) or list(row.scopes)
    outside = [s for s in scopes if s not in row.scopes]
    if outside:
        return OAuthError("invalid_scope", f"Scope '{outside[0]}' was not granted to this refresh token.")
    if _active_user(session, row.user_id) is None:
        return invalid
    claimed = session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == row.id, OAuthToken.refreshed_at.is_(None), OAuthToken.revoked_at.is_(None))
        .values(refreshed_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        _revoke(
            session, OAuthToken.family == row.family, reason="refresh token reused", client=client, client_ip=client_ip
        )
        return invalid
    return _issue(
        session,
        settings,
        client=client,
        user_id=row.user_id,
        scopes=scopes,
        grant_type="refresh_token",
        client_ip=client_ip,
        family=row.family,
        code_id=row.code_id,
    )


def client_credentials(
    session: Session, settings: Settings, *, client: OAuthClient, form: dict[str, str], client_ip: str | None = None
) -> IssuedToken | OAuthError:
    """grant_type=client_credentials: a confidential client acting as its owner, within its scopes."""
    if client.is_public:
        return OAuthError("unauthorized_client", "Public clients cannot use client_credentials.")
    scopes = split_scope(form.get("scope")) or list(client.scopes)
    outside = [s for s in scopes if s not in client.scopes]
    if outside:
        return OAuthError("invalid_scope", f"Scope '{outside[0]}' is not allowed for this client.")
    if _active_user(session, client.owner_id) is None:
        return OAuthError("unauthorized_client", "The client's owner is deactivated.")
    return _issue(
        session,
        settings,
        client=client,
        user_id=client.owner_id,
        scopes=scopes,
        grant_type="client_credentials",
        client_ip=client_ip,
        with_refresh=False,
    )


def grant(
    session: Session, settings: Settings, *, client: OAuthClient, form: dict[str, str], client_ip: str | None = None
) -> IssuedToken | OAuthError:
    """Dispatch a token request on grant_type (no password or implicit grant, by design)."""
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        return exchange_code(session, settings, client=client, form=form, client_ip=client_ip)
    if grant_type == "refresh_token":
        return refresh(session, settings, client=client, form=form, client_ip=client_ip)
    if grant_type == "client_credentials":
        return client_credentials(session, settings, client=client, form=form, client_ip=client_ip)
    if not grant_type:
        return OAuthError("invalid_request", "grant_type is required.")
    return OAuthError("unsupported_grant_type", f"grant_type '{grant_type[:50]}' is not supported.")


def _find(session: Session, raw: str) -> tuple[OAuthToken, bool] | None:
    """The token row for a presented access or refresh token, and whether it was the refresh token."""
    if not raw or len(raw) > 200:
        return None
    hashed = digest(raw)
    row = session.scalar(
        select(OAuthToken).where(or_(OAuthToken.access_hash == hashed, OAuthToken.refresh_hash == hashed))
    )
    if row is None:
        return None
    return row, row.refresh_hash is not None and hmac.compare_digest(row.refresh_hash, hashed)


def revoke(session: Session, *, client: OAuthClient, token: str, client_ip: str | None = None) -> None:
    """RFC 7009: revoke the client's own token; a refresh token takes its whole family along.
    Unknown tokens and other clients' tokens are ignored (the answer is 200 either way)."""
    found = _find(session, token)
    if found is None or found[0].client_pk != client.id:
        return
    row, is_refresh = found
    condition = OAuthToken.family == row.family if is_refresh else OAuthToken.id == row.id
    _revoke(session, condition, reason="revoked by the client", client=client, client_ip=client_ip)


def _ts(value: datetime | None) -> int:
    moment = as_utc(value)
    assert moment is not None
    return int(moment.timestamp())


def introspect(session: Session, *, client: OAuthClient, token: str) -> dict[str, Any]:
    """RFC 7662: the token's claims when it is live and was issued to this client, else only inactive."""
    inactive: dict[str, Any] = {"active": False}
    found = _find(session, token)
    if found is None or found[0].client_pk != client.id:
        return inactive
    row, is_refresh = found
    now = utcnow()
    expires = row.refresh_expires_at if is_refresh else row.access_expires_at
    if row.revoked_at is not None or expires is None or _ts(expires) <= now.timestamp():
        return inactive
    if is_refresh and row.refreshed_at is not None:
        return inactive
    user = _active_user(session, row.user_id)
    if user is None:
        return inactive
    return {
        "active": True,
        "scope": join_scope(list(row.scopes)),
        "client_id": client.client_id,
        "username": user.username,
        "sub": f"user_{user.id}",
        "token_type": "refresh_token" if is_refresh else "Bearer",
        "exp": _ts(expires),
        "iat": _ts(row.created_at),
    }


# Built once: this runs on every request carrying an OAuth token.
_TOKEN_BY_HASH = (
    select(
        OAuthToken.id,
        OAuthToken.user_id,
        OAuthToken.scopes,
        OAuthToken.access_expires_at,
        OAuthToken.revoked_at,
        OAuthToken.last_used_at,
        OAuthClient.rate_plan,
        OAuthToken.client_pk,
        User.role,
        User.is_active,
        in_allowlisted_workspace(OAuthToken.user_id),
    )
    .join(User, User.id == OAuthToken.user_id)
    .join(OAuthClient, OAuthClient.id == OAuthToken.client_pk)
    .where(OAuthToken.access_hash == bindparam("hash"))
)


def is_access_token(raw: str) -> bool:
    return raw.startswith(ACCESS_PREFIX)


def authenticate_access_token(session: Session, raw: str, *, client_ip: str | None = None) -> Authenticated:
    """An OAuth access token as a /v1 credential: its user, limited to its scopes."""
    token = session.execute(_TOKEN_BY_HASH, {"hash": digest(raw)}).first() if is_access_token(raw) else None
    if token is None:
        raise AuthenticationFailed("Invalid OAuth access token")
    now = utcnow()
    if token.revoked_at is not None:
        raise AuthenticationFailed("This OAuth access token has been revoked")
    expires = as_utc(token.access_expires_at)
    if expires is None or expires <= now:
        raise AuthenticationFailed("This OAuth access token has expired")
    if not token.is_active:
        raise AuthenticationFailed("This user is deactivated")
    blocked: frozenset[int] = frozenset()
    if token.allowlisted:  # a second query only for users in a workspace with an allowlist
        blocked = blocked_workspaces(session, token.user_id, client_ip)
    actor = Actor(
        user_id=token.user_id,
        global_role=token.role,
        credential_id=token.id,
        credential_kind="oauth_token",
        scopes=frozenset(token.scopes),
        client_ip=client_ip,
        blocked_workspaces=blocked,
        rate_plan=token.rate_plan,
        client_id=token.client_pk,
    )
    last = as_utc(token.last_used_at)
    return Authenticated(actor=actor, needs_touch=last is None or now - last > TOUCH_INTERVAL)


def touch_access_token(session: Session, token_id: int) -> None:
    """Record use ("last used"); throttled by the caller."""
    session.execute(update(OAuthToken).where(OAuthToken.id == token_id).values(last_used_at=utcnow()))


def token_endpoint(
    session: Session,
    settings: Settings,
    *,
    client_id: str | None,
    client_secret: str | None,
    form: dict[str, str],
    client_ip: str | None,
) -> IssuedToken | OAuthError:
    """POST /oauth/token: authenticate the client, run the grant, audit the outcome either way."""
    client = authenticate_client(session, client_id, client_secret)
    grant_type = form.get("grant_type")
    if isinstance(client, OAuthError):
        record_refusal(
            session,
            client,
            endpoint="token",
            client=None,
            client_id=client_id,
            client_ip=client_ip,
            grant_type=grant_type,
        )
        return client
    result = grant(session, settings, client=client, form=form, client_ip=client_ip)
    if isinstance(result, OAuthError):
        record_refusal(
            session,
            result,
            endpoint="token",
            client=client,
            client_id=client_id,
            client_ip=client_ip,
            grant_type=grant_type,
        )
    return result


def revocation_endpoint(
    session: Session, *, client_id: str | None, client_secret: str | None, token: str | None, client_ip: str | None
) -> OAuthError | None:
    """POST /oauth/revoke: None means 200, whether or not the token was known."""
    client = authenticate_client(session, client_id, client_secret)
    if isinstance(client, OAuthError):
        record_refusal(session, client, endpoint="revoke", client=None, client_id=client_id, client_ip=client_ip)
        return client
    if not token:
        return OAuthError("invalid_request", "token is required.")
    revoke(session, client=client, token=token, client_ip=client_ip)
    return None


def introspection_endpoint(
    session: Session, *, client_id: str | None, client_secret: str | None, token: str | None, client_ip: str | None
) -> dict[str, Any] | OAuthError:
    """POST /oauth/introspect: only confidential clients may ask, and only about their own tokens."""
    client = authenticate_client(session, client_id, client_secret, confidential_only=True)
    if isinstance(client, OAuthError):
        record_refusal(session, client, endpoint="introspect", client=None, client_id=client_id, client_ip=client_ip)
        return client
    if token is None:
        return OAuthError("invalid_request", "token is required.")
    return introspect(session, client=client, token=token)
