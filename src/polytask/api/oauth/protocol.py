"""Parsing OAuth requests (form bodies, client credentials) and rendering OAuth JSON answers."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import Request
from starlette.responses import JSONResponse

from polytask.core.settings import Settings
from polytask.core.signing import signing_key
from polytask.domain.oauth.common import OAuthError

MAX_FORM_BYTES = 64 * 1024
# RFC 6749 section 5.1: token responses must not be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def key_of(request: Request) -> bytes:
    """The signing key, read (or created) once per application."""
    state = request.app.state
    key: bytes | None = getattr(state, "oauth_signing_key", None)
    if key is None:
        key = signing_key(settings_of(request))
        state.oauth_signing_key = key
    return key


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def read_form(request: Request) -> dict[str, str] | OAuthError:
    """An application/x-www-form-urlencoded body; every parameter at most once (RFC 6749 section 3.1)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        return OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return OAuthError("invalid_request", "The body is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return OAuthError("invalid_request", "The body is not valid UTF-8.")
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:
            return OAuthError("invalid_request", f"Parameter '{key[:50]}' was sent more than once.")
        form[key] = value
    return form


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None] | OAuthError:
    """(client_id, client_secret) from HTTP Basic (client_secret_basic) or the body (client_secret_post,
    or a public client's bare client_id); using both ways at once is refused."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return form.get("client_id"), form.get("client_secret")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return OAuthError("invalid_client", "Malformed HTTP Basic credentials.", 401)
    raw_id, sep, raw_secret = decoded.partition(":")
    if not sep:
        return OAuthError("invalid_client", "Malformed HTTP Basic credentials.", 401)
    # RFC 6749 section 2.3.1: both parts are form-urlencoded before Basic encoding.
    client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    if "client_secret" in form or form.get("client_id", client_id) != client_id:
        return OAuthError("invalid_request", "Send client credentials one way only.")
    return client_id, secret


def error_response(error: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="polytask-oauth"'
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def json_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers=NO_STORE)
