"""People: /v1/me, workspace users (roles and permissions) and invites."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import run_anonymous
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import (
    FILTERED_LIST,
    PAGING,
    filter_tree,
    list_parameters,
    one,
    page_request,
    query_parameter,
    reject_unknown,
    shape,
)
from polytask.api.v1.paths import InviteId, UserId, WorkspaceId
from polytask.api.v1.schemas import (
    ERROR_RESPONSES,
    ApiKeyDocument,
    InviteBatchDocument,
    InviteDocument,
    InviteListDocument,
    MemberDocument,
    MemberListDocument,
    UserDocument,
    WorkspaceDocument,
)
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.pagination import parse_sort
from polytask.domain.flows.invitations import accept_invitation, accept_invitation_with_signup
from polytask.domain.members import service
from polytask.domain.members.schemas import InviteAccept, InviteCreate, InviteSignup, MemberUpdate
from polytask.domain.users.service import get_user_card
from polytask.domain.workspaces.service import get_workspace_for

router = unit_router(tags=["People"], responses=ERROR_RESPONSES)

INVITE_STATUSES = ("pending", "accepted", "revoked")


@router.get("/me", response_model=UserDocument)
@transactional("users:read")
def me(session: Session, actor: Actor) -> JSONAPIResponse:
    """The user behind the credential."""
    return document(resources.user(get_user_card(session, actor.user_id)))


@router.get(
    "/workspaces/{workspace_id}/users",
    response_model=MemberListDocument,
    openapi_extra=list_parameters(service.MEMBER_FIELDS),
)
@transactional("users:read")
def list_users(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """Members of a workspace; filter by `role` (owner, admin, member, viewer), `department`
    (any case), `name`, `email`, `joined_at` and the rest of the query language."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    sort = parse_sort(params.get("sort"), None)
    result = service.list_members(session, actor, workspace_id=workspace_id, page=page, sort=sort, tree=tree)
    return list_document(request, result, [resources.member(m) for m in result.items], shape=shape(params, "user", {}))


@router.get("/workspaces/{workspace_id}/users/{user_id}", response_model=MemberDocument)
@transactional("users:read")
def get_user_in_workspace(
    workspace_id: WorkspaceId, user_id: UserId, session: Session, actor: Actor
) -> JSONAPIResponse:
    """One member, with their role and effective permissions."""
    return document(resources.member(service.get_member(session, actor, workspace_id=workspace_id, user_id=user_id)))


@router.put("/workspaces/{workspace_id}/users/{user_id}", response_model=MemberDocument)
@router.patch("/workspaces/{workspace_id}/users/{user_id}", response_model=MemberDocument)
@transactional("users:write")
def update_user_in_workspace(
    workspace_id: WorkspaceId,
    user_id: UserId,
    session: Session,
    actor: Actor,
    data: MemberUpdate = Body(
        examples=[
            {"role": "admin", "permissions": {"create_projects": True, "manage_users": True, "view_analytics": True}}
        ]
    ),
) -> JSONAPIResponse:
    """Change a member's role and permission flags (needs `manage_users`)."""
    member = service.update_member(session, actor, workspace_id=workspace_id, user_id=user_id, data=data)
    return document(resources.member(member))


@router.delete("/workspaces/{workspace_id}/users/{user_id}", status_code=204)
@transactional("users:write")
def remove_user_from_workspace(workspace_id: WorkspaceId, user_id: UserId, session: Session, actor: Actor) -> Response:
    """Remove a member (needs `manage_users`), or leave the workspace yourself."""
    service.remove_member(session, actor, workspace_id=workspace_id, user_id=user_id)
    return no_content()


