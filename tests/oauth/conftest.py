"""Fixtures for the OAuth tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.openapi_check import OpenAPIChecker


@pytest.fixture
def http(base_url: str, openapi: OpenAPIChecker) -> Iterator[httpx.Client]:
    """A client for the form-encoded OAuth endpoints; answers are still checked against /openapi.json."""
    with httpx.Client(
        base_url=base_url, timeout=30, follow_redirects=False, event_hooks={"response": [openapi.check_response]}
    ) as c:
        yield c
