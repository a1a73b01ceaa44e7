"""Routes whose parameters are read by a plan made once, not worked out again per request.

For every request FastAPI's handler re-derives, from each parameter's declaration, where to
find it and how (its aliases, whether it is a sequence, whether it is a model of parameters),
then solves the dependency tree, then looks at what the endpoint returned. For a route that
reads only path and query parameters and returns its own Response, that work came to about
a tenth of the CPU of answering `GET /v1/tasks/{id}`.

`UnitRoute` is the route class of every router (`unit_router()` below). At start-up it looks at
the route's declaration; when the route qualifies (see `_plan`) its handler reads each
parameter the way FastAPI would, validates it through the same pydantic field
(`ModelField.validate`, so the values and the 422 errors are FastAPI's own, down to their
`loc`; a path id declared with `exact_path_value` is read by its own check, which is all
its validation), calls the request-only dependencies, and returns the endpoint's Response as it is.
Any other route keeps FastAPI's handler. Routing, the OpenAPI document, the exception
handlers and the response wrapper (`request_response`) are FastAPI's in both cases.
tests/api/test_unit_routes.py holds the plans to FastAPI's own answers.
"""

from __future__ import annotations

import email.message
import functools
import inspect
import json
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, params
from fastapi._body_limit import get_body_limit_error
from fastapi._compat import ModelField, Undefined, field_annotation_is_sequence, get_missing_field_error
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from starlette.datastructures import QueryParams
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.requests import Request
from starlette.responses import Response

from polytask.core.inputguard import PARSED_JSON

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# The query parameters of every request that has none (immutable, so one serves them all).
NO_QUERY = QueryParams()


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    alias: str
    in_path: bool
    field: ModelField
    loc: tuple[str, str]
    # A path parameter whose one validator gives its final value (`exact_path_value`): called
    # directly, without pydantic's round (about 3 us of a task's show).
    exact: Callable[[str], Any] | None = None


EXACT = "__polytask_exact__"


def exact_path_value(check: Callable[[Any], Any]) -> BeforeValidator:
    """A BeforeValidator for `Annotated[int, ...]` whose `check` returns the parameter's final
    int or raises an error that is not a ValueError (as a 404): a plan calls it directly."""
    setattr(check, EXACT, True)
    return BeforeValidator(check)


def _exact(info: Any) -> Callable[[str], Any] | None:
    """The one exact validator of an int parameter that declares nothing else that validates
    (its JSON schema aside), else None."""
    if info.annotation is not int:
        return None
    validators = [m for m in info.metadata if not isinstance(m, WithJsonSchema)]
    if len(validators) != 1 or not isinstance(validators[0], BeforeValidator):
        return None
    check = validators[0].func
    return check if getattr(check, EXACT, False) else None  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class _Body:
    name: str
    field: ModelField
    strict: bool  # a body without a Content-Type is not read as JSON


@dataclass(frozen=True, slots=True)
class _Plan:
    call: Callable[..., Coroutine[Any, Any, Any]]
    params: tuple[_Param, ...]
    request_name: str | None
    request_deps: tuple[tuple[str, Callable[..., Any], str], ...]  # (name, call, its request param)
    body: _Body | None


def _param(field: ModelField, in_path: bool) -> _Param | None:
    """How to read one parameter, for the kinds the plans take: a path parameter, or an
    optional query parameter holding one value (the routes have no other kind; a route
    with a list, a required query parameter or a model of parameters keeps FastAPI's)."""
    info = field.field_info
    if not isinstance(info, params.Path | params.Query):
        return None
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return None
    if info.validation_alias is not None and info.validation_alias != field.alias:
        return None
    if any(type(item).__name__ == "Json" for item in info.metadata):
        return None
    if not in_path and (info.is_required() or field_annotation_is_sequence(annotation)):
        return None
    return _Param(
        name=field.name,
        alias=field.alias,
        in_path=in_path,
        field=field,
        loc=("path" if in_path else "query", field.alias),
        exact=_exact(info) if in_path else None,
    )


def _request_dependency(dep: Dependant) -> tuple[str, Callable[..., Any], str] | None:
    """A dependency that takes only the request and is a plain function, as `get_settings`."""
    call = dep.call
    if (
        call is None
        or dep.name is None
        or dep.request_param_name is None
        or dep.dependencies
        or dep.path_params
        or dep.query_params
        or dep.header_params
        or dep.cookie_params
        or dep.body_params
        or dep.response_param_name
        or dep.background_tasks_param_name
        or dep.security_scopes_param_name
        or dep.websocket_param_name
        or dep.http_connection_param_name
        or inspect.isgeneratorfunction(call)
        or inspect.isasyncgenfunction(call)
    ):
        return None
    return dep.name, call, dep.request_param_name


def _body(route: APIRoute) -> _Body | None:
    """The plan for a route whose body is one model, not embedded, sent as JSON (FastAPI's
    "single not embedded field"); None for forms, files and several body parameters."""
    dep = route.dependant
    if len(dep.body_params) != 1 or getattr(route, "_embed_body_fields", True):
        return None
    field = dep.body_params[0]
    if isinstance(field.field_info, params.Form) or route.body_field is not field:
        return None
    strict = route.strict_content_type
    if isinstance(strict, DefaultPlaceholder):
        strict = strict.value
    return _Body(name=field.name, field=field, strict=bool(strict))


@functools.lru_cache(maxsize=64)
def _json_type(content_type: str) -> bool:
    """Whether FastAPI reads a body of this Content-Type as JSON (application/json or +json)."""
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


