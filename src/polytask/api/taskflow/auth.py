"""POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me: TaskFlow's session authentication."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import run_anonymous
from polytask.api.sessions import (
    clear_session_cookie,
    csrf_token,
    session_cookie,
    set_session_cookie,
)
from polytask.api.taskflow.errors import error_response, success_response
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.render import user_payload
from polytask.api.taskflow.schemas import LOGIN_EXAMPLE, AuthEnvelope, EmptyEnvelope, LoginRequest, MeEnvelope, error
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.settings import Settings
from polytask.domain.flows.people import department_of
from polytask.domain.sessions.service import StartedSession, end_session, get_session_user, log_in
from polytask.domain.users.login import SignIn

router = unit_router(prefix=f"{PREFIX}/auth", tags=["TaskFlow authentication"])

_CSRF_403 = error("A cross-site request (Origin / Sec-Fetch-Site), or a form post without the CSRF token")


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post(
    "/login",
    response_model=AuthEnvelope,
    responses={
        401: error("Wrong username or password (INVALID_CREDENTIALS)"),
        403: _CSRF_403,
        422: error("A missing or malformed field (VALIDATION_ERROR)"),
        429: error("Too many failed logins (RATE_LIMIT_EXCEEDED); see Retry-After"),
    },
)
async def login(request: Request, body: LoginRequest = Body(examples=[LOGIN_EXAMPLE])) -> Response:
    """Log in with a username (or email) and password; sets the session cookie and returns the CSRF token.

    A new session id every time: a session cookie the browser already had is revoked.
    """
    name = (body.username or body.email or "").strip()
    if not name or not body.password:
        errors = {"username": ["is required (a username or an email)"]} if not name else {}
        if not body.password:
            errors["password"] = ["is required"]
        raise ValidationFailed("Validation failed", {"errors": errors})
    settings: Settings = request.app.state.settings
    presented = session_cookie(request)

    def work(session: Session) -> tuple[str, dict[str, Any]] | SignIn:
        outcome = log_in(
            session,
            settings,
            login=name,
            password=body.password,
            client_ip=_client_ip(request),
            user_agent=request.headers.get("user-agent"),
            replaces=presented,
        )
        if isinstance(outcome, StartedSession):
            return outcome.raw_id, user_payload(outcome.user, department_of(session, outcome.user))
        return outcome

    result = await run_anonymous(request, work)
    if isinstance(result, SignIn):
        if result.retry_after:
            return error_response(
                request,
                429,
                "RATE_LIMIT_EXCEEDED",
                result.message,
                {"retry_after": result.retry_after},
                headers={"Retry-After": str(result.retry_after)},
            )
        return error_response(request, 401, "INVALID_CREDENTIALS", result.message)
    raw, value = result
    response = success_response(request, "Login successful", {"user": value, "csrf_token": csrf_token(request, raw)})
    set_session_cookie(request, response, raw)
    return response


@router.post(
    "/logout",
    response_model=EmptyEnvelope,
    responses={403: _CSRF_403},
)
async def logout(request: Request) -> Response:
    """End the session (revoked on the server) and clear the cookie; answers 200 without a session too."""
    raw = session_cookie(request)
    if raw is not None:
        ip = _client_ip(request)
        await run_anonymous(request, lambda session: end_session(session, raw, client_ip=ip))
    response = success_response(request, "Logout successful", {})
    clear_session_cookie(request, response)
    return response


@router.get(
    "/me",
    response_model=MeEnvelope,
    responses={401: error("No live session or bearer credential (AUTH_REQUIRED, with redirect_url)")},
)
async def me(request: Request) -> Response:
    """The signed-in user, and the session's CSRF token (for a page that was reloaded); with a
    bearer credential, its user and no token."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        user = get_session_user(session, actor)
        return user_payload(user, department_of(session, user))

    user = await run_unit(request, work, scope="users:read")
    raw = session_cookie(request)
    token = csrf_token(request, raw) if raw and "authorization" not in request.headers else None
    return success_response(request, "Current user", {"user": user, "csrf_token": token})
