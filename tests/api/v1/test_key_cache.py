"""The cache of verified API keys (core/keycache.py): a key this process revokes,
rotates or re-plans is refused (or re-read) at once; other processes' changes wait at most the
cache's lifetime; IP allowlists are never skipped."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from polytask.core import keycache as cache
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.errors import AuthenticationFailed
from polytask.core.keycache import KEYS, VerifiedKeys
from polytask.domain.api_keys.service import KeyRow, VerifiedKey
from polytask.models import ApiKey
from tests.api.taskforce.client import basic
from tests.factories.people import Person, make_person


def new_key(client: httpx.Client, owner: Person) -> tuple[str, str]:
    """(key id, secret) of a fresh key of `owner`."""
    r = client.post("/v1/api-keys", json={"name": "cached"}, headers=owner.headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data["id"], data["attributes"]["key"]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def cached(secret: str) -> bool:
    return KEYS.get(hashlib.sha256(secret.encode()).hexdigest()) is not None


def test_a_revoked_key_is_refused_at_once(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    key_id, secret = new_key(client, alice)
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 200
    assert cached(secret)  # verified once, trusted for a few seconds
    assert client.delete(f"/v1/api-keys/{key_id}", headers=alice.headers).status_code == 204
    r = client.get("/v1/me", headers=bearer(secret))
    assert r.status_code == 401, r.text
    assert "revoked" in r.json()["error"]["message"]
    # Taskforce (HTTP Basic with the same key) too.
    r = client.get("/api/v1/user.json", headers=basic(alice.email, secret))
    assert r.status_code == 401, r.text


def test_a_rotated_key_is_refused_at_once_and_its_successor_works(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    key_id, old = new_key(client, alice)
    assert client.get("/v1/me", headers=bearer(old)).status_code == 200
    assert cached(old)
    r = client.post(f"/v1/api-keys/{key_id}/rotate", json={}, headers=alice.headers)
    assert r.status_code == 201, r.text
    new = r.json()["data"]["attributes"]["key"]
    assert client.get("/v1/me", headers=bearer(old)).status_code == 401
    assert client.get("/v1/me", headers=bearer(new)).status_code == 200


def test_an_ip_allowlist_change_drops_every_cached_key(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    assert client.get("/v1/me", headers=alice.headers).status_code == 200
    assert cached(alice.key)
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}",
        json={"security": {"ip_whitelisting": ["127.0.0.1/32"]}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert not cached(alice.key)
    # A user in a workspace with an allowlist is looked up on every request.
    assert client.get("/v1/me", headers=alice.headers).status_code == 200
    assert not cached(alice.key)


def test_another_process_revoking_is_seen_when_the_entry_goes(client: httpx.Client, db: Database) -> None:
    """A revocation this process did not make (another server, the CLI) is honoured once the
    cached entry expires (POLYTASK_API_KEY_CACHE_SECONDS); expiry is simulated here by
    clearing, the lifetime itself is tested on VerifiedKeys below."""
    alice = make_person(db)
    key_id, secret = new_key(client, alice)
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 200
    with db.unit_of_work() as session:
        session.execute(update(ApiKey).where(ApiKey.id == int(key_id.removeprefix("key_"))).values(revoked_at=utcnow()))
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 200  # still trusted here
    KEYS.clear()
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 401


def test_entries_live_for_the_configured_time(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    keys = VerifiedKeys(ttl=5.0)
    row = object()
    keys.put("d", row, keys.generation)
    now[0] += 4.9
    assert keys.get("d") is row
    now[0] += 0.2
    assert keys.get("d") is None
    # A row read before a clear (a revocation committed meanwhile) is not kept.
    generation = keys.generation
    keys.clear()
    keys.put("d", row, generation)
    assert keys.get("d") is None
    # Lifetime 0: no cache at all.
    off = VerifiedKeys(ttl=0)
    off.put("d", row, off.generation)
    assert off.get("d") is None


def _row(**changes: Any) -> Any:
    """A row of KEY_BY_PREFIX, as a key that passed every rule when it was read."""
    values: dict[str, Any] = {
        "id": 7,
        "user_id": 3,
        "workspace_id": None,
        "key_hash": "digest",
        "scopes": ["tasks:read"],
        "expires_at": None,
        "last_used_at": utcnow(),
        "revoked_at": None,
        "rate_plan": "partner",
        "role": "member",
        "is_active": True,
        "email": "ada@example.com",
        "allowlisted": False,
    }
    return KeyRow(**{**values, **changes})


def test_a_cached_key_checks_its_expiry_and_due_use_on_every_request() -> None:
    # The cached form checks what time changes on each use, whatever it held when cached.
    with pytest.raises(AuthenticationFailed, match="expired"):
        VerifiedKey(_row(expires_at=utcnow() - timedelta(seconds=1))).check("10.0.0.1")
    naive_past = (utcnow() - timedelta(seconds=1)).replace(tzinfo=None)  # as SQLite hands it back
    with pytest.raises(AuthenticationFailed, match="expired"):
        VerifiedKey(_row(expires_at=naive_past)).check(None)

    key = VerifiedKey(_row(expires_at=utcnow() + timedelta(hours=1), last_used_at=utcnow() - timedelta(minutes=5)))
    first = key.check("10.0.0.1")
    assert first.needs_touch  # last recorded five minutes ago
    actor = first.actor
    assert (actor.user_id, actor.credential_id, actor.client_ip) == (3, 7, "10.0.0.1")
    assert (actor.scopes, actor.rate_plan, actor.global_role) == (frozenset({"tasks:read"}), "partner", "member")
    assert first.email == "ada@example.com"

    # Its use recorded (KEYS.touched): no longer due, and the actor made for the address is reused.
    key = key.touched(utcnow())
    again = key.check("10.0.0.1")
    assert not again.needs_touch
    assert again.actor is actor
    other = key.check("10.0.0.2")
    assert other.actor.client_ip == "10.0.0.2"
    assert other.actor is not actor
    assert key.check(None).actor.client_ip is None
