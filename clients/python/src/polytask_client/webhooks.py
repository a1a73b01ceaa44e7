"""Verifying Polytask's webhook requests (docs/webhooks.md, "Verifying signatures").

Every delivery is signed twice with the same key bytes (the UTF-8 bytes of a plain secret,
or the base64-decoded part of a `whsec_` secret):

- `X-Polytask-Signature: sha256=<hex HMAC-SHA256(key, raw body)>` (the spec's style), and
- Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature:
  v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` (several during a rotation).

`verify` checks the Standard Webhooks signature and its timestamp when those headers are
there (replay protection), else the `X-Polytask-Signature` header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from polytask_client._errors import WebhookVerificationError
from polytask_client._models import Record

__all__ = ["WebhookVerificationError", "construct_event", "key_bytes", "verify"]

_PREFIX = "whsec_"


def key_bytes(secret: str) -> bytes:
    """The HMAC key a secret stands for."""
    if secret.startswith(_PREFIX):
        try:
            return base64.b64decode(secret[len(_PREFIX) :] + "==", validate=False)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify(
    secret: str | list[str],
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance: float | None = 300,
    now: float | None = None,
) -> None:
    """Raise WebhookVerificationError unless `body` was signed with `secret` (or one of a
    list of secrets, e.g. while rotating). `body` is the raw request body, before any JSON
    parsing. `tolerance` (seconds) bounds how far `webhook-timestamp` may be from now;
    None skips that check."""
    keys = [key_bytes(s) for s in ([secret] if isinstance(secret, str) else secret)]
    if not keys:
        raise WebhookVerificationError("no secret given")
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if message_id and timestamp and signatures:
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise WebhookVerificationError("webhook-timestamp is not a Unix time") from None
        current = time.time() if now is None else now
        if tolerance is not None and abs(current - sent_at) > tolerance:
            raise WebhookVerificationError("webhook-timestamp is too far from now")
        signed = f"{message_id}.{timestamp}.".encode() + body
        offered = [part.split(",", 1)[1] for part in signatures.split() if part.startswith("v1,")]
        for key in keys:
            expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            if any(hmac.compare_digest(expected, sig) for sig in offered):
                return
        raise WebhookVerificationError("no webhook-signature matches")
    header = _header(headers, "X-Polytask-Signature")
    if not header:
        raise WebhookVerificationError("the request carries no signature")
    for key in keys:
        expected = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, header.strip()):
            return
    raise WebhookVerificationError("X-Polytask-Signature does not match")


def construct_event(
    secret: str | list[str], body: bytes, headers: Mapping[str, str], *, tolerance: float | None = 300
) -> Record:
    """Verify, then parse: the payload (`event`, `timestamp`, `sequence`, `data` ...)."""
    verify(secret, body, headers, tolerance=tolerance)
    payload: Any = json.loads(body)
    if not isinstance(payload, dict):
        raise WebhookVerificationError("the payload is not a JSON object")
    return Record(payload)
