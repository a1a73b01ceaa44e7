"""Registering Taskforce endpoints: each at `path`, `path.json` and `path.xml`, as one unit of work.

A handler is a plain function `(session, actor, call, **path_ids) -> payload`; it parses
`call.params`, calls ONE service and returns the payload that follows `success: true`. Its
return annotation (a closed TypedDict from shapes.py) and the route's declared `params`
are what the surface's OpenAPI document says of it (contract.py, openapi.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.units import run_anonymous
from polytask.api.taskforce.auth import basic_auth
from polytask.api.taskforce.contract import Operation, Param
from polytask.api.taskforce.params import Params, read_params
from polytask.api.taskforce.render import document
from polytask.core.actor import Actor
from polytask.core.scopes import SCOPES
from polytask.core.settings import Settings

Payload = Mapping[str, Any]
SUFFIXES = (".json", ".xml", "")
# The attribute of a registered endpoint that holds its Operation.
OPERATION = "taskforce_operation"


@dataclass(frozen=True, slots=True)
class Call:
    request: Request
    params: Params

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings


Handler = Callable[..., Payload]
PublicHandler = Callable[[Session, Call], Payload]


def _register(router: APIRouter, operation: Operation, endpoint: Callable[[Request], Any]) -> None:
    setattr(endpoint, OPERATION, operation)
    method, path, name = operation.method, operation.path, operation.handler.__name__
    for suffix in SUFFIXES:
        router.add_api_route(
            path + suffix, endpoint, methods=[method], include_in_schema=False, name=f"taskforce.{name}{suffix}"
        )


def route(
    router: APIRouter,
    method: str,
    path: str,
    *,
    scope: str,
    params: tuple[Param, ...] = (),
    refusals: dict[int, str] | None = None,
    one_of: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """An authenticated endpoint needing `scope`, taking `params` (contract.py), as one unit of
    work: a read transaction for GET, a write one otherwise. The few reads that may write (the
    first listing creates the user's flagship list; opening a task marks it seen) ask for a write
    unit only when they must (core/db.py `require_writable`), and run again as one."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorate(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            call = Call(request, await read_params(request))
            ids = dict(request.path_params)
            payload = await run_unit(
                request,
                lambda session, actor: handler(session, actor, call, **ids),
                scope=scope,
                authenticate=basic_auth,
            )
            return document(request, {"success": True, **payload})

        endpoint.required_scope = scope  # type: ignore[attr-defined]
        operation = Operation(method, path, handler, scope, params, refusals or {}, one_of)
        _register(router, operation, endpoint)
        return handler

    return decorate


def public_route(
    router: APIRouter,
    method: str,
    path: str,
    *,
    params: tuple[Param, ...] = (),
    refusals: dict[int, str] | None = None,
) -> Callable[[PublicHandler], PublicHandler]:
    """An endpoint without credentials (user sign-up)."""

    def decorate(handler: PublicHandler) -> PublicHandler:
        async def endpoint(request: Request) -> Response:
            call = Call(request, await read_params(request))
            payload = await run_anonymous(request, lambda session: handler(session, call))
            return document(request, {"success": True, **payload})

        _register(router, Operation(method, path, handler, None, params, refusals or {}), endpoint)
        return handler

    return decorate


__all__ = ["Actor", "Call", "Payload", "public_route", "route"]
