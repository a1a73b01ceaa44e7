"""The origin comparison under the CSRF checks (domain/sessions/csrf.py), case by case."""

from __future__ import annotations

import pytest

from polytask.domain.sessions.csrf import check_origin, normalize_origin, own_origins


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://Example.COM", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:80/", "http://example.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("file://", None),
        ("https://", None),
        ("http://host:99999", None),
    ],
)
def test_normalize_origin(value: str, expected: str | None) -> None:
    assert normalize_origin(value) == expected


def test_own_origins_include_the_https_form_of_the_host() -> None:
    assert own_origins("http", "tasks.example.com") == {"http://tasks.example.com", "https://tasks.example.com"}
    assert own_origins("https", "tasks.example.com:443") == {"https://tasks.example.com"}
    assert own_origins("http", None) == set()


def test_a_wildcard_cors_entry_trusts_no_origin() -> None:
    refusal = check_origin(sec_fetch_site="cross-site", origin="https://evil.example", own=set(), trusted={"*"})
    assert refusal is not None
    assert refusal.reason == "cross_site_request"
    own = own_origins("http", "app.local")
    assert check_origin(sec_fetch_site=None, origin="http://APP.local:80", own=own, trusted=set()) is None
    assert check_origin(sec_fetch_site="same-origin", origin=None, own=own, trusted=set()) is None
    assert check_origin(sec_fetch_site=None, origin="http://app.local.evil", own=own, trusted=set()) is not None
