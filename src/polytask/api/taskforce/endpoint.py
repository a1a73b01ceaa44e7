"""Registering Taskforce endpoints: each at `path`, `path.json` and `path.xml`, as one unit of work.

A handler is a plain function `(session, actor, call, **path_ids) -> payload`; it parses
`call.params`, calls ONE service and returns the payload that follows `success: true`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.units import run_anonymous
from polytask.api.taskforce.auth import basic_auth
from polytask.api.taskforce.params import Params, read_params
from polytask.api.taskforce.render import document
from polytask.core.actor import Actor
from polytask.core.scopes import SCOPES
from polytask.core.settings import Settings

Payload = dict[str, Any]
SUFFIXES = (".json", ".xml", "")


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


def _register(router: APIRouter, method: str, path: str, endpoint: Callable[[Request], Any], name: str) -> None:
    for suffix in SUFFIXES:
        router.add_api_route(
            path + suffix, endpoint, methods=[method], include_in_schema=False, name=f"taskforce.{name}{suffix}"
        )


def route(router: APIRouter, method: str, path: str, *, scope: str) -> Callable[[Handler], Handler]:
    """An authenticated endpoint needing `scope`, as one unit of work: a read transaction for
    GET, a write one otherwise. The few reads that may write (the first listing creates the
    user's flagship list; opening a task marks it seen) ask for a write unit only when they
    must (core/db.py `require_writable`), and run again as one."""
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
        _register(router, method, path, endpoint, handler.__name__)
        return handler

    return decorate


def public_route(router: APIRouter, method: str, path: str) -> Callable[[PublicHandler], PublicHandler]:
    """An endpoint without credentials (user sign-up)."""

    def decorate(handler: PublicHandler) -> PublicHandler:
        async def endpoint(request: Request) -> Response:
            call = Call(request, await read_params(request))
            payload = await run_anonymous(request, lambda session: handler(session, call))
            return document(request, {"success": True, **payload})

        _register(router, method, path, endpoint, handler.__name__)
        return handler

    return decorate


__all__ = ["Actor", "Call", "Payload", "public_route", "route"]
