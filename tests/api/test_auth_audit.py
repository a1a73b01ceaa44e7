"""Rejected credentials are audited (auth.credential_rejected), without their secrets, and a
flood of them cannot become a flood of writes (api/authaudit.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from sqlalchemy import select

from polytask.api.authaudit import PER_ADDRESS, RejectionSampler
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.models import Event
from tests.api.taskforce.client import basic
from tests.api.test_rate_limits import Serve, app_with
from tests.factories.people import make_person

FAKE_KEY = "ptk_0123456789ab_thisIsNotARealSecretButLooksLikeOne000000000"


def rejections(db: Database) -> list[dict[str, Any]]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.scalars(select(Event).where(Event.type == "auth.credential_rejected").order_by(Event.id))
        return [dict(e.snapshot) for e in rows]


def test_each_kind_of_rejected_credential_is_recorded(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db)
    wrong_secret = alice.key[:-4] + "abcd"
    app = app_with(settings, db)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        assert c.get("/v1/me", headers={"Authorization": f"Bearer {FAKE_KEY}"}).status_code == 401
        assert c.get("/v1/me", headers={"Authorization": f"Bearer {wrong_secret}"}).status_code == 401
        assert c.get("/v1/me", headers={"Authorization": "Bearer pto_not-a-live-token"}).status_code == 401
        assert c.get("/v1/me", headers={"Authorization": "Token abc"}).status_code == 401
        tf = c.get("/api/v1/user.json", headers=basic(alice.email, "hunter2-wrong"))
        assert tf.status_code == 401
        # Not authentication events: no credential at all, and a good one.
        assert c.get("/v1/me").status_code == 401
        assert c.get("/v1/me", headers=alice.headers).status_code == 200
    events = rejections(db)
    assert [(e["surface"], e["presented"]["kind"]) for e in events] == [
        ("native", "api_key"),
        ("native", "api_key"),
        ("native", "oauth_token"),
        ("native", "token"),
        ("taskforce", "basic"),
    ]
    assert events[0]["presented"]["key_prefix"] == "ptk_0123456789ab"
    assert events[0]["reason"] == "Invalid API key"
    assert events[4]["presented"]["username"] == alice.email
    assert all(e["client_ip"] == "127.0.0.1" for e in events)
    assert all(len(e["fingerprint"]) == 16 for e in events)
    assert len({e["fingerprint"] for e in events}) == 5
    everything = json.dumps(events)
    for secret in (FAKE_KEY, wrong_secret, "not-a-live-token", "hunter2-wrong", alice.key):
        assert secret not in everything
        assert secret.rsplit("_", 1)[-1] not in everything
    assert base64.b64encode(f"{alice.email}:hunter2-wrong".encode()).decode() not in everything


def test_the_same_bad_value_has_the_same_fingerprint(serve_app: Serve, settings: Settings, db: Database) -> None:
    app = app_with(settings, db)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        for _ in range(2):
            c.get("/v1/me", headers={"Authorization": f"Bearer {FAKE_KEY}"})
        c.get("/v1/me", headers={"Authorization": f"Bearer {FAKE_KEY}x"})
    prints = [e["fingerprint"] for e in rejections(db)]
    assert prints[0] == prints[1] != prints[2]


def test_a_flood_of_bad_credentials_writes_a_bounded_number_of_rows(
    serve_app: Serve, settings: Settings, db: Database
) -> None:
    app = app_with(settings, db, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        # Distinct values (each its own rate bucket): the sampler bounds the rows.
        statuses = [c.get("/v1/me", headers={"Authorization": f"Bearer ptk_{n:012x}_x"}).status_code for n in range(40)]
    assert statuses == [401] * 40
    assert len(rejections(db)) == PER_ADDRESS


def test_a_repeated_bad_credential_meets_the_rate_limit_first(
    serve_app: Serve, settings: Settings, db: Database
) -> None:
    app = app_with(settings, db, rate_limit_per_minute=5, rate_limit_concurrency=0)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        statuses = [c.get("/v1/me", headers={"Authorization": f"Bearer {FAKE_KEY}"}).status_code for _ in range(20)]
    # Its first use is counted in its own bucket; once rejected, the value is counted in its
    # address's bucket (5 a minute), and then refused before authentication.
    assert statuses == [401] * 6 + [429] * 14
    assert len(rejections(db)) == statuses.count(401)


def test_the_sampler_reports_what_it_left_out() -> None:
    sampler = RejectionSampler(per_address=2, overall=3)
    assert [sampler.admit("a") for _ in range(4)] == [0, 0, None, None]
    assert sampler.admit("b") == 0
    assert sampler.admit("c") is None  # the overall bound
    sampler.window_start -= 61  # a minute later
    assert sampler.admit("a") == 2
    assert sampler.admit("c") == 1
