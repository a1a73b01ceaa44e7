"""Claiming, completing and replaying idempotency keys.

A key is claimed (a row in state "running", committed) before the request runs, so a
concurrent duplicate sees the claim and is refused instead of running twice. When the
first request finishes, its response is stored on the row and replayed to retries until
the row expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polytask.core.clock import as_utc, utcnow
from polytask.core.errors import Conflict, ValidationFailed
from polytask.models import IdempotencyKey

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claimed:
    row_id: int


Outcome = Replay | Claimed


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
            {"field": "Idempotency-Key", "issue": f"must be 1 to {MAX_KEY_LENGTH} characters"},
        )
    return key


def claim_key(
    session: Session, *, scope: str, key: str, fingerprint: str, method: str, path: str, ttl: timedelta
) -> Outcome:
    """Claim `key` for this request, or return the stored response to replay.

    Raises Conflict while the first request with this key is still running, and
    ValidationFailed when the key was first used with a different request.
    """
    now = utcnow()
    existing = session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
    if existing is not None and (as_utc(existing.expires_at) or now) <= now:
        session.delete(existing)
        session.flush()
        existing = None
    if existing is None:
        row = IdempotencyKey(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            method=method,
            path=path,
            state="running",
            response_headers={},
            created_at=now,
            expires_at=now + ttl,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            # Another request claimed it between our read and our insert.
            raise _running(key) from None
        return Claimed(row.id)
    if existing.fingerprint != fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used with a different request",
            {
                "field": "Idempotency-Key",
                "issue": "was used with a different method, path or body",
                "first_request": f"{existing.method} {existing.path}",
            },
        )
    if existing.state != "done" or existing.response_status is None:
        raise _running(key)
    return Replay(existing.response_status, dict(existing.response_headers), existing.response_body or b"")


def complete_key(session: Session, *, row_id: int, status: int, headers: dict[str, Any], body: bytes) -> None:
    """Store the first response for replay."""
    row = session.get(IdempotencyKey, row_id)
    if row is None:
        return
    row.state = "done"
    row.response_status = status
    row.response_headers = headers
    row.response_body = body


def release_key(session: Session, *, row_id: int) -> None:
    """Forget a claim whose request produced no result worth replaying (a 5xx, say)."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))


def purge_expired(session: Session, *, limit: int = 1000) -> int:
    """Delete up to `limit` expired keys; returns how many."""
    ids = list(session.scalars(select(IdempotencyKey.id).where(IdempotencyKey.expires_at <= utcnow()).limit(limit)))
    if ids:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(ids)))
    return len(ids)


def _running(key: str) -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry later",
        {"field": "Idempotency-Key", "issue": "the first request with this key has not finished", "key": key},
    )
