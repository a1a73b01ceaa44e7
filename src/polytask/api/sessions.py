"""The session cookie over HTTP: reading, setting and clearing it, and authenticating by it.

One cookie for every browser use: TaskFlow's /api (api/taskflow/) and /v1 (api/deps.py tries it
when a request has no Authorization header). CSRF checks for its state changes: api/csrf.py.
"""

from __future__ import annotations

import ipaddress

from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import Scope

from polytask.api.credentials import Authenticator, authenticator
from polytask.core.settings import Settings
from polytask.core.signing import signing_key
from polytask.domain.api_keys.service import Authenticated
from polytask.domain.sessions.service import authenticate_session, csrf_token_for, touch_session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_cookie(request: Request) -> str | None:
    """The session cookie's value, if the request carries one."""
    return request.cookies.get(_settings(request).session_cookie_name) or None


def session_cookie_in(scope: Scope, name: str) -> str | None:
    """The session cookie's value from a raw ASGI scope, for middleware that runs before any
    Request exists (CSRF, rate limits, idempotency keys); every Cookie header is looked at."""
    for value in Headers(scope=scope).getlist("cookie"):
        found = cookie_parser(value).get(name)
        if found:
            return found
    return None


def csrf_key(settings: Settings) -> bytes:
    """The key CSRF tokens are derived with: the server's signing key (POLYTASK_SECRET_KEY)."""
    return signing_key(settings)


def csrf_token(request: Request, raw: str) -> str:
    state = request.app.state
    key: bytes | None = getattr(state, "csrf_key", None)
    if key is None:
        key = state.csrf_key = csrf_key(_settings(request))
    return csrf_token_for(key, raw)


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_secure(request: Request) -> bool:
    """Whether the session cookie is marked Secure for this request (docs/security.md, "The cookie").

    `auto`: always, except for plain HTTP from a loopback client (a script on the server's own
    machine, or `make run` in development), where no browser elsewhere on a network is on the other
    end. The scheme and client are those the ASGI server reports: uvicorn takes them from
    `X-Forwarded-Proto` / `X-Forwarded-For` when the connection comes from a trusted proxy
    (`FORWARDED_ALLOW_IPS`, loopback by default), so a TLS proxy in front keeps the flag on.
    """
    mode = _settings(request).session_cookie_secure
    if mode != "auto":
        return mode == "always"
    if request.url.scheme in ("https", "wss"):
        return True
    return not _loopback(request.client.host if request.client else None)


def set_session_cookie(request: Request, response: Response, raw: str) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs), Path=/, Secure
    as `cookie_secure` decides.

    No Max-Age: the browser drops it when it closes; the server enforces the idle and absolute limits.
    """
    settings = _settings(request)
    response.set_cookie(
        settings.session_cookie_name,
        raw,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    settings = _settings(request)
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )


def resolve_session(session: Session, request: Request) -> Authenticated:
    client = request.client.host if request.client else None
    return authenticate_session(session, _settings(request), session_cookie(request) or "", client_ip=client)


# Records use (last_seen_at, which the idle limit counts from) like an API key's "last used".
session_auth: Authenticator = authenticator(resolve_session, touch=touch_session)
