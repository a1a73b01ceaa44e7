"""Webhook tests: a real receiver on loopback and a real dispatcher over the test database.

The app under test runs without its lifespan, so it starts no dispatcher of its own; each
test starts one (in a thread of this process) with short timeouts and retry delays.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.worker.dispatcher import Dispatcher, DispatcherThread
from tests.webhooks.receiver import Receiver

# The receivers listen on 127.0.0.1; set before the session's settings are built.
os.environ.setdefault("POLYTASK_WEBHOOK_ALLOW_PRIVATE", "true")

FAST = {
    "webhook_allow_private": True,
    "webhook_timeout_seconds": 1.0,
    "webhook_retry_schedule": "0.2,0.2,0.2,0.2,0.2",
    "webhook_poll_seconds": 0.1,
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def start_dispatcher(settings: Settings, db: Database) -> Iterator[Callable[..., Dispatcher]]:
    """start_dispatcher(**settings overrides) -> a running dispatcher, stopped after the test."""
    threads: list[DispatcherThread] = []

    def start(**overrides: Any) -> Dispatcher:
        tuned = settings.model_copy(update={**FAST, **overrides})
        thread = DispatcherThread(db, tuned, name=f"test-{len(threads)}").start()
        threads.append(thread)
        return thread.dispatcher

    yield start
    for thread in threads:
        thread.stop()


@pytest.fixture
def dispatcher(start_dispatcher: Callable[..., Dispatcher]) -> Dispatcher:
    return start_dispatcher()
