"""Auditing rejected credentials: what was presented, described without its secret.

An `auth.credential_rejected` event says on which surface, why, from which address, and what
was presented: the credential's kind and its public part (an API key's `ptk_<prefix>`, which
key listings show anyway; a Basic username), plus a fingerprint: the first 16 hex digits of
an HMAC-SHA256 of the whole presented value under the server's signing key. The fingerprint
lets an operator see that the same bad value keeps coming back, without letting anyone who
reads the audit log test guesses of a password or key offline (they would need the key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from sqlalchemy.orm import Session

from polytask.core.settings import Settings
from polytask.core.signing import signing_key
from polytask.domain.api_keys.service import KEY_PREFIX
from polytask.domain.events.service import record_event

EVENT = "auth.credential_rejected"


def fingerprint(settings: Settings, raw: str) -> str:
    return hmac.new(signing_key(settings), raw.encode(), hashlib.sha256).hexdigest()[:16]


def describe(header: str, value: str) -> dict[str, str]:
    """The credential's kind and its public part, never its secret."""
    if header == "x-secret-key":
        return {"kind": "secret_key_header"}
    scheme, _, token = value.partition(" ")
    token = token.strip()
    scheme = scheme.lower()
    if scheme == "bearer":
        if token.startswith(KEY_PREFIX):
            prefix, sep, _ = token[len(KEY_PREFIX) :].partition("_")
            return {"kind": "api_key", "key_prefix": f"{KEY_PREFIX}{prefix[:32]}"} if sep else {"kind": "api_key"}
        if token.startswith("pto_"):
            return {"kind": "oauth_token"}
        return {"kind": "bearer"}
    if scheme == "basic":
        try:
            username = base64.b64decode(token, validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return {"kind": "basic"}
        return {"kind": "basic", "username": username[:200]}
    return {"kind": scheme[:20] or "unknown"}


def record_credential_rejected(
    session: Session,
    *,
    surface: str,
    reason: str,
    client_ip: str | None,
    presented: dict[str, str],
    fingerprint: str,
    suppressed: int = 0,
) -> None:
    """One audit event for a rejected credential (`suppressed`: rejections from the same address
    that were not recorded since the last one, see api/authaudit.py)."""
    record_event(
        session,
        None,
        type=EVENT,
        resource_type="credential",
        resource_id=0,
        workspace_id=None,
        snapshot={
            "surface": surface,
            "reason": reason[:200],
            "client_ip": client_ip,
            "presented": presented,
            "fingerprint": fingerprint,
            "suppressed": suppressed,
        },
    )
