"""The dispatcher keeps no cookies: a receiver's Set-Cookie never comes back on a later
delivery (to that endpoint, or to another workspace's endpoint on the same host)."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from polytask.worker.dispatcher import Dispatcher
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import Receiver, Reply, wait_for

SET_COOKIE = {"Set-Cookie": "receiver_session=s3cret; Path=/; Max-Age=3600"}


def test_cookies_set_by_a_receiver_are_never_sent_back(
    client: httpx.Client, db: Database, dispatcher: Dispatcher, receiver: Receiver
) -> None:
    receiver.default = Reply(headers=SET_COOKIE)
    # The first attempt fails (and sets a cookie): the retry must not carry it either.
    receiver.script = [Reply(status=503, headers=SET_COOKIE)]
    alice, bob = make_person(db), make_person(db)
    make_webhook(client, alice, receiver.url, events=["task.created"])
    make_webhook(client, bob, receiver.url.replace("/hooks/polytask", "/hooks/other"), events=["task.created"])
    project = make_project(client, alice)
    make_task(client, alice, project, name="first")
    wait_for(lambda: len(receiver.requests) >= 2, what="the first attempt and its retry")
    make_task(client, alice, project, name="second")
    make_task(client, bob, make_project(client, bob), name="bob's")
    wait_for(lambda: len(receiver.requests) >= 4, what="four deliveries")
    assert [got.header("Cookie") for got in receiver.requests] == [None] * len(receiver.requests)
    names = sorted(got.json["data"]["task"]["name"] for got in receiver.requests)
    assert names == ["bob's", "first", "first", "second"]
