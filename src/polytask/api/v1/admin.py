"""/v1/admin/users: server admins manage accounts (list, show, create, change role or name,
disable, enable). Under /v1/admin so that /v1/users stays free for the people one shares a
workspace with (docs/compat/native.md)."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document
from polytask.api.v1.params import list_parameters, shape, whole_list_query
from polytask.api.v1.paths import UserId
from polytask.api.v1.schemas import ERROR_RESPONSES, AdminUserDocument, AdminUserListDocument
from polytask.core.actor import Actor
from polytask.domain.users import admin as service
from polytask.domain.users.schemas import AccountUpdate, UserCreate

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
