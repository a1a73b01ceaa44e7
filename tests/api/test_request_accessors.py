"""The shortcuts past Starlette's request accessors (api/credentials.py, api/kernel/routes.py)
give what the accessors give, and Starlette still reads the query parameters from the cache
the kernel fills for a request without any."""

from __future__ import annotations

from starlette.requests import Request

from polytask.api.credentials import client_host, raw_header
from polytask.api.kernel.routes import NO_QUERY


def _request(headers: list[tuple[bytes, bytes]], client: tuple[str, int] | None = ("10.0.0.7", 5123)) -> Request:
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": headers, "client": client}
    return Request(scope)


def test_raw_header_reads_as_starlette_does() -> None:
    headers = [
        (b"host", b"example.test"),
        (b"authorization", b"Bearer first \xe9"),  # latin-1, as HTTP headers are decoded
        (b"authorization", b"Bearer second"),
        (b"x-empty", b""),
    ]
    request = _request(headers)
    for name in ("authorization", "host", "x-empty", "missing"):
        assert raw_header(request, name.encode()) == request.headers.get(name), name
    assert raw_header(request, b"authorization") == "Bearer first \xe9"


def test_client_host_reads_as_starlette_does() -> None:
    assert client_host(_request([])) == _request([]).client.host == "10.0.0.7"  # type: ignore[union-attr]
    assert client_host(_request([], client=None)) is None
    assert _request([], client=None).client is None


def test_starlette_reads_the_query_cache_the_kernel_fills() -> None:
    request = _request([])
    request._query_params = NO_QUERY  # as the kernel's handler does (api/kernel/routes.py)
    assert request.query_params is NO_QUERY
    assert not NO_QUERY
    assert list(NO_QUERY.multi_items()) == []
