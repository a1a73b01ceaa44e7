"""Mail tests: a real SMTP server on loopback, and the worker's sender driven one pass at a
time (worker/mailer.py `Mailer.deliver_due`) over the test database. The app under test runs
without its lifespan, so no sender of its own competes for the outbox."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.worker.mailer import Mailer, Sent
from tests.mail.smtpd import SmtpServer


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


Deliver = Callable[..., list[Sent]]


@pytest.fixture
def deliver(settings: Settings, db: Database, smtp: SmtpServer) -> Deliver:
    """deliver(**settings overrides) -> one pass of the sender against `smtp` (or as told)."""

    def run(**overrides: Any) -> list[Sent]:
        tuned = settings.model_copy(update={**smtp.settings(), **overrides})
        return asyncio.run(Mailer(db, tuned, name="test-mailer").deliver_due())

    return run


TOKEN = re.compile(r"\b(inv|pwr)_[A-Za-z0-9_-]{20,}")


def token_in(text: str) -> str:
    found = TOKEN.search(text)
    assert found is not None, text
    return found.group(0)
