"""API keys: prefixed, shown once, stored as a SHA-256 digest, optionally scoped and bound."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.db import after_commit
from polytask.core.errors import AuthenticationFailed, Conflict, NotFound, ValidationFailed
from polytask.core.keycache import KEYS, forget_verified_keys
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.scopes import check_known, within
from polytask.domain.api_keys.schemas import ApiKeyCreate, ApiKeyRotate
from polytask.domain.events.service import record_event
from polytask.domain.workspaces.access import blocked_workspaces, in_allowlisted_workspace
from polytask.models import ApiKey, Membership, User

KEY_PREFIX = "ptk_"
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    secret: str  # the full key, shown once


def _digest(raw: str) -> str:
    # Keys carry 256 bits of entropy, so a fast digest is enough (no password stretching).
    return hashlib.sha256(raw.encode()).hexdigest()


def normalize_scopes(values: Iterable[str]) -> list[str]:
    """Split space- or comma-separated scope lists, keeping order and dropping duplicates."""
    seen: list[str] = []
    for value in values:
        for part in value.replace(",", " ").split():
            if part not in seen:
                seen.append(part)
    return seen


def create_api_key(
    session: Session,
    actor: Actor | None,
    *,
    user: User,
    workspace_id: int | None = None,
    name: str = "",
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    rate_plan: str | None = None,
) -> IssuedKey:
    """Issue a key for `user`, optionally bound to one of their workspaces (and on a rate plan,
    already checked against the configured plans by the caller: core/rateplans.check_plan)."""
    if scopes:
        scopes = check_known(scopes)
    if workspace_id is not None and not session.scalar(
        select(Membership.id).where(Membership.workspace_id == workspace_id, Membership.user_id == user.id)
    ):
        raise NotFound.of("workspace", workspace_id)
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        user_id=user.id,
        workspace_id=workspace_id,
        name=name,
        prefix=prefix,
        key_hash=_digest(secret),
        scopes=scopes or None,
        expires_at=expires_at,
        rate_plan=rate_plan,
    )
    session.add(key)
    session.flush()
    record_event(
        session,
        actor,
        type="api_key.created",
        resource_type="api_key",
        resource_id=key.id,
        workspace_id=workspace_id,
        snapshot={
            "name": name,
            "user_id": user.id,
            "scopes": scopes,
            "workspace_id": workspace_id,
            **({"rate_plan": rate_plan} if rate_plan else {}),
        },
    )
    return IssuedKey(key=key, secret=secret)


# Built once: this runs on every request.
KEY_BY_PREFIX = (
    select(
        ApiKey.id,
        ApiKey.user_id,
        ApiKey.workspace_id,
        ApiKey.key_hash,
        ApiKey.scopes,
        ApiKey.expires_at,
        ApiKey.last_used_at,
        ApiKey.revoked_at,
        ApiKey.rate_plan,
        User.role,
        User.is_active,
        User.email,
        in_allowlisted_workspace(ApiKey.user_id),
    )
    .join(User, User.id == ApiKey.user_id)
    .where(ApiKey.prefix == bindparam("prefix"))
)
# A row of KEY_BY_PREFIX as a plain tuple (what the key cache keeps).
KeyRow = namedtuple("KeyRow", [c.key for c in KEY_BY_PREFIX.selected_columns])  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class Authenticated:
    actor: Actor
    needs_touch: bool
    email: str | None = None  # the key's user's (HTTP Basic checks the login against it)


def parse_key_prefix(raw: str) -> str | None:
    """The lookup prefix of a presented key (`ptk_<prefix>_<secret>`), or None when malformed."""
    if not raw.startswith(KEY_PREFIX):
        return None
    prefix, sep, _ = raw[len(KEY_PREFIX) :].partition("_")
    return prefix if sep else None


def authenticate_api_key(session: Session, raw: str, *, client_ip: str | None = None) -> Authenticated:
    """Resolve a presented key to an actor, or raise AuthenticationFailed.

    The actor also learns which of the user's workspaces refuse `client_ip` (IP allowlists);
    the lookup costs a second query only for users in a workspace that has an allowlist.
    """
    prefix = parse_key_prefix(raw)
    if prefix is None:
        raise AuthenticationFailed("Invalid API key")
    digest = _digest(raw)
    cached: VerifiedKey | None = KEYS.get(digest)
    if cached is not None:
        # Verified within the last few seconds (core/keycache.py); the rules still apply.
        return cached.check(client_ip)
    generation = KEYS.generation
    # Core, not the ORM: a plain row is all this needs.
    found = session.connection().execute(KEY_BY_PREFIX, {"prefix": prefix}).first()
    if found is None:
        raise AuthenticationFailed("Invalid API key")
    key: Any = KeyRow(*found)
    blocked: frozenset[int] = frozenset()
    if key.allowlisted and _key_is_valid(key, digest):
        blocked = blocked_workspaces(session, key.user_id, client_ip)
    auth = check_key(key, digest, client_ip=client_ip, blocked=blocked)
    if not key.allowlisted:
        KEYS.put(digest, VerifiedKey(key), generation)
    return auth


def _key_is_valid(key: Any, digest: str) -> bool:
    return hmac.compare_digest(key.key_hash, digest)


def check_key(key: Any, digest: str, *, client_ip: str | None, blocked: frozenset[int]) -> Authenticated:
    """The rules for a key row of `KEY_BY_PREFIX` (fresh, or from the cache of verified keys):
    the presented key's `digest` matches, the key is neither revoked nor expired, its user is
    active. Raises AuthenticationFailed, else the actor."""
    if not _key_is_valid(key, digest):
        raise AuthenticationFailed("Invalid API key")
    now = utcnow()
    if key.revoked_at is not None:
        raise AuthenticationFailed("This API key has been revoked")
    expires = as_utc(key.expires_at)
    if expires is not None and expires <= now:
        raise AuthenticationFailed("This API key has expired")
    if not key.is_active:
        raise AuthenticationFailed("This user is deactivated")
    last = as_utc(key.last_used_at)
    actor = Actor(
        user_id=key.user_id,
        global_role=key.role,
        credential_id=key.id,
        credential_kind="api_key",
        workspace_id=key.workspace_id,
        scopes=frozenset(key.scopes) if key.scopes else None,
        client_ip=client_ip,
        blocked_workspaces=blocked,
        rate_plan=key.rate_plan,
    )
    return Authenticated(
        actor=actor, needs_touch=last is None or now - last > TOUCH_INTERVAL, email=getattr(key, "email", None)
    )


# Actors a cached key keeps ready, one per client address (a key used from more addresses
# than this builds the others' per request).
_ACTORS_PER_KEY = 32


class VerifiedKey:
    """A key row that passed `check_key`, as the key cache keeps it (core/keycache.py).

    The time-independent rules held when it was read (the digest matched, the key was not
    revoked, its user active; changes to those made here clear the cache). Each use checks
    what time changes, expiry and whether the use is due to be recorded, and hands out the
    actor made for the caller's address the first time: a cached key costs no Actor per
    request (about 4 us of a show). Keys of users behind an IP allowlist are never cached.
    """

    __slots__ = ("_authenticated", "_expires", "_last_used", "id", "row")

    def __init__(self, row: Any, authenticated: dict[str | None, Authenticated] | None = None) -> None:
        self.row = row
        self.id: int = row.id
        self._expires = as_utc(row.expires_at)
        self._last_used = as_utc(row.last_used_at)
        self._authenticated = {} if authenticated is None else authenticated

    def touched(self, when: datetime) -> VerifiedKey:
        """The same key, its use recorded at `when` (the actors made so far stay)."""
        return VerifiedKey(self.row._replace(last_used_at=when), self._authenticated)

    def check(self, client_ip: str | None) -> Authenticated:
        now = utcnow()
        if self._expires is not None and self._expires <= now:
            raise AuthenticationFailed("This API key has expired")
        auth = self._authenticated.get(client_ip)
        if auth is None:
            auth = check_key(self.row, self.row.key_hash, client_ip=client_ip, blocked=frozenset())
            auth = dataclasses.replace(auth, needs_touch=False)
            if len(self._authenticated) < _ACTORS_PER_KEY:
                self._authenticated[client_ip] = auth
        last = self._last_used
        if last is None or now - last > TOUCH_INTERVAL:
            return dataclasses.replace(auth, needs_touch=True)
        return auth


def touch_api_key(session: Session, key_id: int) -> None:
    """Record use; throttled by the caller so reads don't turn into writes."""
    now = utcnow()
    session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
    after_commit(session, lambda: KEYS.touched(key_id, now))


