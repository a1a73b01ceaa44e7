"""The server's signing key, and small signed, expiring values (the sign-in cookie)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from polytask.core.settings import Settings

KEY_FILE = "secret_key"


def signing_key(settings: Settings) -> bytes:
    """POLYTASK_SECRET_KEY, or a random key generated once and kept in the data directory."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value().encode()
    path = Path(settings.home) / KEY_FILE
    try:
        return path.read_text().strip().encode()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_urlsafe(48)
    try:
        # O_EXCL: when two processes start at once, the first writer wins and both read its key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(fresh + "\n")
    return fresh.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, payload: str) -> str:
    return _b64(hmac.new(key, f"{purpose}.{payload}".encode(), hashlib.sha256).digest())


def sign(key: bytes, purpose: str, data: dict[str, Any], *, ttl: int) -> str:
    """`data` with an expiry, as `<payload>.<HMAC-SHA256>`; `purpose` keeps values of one use out of another."""
    payload = _b64(json.dumps({**data, "exp": int(time.time()) + ttl}, separators=(",", ":")).encode())
    return f"{payload}.{_mac(key, purpose, payload)}"


def unsign(key: bytes, purpose: str, value: str | None) -> dict[str, Any] | None:
    """The data of a value made by `sign`, or None when it is forged, altered or expired."""
    if not value or value.count(".") != 1:
        return None
    payload, mac = value.split(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, purpose, payload).encode()):
        return None
    try:
        data = json.loads(_unb64(payload))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int) or data["exp"] < time.time():
        return None
    return data
