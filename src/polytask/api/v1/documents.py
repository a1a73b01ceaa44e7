"""Building and sending JSON:API documents."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polytask.api.v1.params import Shape, list_meta_links, url_path
from polytask.api.v1.render import Resource, dedupe, sparse
from polytask.core.jsontext import dumps
from polytask.core.pagination import PageResult


def etag_of(data: Resource) -> str:
    """A strong validator of a resource's full representation (whatever `fields=` and
    `include=` select), so a GET, the write that returned it and If-Match all agree."""
    digest = hashlib.sha256(dumps(data, sort_keys=True)).hexdigest()
    return f'"{digest[:32]}"'


class JSONAPIResponse(Response):
    media_type = "application/json"

    def __init__(self, content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None) -> None:
        if status_code < 200 or status_code in (204, 304) or (headers and not _OWN.isdisjoint(map(str.lower, headers))):
            super().__init__(content, status_code, headers)  # no length for these; or its own type or length
            return
        # What Starlette's __init__ and init_headers make of a JSON body (the given headers,
        # then its length and type), without their general case: every document pays it.
        self.status_code = status_code
        self.background = None
        self.body = body = dumps(content)
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()] if headers else []
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
        raw.append((b"content-type", _JSON))
        self.raw_headers = raw

    def render(self, content: Any) -> bytes:
        return dumps(content)


_JSON = b"application/json"
_OWN = frozenset({"content-length", "content-type"})


def document(
    data: Resource,
    *,
    shape: Shape | None = None,
    included: Sequence[Resource] = (),
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> JSONAPIResponse:
    fields = shape.fields if shape else {}
    body: dict[str, Any] = {"data": sparse(data, fields)}
    if shape and shape.include:
        body["included"] = [sparse(r, fields) for r in dedupe(included)]
    return JSONAPIResponse(body, status_code=status_code, headers={"ETag": etag_of(data), **(headers or {})})


def list_document(
    request: Request,
    result: PageResult[Any],
    data: Sequence[Resource],
    *,
    shape: Shape | None = None,
    included: Sequence[Resource] = (),
) -> JSONAPIResponse:
    fields = shape.fields if shape else {}
    meta, links = list_meta_links(url_path(request.scope), request.query_params, result, len(data))
    # Without `fields=` every resource goes out whole: no call per resource to find that out.
    body: dict[str, Any] = {"data": [sparse(r, fields) for r in data] if fields else list(data)}
    if shape and shape.include:
        body["included"] = [sparse(r, fields) for r in dedupe(included)] if fields else dedupe(included)
    body["meta"] = meta
    body["links"] = links
    return JSONAPIResponse(body)


def created(data: Resource, location: str, **kwargs: Any) -> JSONAPIResponse:
    return document(data, status_code=201, headers={"Location": location}, **kwargs)


def no_content() -> Response:
    return Response(status_code=204)
