"""/v1/admin/users: server admins manage accounts (list, show, create, change role or name,
disable, enable, reset the password, list and revoke the account's API keys). Under /v1/admin
so that /v1/users stays free for the people one shares a workspace with (docs/compat/native.md)."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import list_parameters, shape, whole_list_query
from polytask.api.v1.passwords import AcceptedDocument
from polytask.api.v1.paths import ApiKeyId, UserId
from polytask.api.v1.schemas import ERROR_RESPONSES, AdminUserDocument, AdminUserListDocument, ApiKeyListDocument
from polytask.core.actor import Actor
from polytask.domain.api_keys.service import API_KEY_REGISTRY
from polytask.domain.users import admin as service
from polytask.domain.users.schemas import AccountUpdate, PasswordResetMail, PasswordSet, UserCreate

router = unit_router(tags=["Administration"], responses=ERROR_RESPONSES)


@router.get(
    "/admin/users", response_model=AdminUserListDocument, openapi_extra=list_parameters(service.ADMIN_ACCOUNT_FIELDS)
)
@transactional("users:read")
def list_accounts(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """Every account of the server, disabled ones included, oldest first; filter by `role`,
    `active`, `email`, `username`, `created_at`, ... Server admins only."""
    q = whole_list_query(request.query_params, settings.max_page_size)
    shp = shape(request.query_params, "user", {})
    result = service.list_accounts_for(session, actor, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [resources.admin_user(u) for u in result.items], shape=shp)


@router.post("/admin/users", response_model=AdminUserDocument, status_code=201)
@transactional("users:write")
def create_account(
    session: Session,
    actor: Actor,
    data: UserCreate = Body(examples=[{"email": "dana@example.com", "name": "Dana", "role": "user"}]),
) -> JSONAPIResponse:
    """Create an account and its personal workspace; without `password` it uses API keys only."""
    user = service.create_account_for(session, actor, data=data)
    return created(resources.admin_user(user), f"/v1/admin/users/user_{user.id}")


@router.get("/admin/users/{user_id}", response_model=AdminUserDocument)
@transactional("users:read")
def get_account(user_id: UserId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One account, disabled or not."""
    return document(resources.admin_user(service.get_account_for(session, actor, user_id)))


@router.patch("/admin/users/{user_id}", response_model=AdminUserDocument)
@transactional("users:write")
def update_account(
    user_id: UserId,
    session: Session,
    actor: Actor,
    data: AccountUpdate = Body(examples=[{"role": "manager"}, {"active": False}]),
) -> JSONAPIResponse:
    """Change the server-wide `role`, `active` or `name`. Never your own role or active flag, nor
    the last active admin's; disabling ends the account's browser sessions."""
    return document(resources.admin_user(service.update_account_for(session, actor, user_id, data=data)))


@router.post("/admin/users/{user_id}/disable", response_model=AdminUserDocument)
@transactional("users:write")
def disable_account(user_id: UserId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Disable the account: refused on every way in, its browser sessions ended (nothing deleted)."""
    data = AccountUpdate(active=False)
    return document(resources.admin_user(service.update_account_for(session, actor, user_id, data=data)))


@router.post("/admin/users/{user_id}/enable", response_model=AdminUserDocument)
@transactional("users:write")
def enable_account(user_id: UserId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Enable a disabled account; its unrevoked keys and tokens work again."""
    data = AccountUpdate(active=True)
    return document(resources.admin_user(service.update_account_for(session, actor, user_id, data=data)))


@router.post("/admin/users/{user_id}/password-reset", status_code=202, response_model=AcceptedDocument)
@transactional("users:write")
def mail_password_reset(
    user_id: UserId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: PasswordResetMail | None = Body(default=None, examples=[{}]),
) -> JSONAPIResponse:
    """Mail the account a password-reset token through the mail outbox, as if they had asked
    (POST /v1/password-resets); they set a new password with it. Refused (422) for a disabled
    account."""
    service.mail_password_reset_for(session, actor, user_id, settings=settings)
    message = f"A password-reset token is on its way to user_{user_id}'s address."
    return JSONAPIResponse({"data": None, "meta": {"message": message}}, status_code=202)


@router.post("/admin/users/{user_id}/password", status_code=204)
@transactional("users:write")
def set_account_password(
    user_id: UserId,
    session: Session,
    actor: Actor,
    data: PasswordSet = Body(examples=[{"password": "a new long secret"}]),
) -> Response:
    """Set the account's password at once (as `polytask users reset-password` does with a
    generated one): every browser session of the account ends; its API keys and OAuth tokens
    keep working. Refused (422) for a disabled account."""
    service.set_password_for(session, actor, user_id, password=data.password)
    return no_content()


@router.get(
    "/admin/users/{user_id}/api-keys",
    response_model=ApiKeyListDocument,
    openapi_extra=list_parameters(API_KEY_REGISTRY),
)
@transactional("users:read")
def list_account_api_keys(
    user_id: UserId, request: Request, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """The account's API keys, revoked ones included (never the secret), oldest first; filter by
    `name`, `workspace_id`, `revoked_at`, ..."""
    q = whole_list_query(request.query_params, settings.max_page_size)
    shp = shape(request.query_params, "api_key", {})
    result = service.list_account_keys_for(session, actor, user_id, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [resources.api_key(k) for k in result.items], shape=shp)


@router.delete("/admin/users/{user_id}/api-keys/{key_id}", status_code=204)
@transactional("users:write")
def revoke_account_api_key(user_id: UserId, key_id: ApiKeyId, session: Session, actor: Actor) -> Response:
    """Revoke one of the account's keys; it stops working at once (other servers: within
    POLYTASK_API_KEY_CACHE_SECONDS). 404 when the key is not this account's; revoking twice is
    harmless."""
    service.revoke_account_key_for(session, actor, user_id, key_id)
    return no_content()
