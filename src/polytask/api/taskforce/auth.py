"""HTTP Basic for Taskforce clients: email (or its "(at)" form) as the username, API key as the password."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.api.credentials import Authenticator, authenticator, client_host, raw_header
from polytask.core.errors import AuthenticationFailed
from polytask.domain.api_keys.basic import authenticate_email_and_key
from polytask.domain.api_keys.service import Authenticated

HOW = "use HTTP Basic authentication with your email as the username and your API key as the password"


def basic_credentials(request: Request) -> tuple[str, str]:
    """(username, password) from the Authorization header, or AuthenticationFailed."""
    header = raw_header(request, b"authorization")
    if not header:
        raise AuthenticationFailed(f"Missing credentials: {HOW}", {"header": "Authorization"})
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        raise AuthenticationFailed(f"Unsupported credentials: {HOW}", {"header": "Authorization"})
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed(f"Malformed Basic credentials: {HOW}", {"header": "Authorization"}) from None
    username, sep, password = decoded.partition(":")
    if not sep or not username or not password:
        raise AuthenticationFailed(f"Incomplete Basic credentials: {HOW}", {"header": "Authorization"})
    return username, password


def resolve_basic(session: Session, request: Request) -> Authenticated:
    username, password = basic_credentials(request)
    return authenticate_email_and_key(session, login=username, secret=password, client_ip=client_host(request))


basic_auth: Authenticator = authenticator(resolve_basic)
