"""Signing deliveries: Standard Webhooks headers and the spec's `X-Polytask-Signature`.

Both signatures use the same key bytes: the base64-decoded part of a `whsec_` secret, or
the UTF-8 bytes of a plain secret (the spec's "your_webhook_secret"). A receiver using the
`standardwebhooks` library with a plain secret therefore passes `"whsec_" + base64(secret)`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook as StandardWebhook

PREFIX = "whsec_"


def generate_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key_bytes(secret: str) -> bytes:
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret[len(PREFIX) :] + "==", validate=False)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def valid_whsec(secret: str) -> bool:
    if not secret.startswith(PREFIX):
        return True
    try:
        return len(base64.b64decode(secret[len(PREFIX) :], validate=True)) >= 16
    except (binascii.Error, ValueError):
        return False


def polytask_signature(key: bytes, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_headers(
    *, message_id: str, timestamp: datetime, body: bytes, secret: str, previous_secret: str | None
) -> dict[str, str]:
    """The signing headers of one attempt; during a rotation both secrets sign."""
    keys = [key_bytes(secret)] + ([key_bytes(previous_secret)] if previous_secret else [])
    text = body.decode()
    standard = " ".join(StandardWebhook(k).sign(message_id, timestamp, text) for k in keys)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": standard,
        "X-Polytask-Signature": polytask_signature(keys[0], body),
    }
    if len(keys) > 1:
        headers["X-Polytask-Signature-Previous"] = polytask_signature(keys[1], body)
    return headers
