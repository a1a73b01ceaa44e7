"""Passwords: changing your own (POST /v1/me/password) and resetting a forgotten one by mail
(POST /v1/password-resets, then /v1/password-resets/confirm, both without credentials)."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import run_anonymous
from polytask.api.v1.documents import JSONAPIResponse, no_content
from polytask.api.v1.schemas import ERROR_RESPONSES
from polytask.core.actor import Actor
from polytask.core.settings import Settings
from polytask.domain.users import passwords
from polytask.domain.users.schemas import PasswordChange, PasswordResetConfirm, PasswordResetRequest

router = unit_router(tags=["People"], responses=ERROR_RESPONSES)

_ANONYMOUS: dict[int | str, dict[str, Any]] = {k: v for k, v in ERROR_RESPONSES.items() if k in (422, 429)}
# Operations that take no credentials say so (an empty security requirement).
NO_CREDENTIALS: dict[str, Any] = {"security": []}
ACCEPTED = "If an account has this address, a password-reset token is on its way to it."


class AcceptedMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(examples=[ACCEPTED])


class AcceptedDocument(BaseModel):
    """Accepted: no resource to show (a reset request is not one the caller may read)."""

    model_config = ConfigDict(extra="forbid")

    data: None = Field(description="Always null.")
    meta: AcceptedMeta


@router.post("/me/password", status_code=204)
@transactional("users:write")
def change_password(
    session: Session,
    actor: Actor,
    data: PasswordChange = Body(examples=[{"current_password": "old secret", "new_password": "a new long secret"}]),
) -> Response:
    """Change your own password, giving the current one. Your other browser sessions are signed
    out (the one making the request stays); API keys and OAuth tokens keep working."""
    passwords.change_password(session, actor, current_password=data.current_password, new_password=data.new_password)
    return no_content()


@router.post(
    "/password-resets",
    status_code=202,
    response_model=AcceptedDocument,
    responses=_ANONYMOUS,
    openapi_extra=NO_CREDENTIALS,
)
async def request_password_reset(
    request: Request, data: PasswordResetRequest = Body(examples=[{"email": "jane@example.com"}])
) -> JSONAPIResponse:
    """Ask for a password-reset token by mail; no credentials. Always 202, whether or not an
    account has the address. Limited per client address (429 past
    POLYTASK_PASSWORD_RESET_PER_HOUR an hour) and per account (past
    POLYTASK_PASSWORD_RESET_PER_ACCOUNT_HOUR no further mail is sent)."""
    settings: Settings = request.app.state.settings
    client_ip = request.client.host if request.client else None

    def work(session: Session) -> None:
        passwords.request_password_reset(session, settings, email=str(data.email), client_ip=client_ip)

    await run_anonymous(request, work)
    return JSONAPIResponse({"data": None, "meta": {"message": ACCEPTED}}, status_code=202)


@router.post("/password-resets/confirm", status_code=204, responses=_ANONYMOUS, openapi_extra=NO_CREDENTIALS)
async def confirm_password_reset(
    request: Request,
    data: PasswordResetConfirm = Body(
        examples=[{"token": "pwr_Qm9vZ2xlIGlzIG5vdCBhIHRva2Vu", "password": "a new long secret"}]
    ),
) -> Response:
    """Set a new password with the mailed token; no credentials. The token works once and
    until it expires (POLYTASK_PASSWORD_RESET_TTL_MINUTES); every browser session of the
    account is signed out."""

    def work(session: Session) -> None:
        passwords.confirm_password_reset(session, token=data.token, new_password=data.password)

    await run_anonymous(request, work)
    return no_content()
