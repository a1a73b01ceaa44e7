"""In-process notification of committed events.

Listeners (the webhook dispatcher, live streams) subscribe here and are called after a
unit of work that recorded events has committed, never for one that rolled back. Other
processes do not hear these calls: they poll the database, which stays the source of truth.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("polytask.events")

Listener = Callable[[list[int]], None]

_listeners: list[Listener] = []
_outbox_listeners: list[Callable[[], None]] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> None:
    """Call `listener(event_ids)` after each commit that recorded events; must be quick and thread-safe."""
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