def _own_key(session: Session, actor: Actor, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.user_id != actor.user_id:
        raise NotFound.of("api_key", key_id)
    if actor.workspace_id is not None and key.workspace_id != actor.workspace_id:
        raise NotFound.of("api_key", key_id)
    return key


API_KEY_REGISTRY = Registry.of(
    "api_key",
    [
        Field("id", Ref("api_key"), expr=ApiKey.id),
        Field("name", Text(), expr=ApiKey.name),
        Field("workspace_id", Ref("workspace"), expr=ApiKey.workspace_id),
        Field("created_at", Moment(), expr=ApiKey.created_at),
        Field("expires_at", Moment(), expr=ApiKey.expires_at),
        Field("last_used_at", Moment(), expr=ApiKey.last_used_at),
        Field("revoked_at", Moment(), expr=ApiKey.revoked_at),
    ],
)
# Oldest first by default, as the list was before it was paged.
API_KEY_LIST: ListSpec[ApiKey] = ListSpec("api_key", API_KEY_REGISTRY, ApiKey.id)


def list_api_keys(
    session: Session,
    actor: Actor,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[ApiKey]:
    """The actor's own keys (a workspace-bound key sees only keys bound to its workspace)."""
    base = select(ApiKey).where(ApiKey.user_id == actor.user_id)
    if actor.workspace_id is not None:
        base = base.where(ApiKey.workspace_id == actor.workspace_id)
    return run_list(session, API_KEY_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def get_api_key_for(session: Session, actor: Actor, key_id: int) -> ApiKey:
    return _own_key(session, actor, key_id)


def issue_api_key_for(session: Session, actor: Actor, *, data: ApiKeyCreate) -> IssuedKey:
    """A new key for the actor; a workspace-bound credential only issues keys bound to its workspace."""
    workspace_id = data.workspace_id
    if actor.workspace_id is not None:
        if workspace_id is not None and workspace_id != actor.workspace_id:
            raise NotFound.of("workspace", workspace_id)
        workspace_id = actor.workspace_id
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise ValidationFailed.field("expires_at", "must be in the future", data.expires_at.isoformat())
    scopes = check_known(data.scopes) if data.scopes is not None else None
    if actor.scopes is not None:
        # A scoped credential hands out at most its own scopes (none given: exactly its own).
        scopes = scopes if scopes is not None else sorted(actor.scopes)
        within(actor, scopes)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound.of("user", actor.user_id)
    return create_api_key(
        session,
        actor,
        user=user,
        workspace_id=workspace_id,
        name=data.name,
        scopes=scopes,
        expires_at=data.expires_at,
    )


def rotate_api_key(session: Session, actor: Actor, *, key_id: int, data: ApiKeyRotate) -> IssuedKey:
    """Replace a key with a new secret (same name, binding, scopes and expiry); the old one
    stops working at once, or after the grace period."""
    old = _own_key(session, actor, key_id)
    now = utcnow()
    old_expiry = as_utc(old.expires_at)
    if old.revoked_at is not None or (old_expiry is not None and old_expiry <= now):
        raise Conflict("Only a live key can be rotated; create a new one instead")
    if old.scopes is not None:
        within(actor, old.scopes)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound.of("user", actor.user_id)
    issued = create_api_key(
        session,
        actor,
        user=user,
        workspace_id=old.workspace_id,
        name=old.name,
        scopes=old.scopes,
        expires_at=old.expires_at,
        rate_plan=old.rate_plan,
    )
    forget_verified_keys(session)
    if data.grace_period_seconds:
        cutoff = now + timedelta(seconds=data.grace_period_seconds)
        old.expires_at = min(cutoff, old_expiry) if old_expiry is not None else cutoff
    else:
        old.revoked_at = now
    session.flush()
    record_event(
        session,
        actor,
        type="api_key.rotated",
        resource_type="api_key",
        resource_id=old.id,
        workspace_id=old.workspace_id,
        snapshot={"replaced_by": issued.key.id, "grace_period_seconds": data.grace_period_seconds},
    )
    return issued


def list_keys_of(
    session: Session,
    user_id: int | None,
    *,
    actor: Actor | None,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[ApiKey]:
    """A page of every key on the server, or of one user's: the operator's and the server
    admins' view (`polytask api-keys list`, GET /v1/admin/users/{id}/api-keys)."""
    base = select(ApiKey)
    if user_id is not None:
        base = base.where(ApiKey.user_id == user_id)
    return run_list(session, API_KEY_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def iter_all_api_keys(session: Session, *, user_id: int | None = None) -> Iterator[ApiKey]:
    """Every key on the server (or one user's), oldest first, a page at a time."""
    cursor: str | None = ""
    while cursor is not None:
        page = list_keys_of(session, user_id, actor=None, page=PageRequest(500, 0, want_total=False, cursor=cursor))
        yield from page.items
        cursor = page.next_cursor


def revoke_any_api_key(session: Session, actor: Actor | None, *, key_id: int, user_id: int | None = None) -> bool:
    """Revoke any user's key (the operator, `polytask api-keys revoke`), or only one of
    `user_id`'s (a server admin over /v1); False when it already was."""
    key = session.get(ApiKey, key_id)
    if key is None or (user_id is not None and key.user_id != user_id):
        raise NotFound.of("api_key", key_id)
    return _revoke(session, actor, key)


def revoke_api_key(session: Session, actor: Actor, *, key_id: int) -> None:
    """Revoke one of the actor's keys; revoking twice is harmless."""
    _revoke(session, actor, _own_key(session, actor, key_id))


def _revoke(session: Session, actor: Actor | None, key: ApiKey) -> bool:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        forget_verified_keys(session)
        record_event(
            session,
            actor,
            type="api_key.revoked",
            resource_type="api_key",
            resource_id=key.id,
            workspace_id=key.workspace_id,
        )
        return True
    return False


def parse_expiry(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed.field("expires_at", "must be an ISO 8601 datetime", value) from exc
    return as_utc(parsed)


def set_api_key_plan(session: Session, actor: Actor | None, *, key_id: int, rate_plan: str | None) -> ApiKey:
    """Put a key on a rate-limit plan (None: back to the surface default); for server admins.

    The plan name must have been checked against the configured plans (core/rateplans.check_plan).
    """
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound.of("api_key", key_id)
    before = key.rate_plan
    key.rate_plan = rate_plan
    forget_verified_keys(session)
    session.flush()
    record_event(
        session,
        actor,
        type="api_key.plan_changed",
        resource_type="api_key",
        resource_id=key.id,
        workspace_id=key.workspace_id,
        snapshot={"rate_plan": rate_plan, "previous_rate_plan": before, "user_id": key.user_id},
    )
    return key
