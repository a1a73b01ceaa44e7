"""In-process notification of committed events.

Listeners (the webhook dispatcher, live streams) subscribe here and are called after a
unit of work that recorded events has committed, never for one that rolled back.

Other processes hear about commits through a transport (domain/events/transport.py: Redis
pub/sub or PostgreSQL LISTEN/NOTIFY, started with the server and with `polytask worker`),
which calls the same listeners when another process's hint arrives. Hints only say "look
now": the database stays the source of truth, and listeners still poll it now and then, so
a lost hint costs at most one poll interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from polytask.core.db import after_commit, before_commit

log = logging.getLogger("polytask.events")

Listener = Callable[[list[int]], None]

_listeners: list[Listener] = []
_outbox_listeners: list[Callable[[], None]] = []
_lock = threading.Lock()


@dataclass(frozen=True)
class Hint:
    """What one commit tells other processes: the newest event id it wrote (None: it wrote
    none) and whether it queued webhook deliveries."""

    last_event_id: int | None = None
    outbox: bool = False

    def merge(self, other: Hint) -> Hint:
        ids = [i for i in (self.last_event_id, other.last_event_id) if i is not None]
        return Hint(max(ids) if ids else None, self.outbox or other.outbox)


class Transport(Protocol):
    """Carries hints between processes (one per process, see transport.py)."""

    def announce(self, session: Session, hint: Hint) -> None:
        """Called inside the committing transaction, just before the commit."""


_transport: Transport | None = None
_PENDING_HINT = "polytask.bus_hint"


def set_transport(transport: Transport | None) -> None:
    """Install (or remove, with None) this process's transport."""
    global _transport
    _transport = transport


def announce(session: Session, *, last_event_id: int | None = None, outbox: bool = False) -> None:
    """Tell other processes about this unit's events or queued deliveries once it commits.

    A no-op without a transport (memory mode). The hint goes out after the commit, from the
    transport's own thread, never for a rollback."""
    if _transport is None or (last_event_id is None and not outbox):
        return
    hint = Hint(last_event_id, outbox)
    pending: Hint | None = session.info.get(_PENDING_HINT)
    session.info[_PENDING_HINT] = pending.merge(hint) if pending else hint
    before_commit(session, _hand_over)


def _hand_over(session: Session) -> None:
    hint: Hint | None = session.info.pop(_PENDING_HINT, None)
    transport = _transport
    if hint is not None and transport is not None:
        transport.announce(session, hint)


def outbox_changed(session: Session) -> None:
    """Wake the dispatchers of this process (after commit) and of the others (through the transport)."""
    after_commit(session, publish_outbox)
    announce(session, outbox=True)


def receive(hint: Hint) -> None:
    """A hint from another process: wake this process's listeners as if it had committed."""
    if hint.last_event_id is not None:
        publish([hint.last_event_id])
    if hint.outbox:
        publish_outbox()


def catch_up() -> None:
    """The transport (re)connected and may have missed hints: every listener looks now."""
    publish([])
    publish_outbox()


def subscribe(listener: Listener) -> None:
    """Call `listener(event_ids)` after each commit that recorded events; must be quick and thread-safe.

    For another process's commit the ids are only the newest one, or none (after the
    transport reconnected): treat every call as "look now"."""
    with _lock:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


def publish(event_ids: list[int]) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(event_ids)
        except Exception:
            log.exception("event listener %r failed", listener)


def subscribe_outbox(listener: Callable[[], None]) -> None:
    """Call `listener()` after each commit that queued webhook deliveries (the dispatcher's wake-up)."""
    with _lock:
        _outbox_listeners.append(listener)


def unsubscribe_outbox(listener: Callable[[], None]) -> None:
    with _lock:
        if listener in _outbox_listeners:
            _outbox_listeners.remove(listener)


def publish_outbox() -> None:
    with _lock:
        listeners = list(_outbox_listeners)
    for listener in listeners:
        try:
            listener()
        except Exception:
            log.exception("outbox listener %r failed", listener)
