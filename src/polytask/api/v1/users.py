"""/v1/users: the people the caller shares a workspace with (the guide's `/users`); server
admins see every account and create, change and deactivate them through the same operations
as /v1/admin/users (docs/compat/native.md, "Users")."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, one, page_request, reject_unknown, shape
from polytask.api.v1.paths import UserId
from polytask.api.v1.schemas import ERROR_RESPONSES, PersonDocument, PersonListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.users import directory as service
from polytask.domain.users.schemas import AccountUpdate, UserCreate

router = unit_router(tags=["People"], responses=ERROR_RESPONSES)


@router.get(
    "/users",
    response_model=PersonListDocument,
    openapi_extra=list_parameters(service.USER_FIELDS, search=True),
)
@transactional("users:read")
def list_users(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """The people you share a workspace with, you included (server admins: everyone), by name;
    filter by `role` (server-wide), `active`, `department`, `workspace_id`, `name`, `email`, ...;
    `search` matches name, email and username, any case."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST | {"search"})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_users_for(
        session, actor, page=page, sort=parse_sort(params.get("sort"), None), tree=tree, search=one(params, "search")
    )
    return list_document(request, result, [resources.person(u) for u in result.items], shape=shape(params, "user", {}))


@router.post("/users", response_model=PersonDocument, status_code=201)
@transactional("users:write")
def create_user(
    session: Session,
    actor: Actor,
    data: UserCreate = Body(examples=[{"email": "dana@example.com", "name": "Dana", "role": "user"}]),
) -> JSONAPIResponse:
    """Create an account and its personal workspace (server admins; without `password` it uses
    API keys only)."""
    user = service.create_user_for(session, actor, data=data)
    return created(resources.person(user), f"/v1/users/user_{user.id}")


@router.get("/users/{user_id}", response_model=PersonDocument)
@transactional("users:read")
def get_user(request: Request, user_id: UserId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Someone you share a workspace with (server admins: anyone); else 404."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_user_for(session, actor, user_id)
    return document(resources.person(found), shape=shape(request.query_params, "user", {}))


@router.patch("/users/{user_id}", response_model=PersonDocument)
@transactional("users:write")
def update_user(
    user_id: UserId,
    session: Session,
    actor: Actor,
    data: AccountUpdate = Body(examples=[{"role": "manager"}, {"name": "Dana Scully"}]),
) -> JSONAPIResponse:
    """Change the server-wide `role`, `active` or `name` (server admins). Never your own role or
    active flag, nor the last active admin's."""
    return document(resources.person(service.update_user_for(session, actor, user_id, data=data)))


@router.delete("/users/{user_id}", status_code=204)
@transactional("users:write")
def deactivate_user(user_id: UserId, session: Session, actor: Actor) -> Response:
    """Deactivate the account (server admins): refused on every way in, its browser sessions
    ended; nothing it owns is deleted, and `PATCH {"active": true}` brings it back."""
    service.deactivate_user_for(session, actor, user_id)
    return no_content()