@router.post("/workspaces/{workspace_id}/invites", response_model=InviteBatchDocument, status_code=201)
@transactional("users:write")
def create_invites(
    workspace_id: WorkspaceId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: InviteCreate = Body(
        examples=[
            {
                "emails": ["newuser@company.com", "another@company.com"],
                "role": "member",
                "message": "Welcome to our Taskade workspace!",
            }
        ]
    ),
) -> JSONAPIResponse:
    """Invite people by email. Each invitee is mailed their token (through the outbox, after the
    commit); the `token` is also returned once, for a server without mail."""
    issued = service.create_invites(
        session, actor, workspace_id=workspace_id, data=data, ttl=timedelta(days=settings.invite_ttl_days)
    )
    return JSONAPIResponse({"data": [resources.invite(i.invite, i.token) for i in issued]}, status_code=201)


@router.get(
    "/workspaces/{workspace_id}/invites",
    response_model=InviteListDocument,
    openapi_extra=list_parameters(
        extra=[
            query_parameter("status", {"type": "string", "enum": list(INVITE_STATUSES)}, "Only invites in this state.")
        ]
    ),
)
@transactional("users:read")
def list_invites(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """Invites of a workspace; filter by `status` (pending, accepted, revoked)."""
    params = request.query_params
    reject_unknown(params, PAGING | {"status"})
    status = one(params, "status")
    if status is not None and status not in INVITE_STATUSES:
        raise ValidationFailed.field("status", f"must be one of {', '.join(INVITE_STATUSES)}", status)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_invites(session, actor, workspace_id=workspace_id, status=status, page=page)
    return list_document(request, result, [resources.invite(i) for i in result.items])


@router.get("/workspaces/{workspace_id}/invites/{invite_id}", response_model=InviteDocument)
@transactional("users:read")
def get_invite(workspace_id: WorkspaceId, invite_id: InviteId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One invite."""
    return document(
        resources.invite(service.get_invite_for(session, actor, workspace_id=workspace_id, invite_id=invite_id))
    )


@router.delete("/workspaces/{workspace_id}/invites/{invite_id}", status_code=204)
@transactional("users:write")
def revoke_invite(workspace_id: WorkspaceId, invite_id: InviteId, session: Session, actor: Actor) -> Response:
    """Revoke a pending invite."""
    service.revoke_invite(session, actor, workspace_id=workspace_id, invite_id=invite_id)
    return no_content()


@router.post("/invites/accept", response_model=WorkspaceDocument)
@transactional("users:write")
def accept_invite(
    session: Session,
    actor: Actor,
    data: InviteAccept = Body(examples=[{"token": "inv_Jx3kq0Vt9cZrX2m8L1pN5sWd7yHb4fGa"}]),
) -> JSONAPIResponse:
    """Join a workspace with an invite token; the invite must be for your email address. An
    invite that shared a task (Taskforce add_collaborator) makes you its collaborator too."""
    membership = accept_invitation(session, actor, token=data.token)
    return document(resources.workspace(get_workspace_for(session, actor, membership.workspace_id)))


@router.post("/invites/signup", response_model=ApiKeyDocument, status_code=201, openapi_extra={"security": []})
async def sign_up_with_invite(
    request: Request,
    data: InviteSignup = Body(
        examples=[{"token": "inv_Jx3kq0Vt9cZrX2m8L1pN5sWd7yHb4fGa", "name": "Jane Doe", "password": "a long secret"}]
    ),
) -> JSONAPIResponse:
    """Accept an invite without an account; no credentials. The account is made for the
    invite's email (the mailed token proves the address), with `name` and `password` (and
    `username`, else one from the email), joins the workspace, and gets its first API key:
    the response, whose `key` is shown once. An email that already has an account: 409, sign
    in and use POST /v1/invites/accept."""

    def work(session: Session) -> JSONAPIResponse:
        made = accept_invitation_with_signup(
            session, token=data.token, name=data.name, password=data.password, username=data.username
        )
        return created(resources.api_key(made.key.key, made.key.secret), f"/v1/api-keys/key_{made.key.key.id}")

    return await run_anonymous(request, work)
