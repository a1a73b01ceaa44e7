"""TaskFlow's JSON bodies refuse numbers Polytask cannot keep (api/inputguard.py), in its envelope."""

from __future__ import annotations

import httpx
import pytest

from tests.factories.people import Person


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e400", str(2**64)])
def test_login_refuses_non_finite_and_wide_numbers(web: httpx.Client, alice: Person, number: str) -> None:
    r = web.post(
        "/api/auth/login",
        content='{"username": "alice", "password": NUMBER}'.replace("NUMBER", number),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["status"], body["data"]["error_code"]) == ("error", "VALIDATION_ERROR")
    [issue] = body["data"]["errors"]["password"]
    assert "finite" in issue or "64-bit" in issue
    assert web.get("/api/auth/me").status_code == 401
