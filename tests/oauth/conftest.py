"""Fixtures for the OAuth tests: a plain HTTP client (the /oauth endpoints are not in /openapi.json)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as c:
        yield c
