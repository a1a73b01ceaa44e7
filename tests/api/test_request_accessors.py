"""The shortcuts past Starlette's request accessors (api/credentials.py, api/kernel/routes.py,
api/v1/params.py)
and its response headers (api/v1/documents.py) give what Starlette gives, and Starlette still
reads the query parameters from the cache the kernel fills for a request without any."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polytask.api.credentials import client_host, raw_header
from polytask.api.kernel.routes import NO_QUERY
from polytask.api.v1.documents import JSONAPIResponse
from polytask.api.v1.params import url_path
from polytask.core.jsontext import dumps


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


def test_url_path_reads_as_starlette_does() -> None:
    """The path list links are built on (api/v1/params.py url_path) is `request.url.path`,
    whatever the path holds that a URL must escape."""
    for path in ("/v1/tasks", "/v1/projects/project_1/tasks", "/v1/a?b#c\\d/é", "/v1/%3F"):
        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"limit=5&x=%3F", "headers": []}
        scope["server"] = ("testserver", 80)
        assert url_path(scope) == Request(scope).url.path, path


def test_starlette_reads_the_query_cache_the_kernel_fills() -> None:
    request = _request([])
    request._query_params = NO_QUERY  # as the kernel's handler does (api/kernel/routes.py)
    assert request.query_params is NO_QUERY
    assert not NO_QUERY
    assert list(NO_QUERY.multi_items()) == []


def test_documents_carry_the_headers_starlette_would_give_them() -> None:
    """JSONAPIResponse builds its headers itself (api/v1/documents.py): the same list, in the
    same order, as Starlette's Response for the same body, status and headers."""

    class Plain(Response):
        media_type = "application/json"

        def render(self, content: Any) -> bytes:
            return dumps(content)

    content = {"data": {"id": "task_1", "type": "task", "attributes": {"name": "é ✓"}}}
    cases: list[tuple[int, dict[str, str] | None]] = [
        (200, None),
        (200, {}),
        (201, {"ETag": '"abc"', "Location": "/v1/tasks/task_1"}),
        (202, {"X-Custom": "x"}),
        (200, {"Content-Type": "application/vnd.api+json"}),  # its own type: Starlette's way
        (304, {"ETag": '"abc"'}),
        (204, None),
    ]
    for status, headers in cases:
        ours = JSONAPIResponse(content, status_code=status, headers=headers)
        theirs = Plain(content, status_code=status, headers=headers)
        assert ours.raw_headers == theirs.raw_headers, (status, headers)
        assert ours.body == theirs.body
        assert ours.status_code == status
        assert ours.background is None
