"""Shared pieces: protocol errors, secrets and their digests, scope strings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

ACCESS_PREFIX = "pto_"
REFRESH_PREFIX = "ptr_"
CLIENT_ID_PREFIX = "ptc_"
CLIENT_SECRET_PREFIX = "pts_"


@dataclass(frozen=True, slots=True)
class OAuthError:
    """An RFC 6749 section 5.2 error; returned (not raised) so that what it triggered is committed."""

    error: str
    description: str
    status: int = 400

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def digest(raw: str) -> str:
    # Every secret here carries at least 128 bits of entropy: a fast digest is enough.
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


def split_scope(value: str | None) -> list[str]:
    """A space-delimited scope parameter as a list without duplicates (RFC 6749 section 3.3)."""
    return list(dict.fromkeys((value or "").split()))


def join_scope(scopes: list[str]) -> str:
    return " ".join(scopes)
