"""A receiver's Retry-After that is not a finite number of seconds is ignored: the retry
follows the schedule, and the attempt is recorded (a NaN once broke recording, leaving the
delivery leased and resent every lease period, never marked failed)."""

from __future__ import annotations

import httpx
import pytest

from polytask.core.db import Database
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import make_person
from tests.factories.work import make_project
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import Receiver, Reply, wait_for


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_a_non_finite_retry_after_falls_back_to_the_schedule(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver, value: str
) -> None:
    receiver.script = [Reply(503, headers={"Retry-After": value})]
    alice = make_person(db)
    hook = make_webhook(client, alice, receiver.url, events=["project.created"])["id"]
    make_project(client, alice)
    wait_for(lambda: len(receiver.requests) >= 2, what="the scheduled retry")
    first, second = receiver.requests
    assert second.at - first.at < 5  # the schedule's 0.2 s (jittered), far from the lease
    wait_for(lambda: deliveries(client, alice, hook)[0]["attributes"]["status"] == "succeeded", what="success")
    assert deliveries(client, alice, hook)[0]["attributes"]["attempts"] == 2
