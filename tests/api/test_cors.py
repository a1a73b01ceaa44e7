"""CORS: off by default, configured origins only, never a wildcard with credentials."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import pytest
from pydantic import ValidationError
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.factories.people import make_person

Serve = Callable[[ASGIApp], AbstractContextManager[str]]
ORIGIN = "https://app.example.com"


def test_off_by_default(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.get("/v1/me", headers={**alice.headers, "Origin": ORIGIN})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers


def test_configured_origins(serve_app: Serve, settings: Settings, db: Database) -> None:
    alice = make_person(db)
    app = create_app(settings.model_copy(update={"cors_origins": f"{ORIGIN}, https://other.example.com/"}), db)
    with serve_app(app) as base, httpx.Client(base_url=base) as c:
        preflight = {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        r = c.options("/v1/tasks", headers=preflight)
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in r.headers
        r = c.options("/v1/tasks", headers={**preflight, "Origin": "https://evil.example.net"})
        assert r.status_code == 400
        assert "access-control-allow-origin" not in r.headers
        r = c.get("/v1/me", headers={**alice.headers, "Origin": "https://other.example.com"})
        assert r.headers["access-control-allow-origin"] == "https://other.example.com"
        exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
        assert {"x-request-id", "x-ratelimit-remaining", "retry-after"} <= exposed


def test_no_wildcard_with_credentials() -> None:
    with pytest.raises(ValidationError, match="cannot be combined"):
        Settings(cors_origins="*", cors_allow_credentials=True)
    assert Settings(cors_origins="*").cors_origin_list == ["*"]
