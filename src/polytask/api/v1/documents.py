"""Building and sending JSON:API documents."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from polytask.api.v1.params import Shape, list_meta_links
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

    def render(self, content: Any) -> bytes:
        return dumps(content)


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
    meta, links = list_meta_links(request.url, request.query_params, result, len(data))
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