async def _read_body(request: Request, strict: bool) -> Any:
    """The body as FastAPI's handler reads it: JSON when its Content-Type says so (or, not
    strict, when it has none), else the bytes; Undefined when empty."""
    try:
        raw = await request.body()
        if not raw:
            return Undefined
        content_type = request.headers.get("content-type")
        if (not content_type and not strict) or (content_type and _json_type(content_type)):
            parsed = request.scope.get(PARSED_JSON)
            if parsed is not None and (parsed[0] is raw or parsed[0] == raw):
                return parsed[1]  # the input guard's reading of these very bytes
            return await request.json()
        return raw
    except json.JSONDecodeError as exc:
        problem = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {}}
        raise RequestValidationError([{**problem, "ctx": {"error": exc.msg}}], body=exc.doc) from exc
    except HTTPException:
        raise
    except Exception as exc:
        limit = get_body_limit_error(exc) if MAX_BODY_SIZE_SCOPE_KEY in request.scope else None
        if limit is not None:
            raise limit from exc
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


def _plan(route: APIRoute) -> _Plan | None:
    """How to call the route without FastAPI's solver, or None if it needs the solver."""
    dep = route.dependant
    call = dep.call
    body: _Body | None = None
    if route.body_field is not None or dep.body_params:
        body = _body(route)
        if body is None:
            return None
    if (
        call is None
        or not inspect.iscoroutinefunction(call)
        or dep.header_params
        or dep.cookie_params
        or dep.response_param_name
        or dep.background_tasks_param_name
        or dep.security_scopes_param_name
        or dep.websocket_param_name
        or dep.http_connection_param_name
        or route.stream_item_field is not None
        or route.is_json_stream
    ):
        return None
    try:
        returns = inspect.signature(call, eval_str=True).return_annotation
    except (NameError, TypeError):
        return None
    if not (isinstance(returns, type) and issubclass(returns, Response)):
        return None  # FastAPI serialises whatever else the endpoint returns
    found: list[_Param] = []
    for fields, in_path in ((dep.path_params, True), (dep.query_params, False)):
        for field in fields:
            param = _param(field, in_path)
            if param is None:
                return None
            found.append(param)
    deps: list[tuple[str, Callable[..., Any], str]] = []
    for sub in dep.dependencies:
        one = _request_dependency(sub)
        if one is None:
            return None
        deps.append(one)
    return _Plan(
        call=call, params=tuple(found), request_name=dep.request_param_name, request_deps=tuple(deps), body=body
    )


def _handler(plan: _Plan) -> Handler:
    call = plan.call
    wanted = plan.params
    request_name = plan.request_name
    request_deps = plan.request_deps
    body_plan = plan.body

    async def handle(request: Request) -> Response:
        if not request.scope.get("query_string"):
            # Starlette parses the query string on first use and keeps the result here; an
            # empty one still cost about 4 us to parse (a task's show reads it twice).
            request._query_params = NO_QUERY
        values: dict[str, Any] = {}
        errors: list[Any] = []
        body: Any = Undefined
        if body_plan is not None:
            body = await _read_body(request, body_plan.strict)
        for name, dependency, takes in request_deps:
            value = dependency(**{takes: request})
            values[name] = await value if inspect.isawaitable(value) else value
        if wanted:
            path_params = request.path_params
            query = request.query_params
            for p in wanted:
                if p.exact is not None:
                    values[p.name] = p.exact(path_params[p.alias])
                    continue
                if p.in_path:
                    raw: Any = path_params[p.alias]  # the route matched: every one is there
                else:
                    raw = query.get(p.alias)
                    if raw is None:  # absent: the default, validated only if the field says so
                        default = deepcopy(p.field.default)
                        if not p.field.field_info.validate_default:
                            values[p.name] = default
                            continue
                        raw = default
                value, problems = p.field.validate(raw, values, loc=p.loc)
                if problems:
                    errors.extend(problems)
                else:
                    values[p.name] = value
        if body_plan is not None:
            field = body_plan.field
            if body is Undefined and field.field_info.is_required():
                errors.append(get_missing_field_error(("body",)))
            elif body is Undefined and not field.field_info.validate_default:
                values[body_plan.name] = deepcopy(field.default)
            else:
                given = deepcopy(field.default) if body is Undefined else body
                value, problems = field.validate(given, values, loc=("body",))
                if problems:
                    errors.extend(problems)
                else:
                    values[body_plan.name] = value
        if errors:
            raise RequestValidationError(errors, body=None if body is Undefined else body)
        if request_name is not None:
            values[request_name] = request
        response = await call(**values)
        if not isinstance(response, Response):
            raise TypeError(f"{call.__name__} is declared to return a Response and returned {type(response)!r}")
        return response

    return handle


_plans_on = True


@contextmanager
def fastapi_handlers() -> Iterator[None]:
    """Handlers built inside take FastAPI's solver whatever the route (for tests comparing both)."""
    global _plans_on
    _plans_on = False
    try:
        yield
    finally:
        _plans_on = True


class UnitRoute(APIRoute):
    """An APIRoute that, where its declaration allows, reads its parameters by a fixed plan."""

    def get_route_handler(self) -> Handler:
        plan = _plan(self) if _plans_on else None
        if plan is None:
            return super().get_route_handler()
        return _handler(plan)


def unit_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes are UnitRoutes (every router of every surface is made here)."""
    return APIRouter(route_class=UnitRoute, **kwargs)
