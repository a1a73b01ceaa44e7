"""Each surface answers in its own shape wherever its prefix reaches, even where it has no
route (api/surfaces.py decides, not a prefix test in each middleware)."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/v1/no-such-thing", "native"),
        ("/api/v1/no-such-thing.json", "taskforce"),
        ("/api/public-v1/no-such-thing", "taskip"),
        ("/api/no-such-thing", "taskflow"),
    ],
)
def test_a_missing_endpoint_is_a_404_in_the_surfaces_shape(base_url: str, path: str, shape: str) -> None:
    r = httpx.get(base_url + path, timeout=30)
    assert r.status_code == 404, r.text
    body = r.json()
    if shape == "native":
        assert body["error"]["code"] == "RESOURCE_NOT_FOUND"
    elif shape == "taskforce":
        assert body["success"] is False
        assert body["code"] == "RESOURCE_NOT_FOUND"
    elif shape == "taskip":
        assert body == {
            "success": False,
            "error": "RESOURCE_NOT_FOUND",
            "message": "No such endpoint",
            "errors": {},
            "status_code": 404,
        }
    else:
        assert body["status"] == "error"
        assert body["data"]["error_code"] == "NOT_FOUND"


def test_taskip_refusals_list_errors_per_field(base_url: str) -> None:
    r = httpx.post(
        f"{base_url}/api/public-v1/projects",
        content=b'{"name": "a\\u0000", "title": "\\ud800"}',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["success"] is False
    assert body["status_code"] == 422
    assert set(body["errors"]) == {"name", "title"}
    assert "control characters" in body["errors"]["name"][0]


def test_taskip_paths_are_limited_by_its_plan(base_url: str) -> None:
    # The suite raises every surface plan's per-minute limit (tests/conftest.py), not its per-hour one.
    r = httpx.get(f"{base_url}/api/public-v1/projects", timeout=30)
    assert r.headers["X-RateLimit-Limit"] == "1000000"
    r = httpx.get(f"{base_url}/api/no-such-thing", timeout=30)
    assert "X-RateLimit-Limit" in r.headers
