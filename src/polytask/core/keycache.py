"""A short-lived, in-process cache of verified API keys.

Every request presenting an API key looks its row up (domain/api_keys/service.py `KEY_BY_PREFIX`: the key, its
user's role and state, whether the user is in a workspace with an IP allowlist). Within a
few seconds the answer rarely changes, so a key whose secret matched its stored digest is
kept here, by that digest, for `ttl` seconds (POLYTASK_API_KEY_CACHE_SECONDS, default 5;
0 turns the cache off). Only keys that passed every rule are kept (domain/api_keys/service.py
`VerifiedKey`). A hit skips the query and what only a change can break (revoked, user
active: such changes clear the cache, below); what time changes is checked on every request
(expired against the current time, whether the use is due to be recorded).

What keeps it correct:

- Changes made through this process's services drop every cached key once they commit
  (`forget_verified_keys`): revoking or rotating a key, changing its rate plan, a workspace's
  IP allowlist, a new membership. A request that read a key's row before such a commit cannot
  put it in the cache afterwards (the generation check in `put`).
- Keys of users in any workspace with an IP allowlist are never cached: which of their
  workspaces refuse the caller's address is looked up on every request.
- Another process's changes (a second server, the CLI) are seen when the entry expires, so
  they take effect here at most `ttl` seconds later (docs/security.md).
- The "last used" time is refreshed in the entry when this process records it, so a cached
  key is not touched on every request.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from polytask.core.db import after_commit

DEFAULT_TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000


class Cached(Protocol):
    """What the cache keeps: a verified key that knows its id and can record a use."""

    @property
    def id(self) -> int: ...

    def touched(self, when: datetime) -> Cached: ...


class VerifiedKeys:
    """Verified keys by the digest of their secret, each for `ttl` seconds (thread-safe)."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, Cached]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0

    @property
    def generation(self) -> int:
        """Read before looking a key up in the database; hand it back to `put`."""
        return self._generation

    def get(self, digest: str) -> Any | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[digest]
                return None
            return entry[1]

    def put(self, digest: str, row: Cached, generation: int) -> None:
        """Keep `row` unless the cache was cleared since `generation` was read (the row may predate that)."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            self._entries[digest] = (time.monotonic() + self.ttl, row)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def touched(self, key_id: int, when: datetime) -> None:
        """This process recorded the key's use at `when`: its entry says so from now on."""
        with self._lock:
            for digest, (expires, key) in self._entries.items():
                if key.id == key_id:
                    self._entries[digest] = (expires, key.touched(when))

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


KEYS = VerifiedKeys()


def configure(ttl_seconds: float) -> None:
    """Set the lifetime of cached keys (0: no cache), dropping what is cached."""
    KEYS.ttl = ttl_seconds
    KEYS.clear()


def forget_verified_keys(session: Session) -> None:
    """Drop every cached key now and again when this unit commits.

    Call it from any service that changes what a key row says (revocation, expiry, rate
    plan, the user's state) or which IP allowlists apply to a key's user."""
    KEYS.clear()
    after_commit(session, KEYS.clear)
