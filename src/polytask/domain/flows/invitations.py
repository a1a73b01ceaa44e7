"""Invitations across aggregates: a task shared by email with someone who is not a member
yet (an invite that carries the task), an invite accepted (the task then shared), and an
invite accepted by someone without an account (the account made as they accept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor, system_actor
from polytask.core.errors import Conflict, NotFound
from polytask.core.settings import get_settings
from polytask.domain.api_keys.service import IssuedKey, create_api_key
from polytask.domain.members.service import accept_invite_for, invite_to_task, open_invite
from polytask.domain.tasks.collaborators import add_task_collaborator
from polytask.domain.tasks.service import get_task_for
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user
from polytask.models import Invite, Membership, User


def share_task_by_email(session: Session, actor: Actor, *, task_id: int, email: str) -> None:
    """Taskforce's add_collaborator: a member of the task's workspace becomes a collaborator;
    anyone else is invited to the workspace by mail, and becomes one when they accept."""
    view = get_task_for(session, actor, task_id)
    wanted = email.strip().lower()
    if _is_member(session, view.task.workspace_id, wanted):
        add_task_collaborator(session, actor, task_id=task_id, email=email)
        return
    invite_to_task(
        session,
        actor,
        workspace_id=view.task.workspace_id,
        email=wanted,
        task_id=task_id,
        task_name=view.task.name,
        ttl=timedelta(days=get_settings().invite_ttl_days),
    )


def _is_member(session: Session, workspace_id: int, email: str) -> bool:
    return (
        session.scalar(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.workspace_id == workspace_id, func.lower(User.email) == email)
        )
        is not None
    )


def accept_invitation(session: Session, actor: Actor, *, token: str) -> Membership:
    """Accept an invite (members.accept_invite); a task it carries is then shared with the new member."""
    membership, invite = accept_invite_for(session, actor, token=token)
    _share_carried_task(session, actor, invite)
    return membership


def _share_carried_task(session: Session, actor: Actor, invite: Invite) -> None:
    if invite.task_id is None:
        return  # none, or the task was deleted meanwhile
    email = session.scalar(select(User.email).where(User.id == actor.user_id))
    if email is None:
        return
    try:
        add_task_collaborator(session, actor, task_id=invite.task_id, email=email)
    except NotFound:
        return  # the task went (or moved out of reach) before they accepted: the membership stands


@dataclass(frozen=True, slots=True)
class Registered:
    """An account made by accepting an invite: the user, their membership and a first API key."""

    user: User
    membership: Membership
    key: IssuedKey


def accept_invitation_with_signup(
    session: Session, *, token: str, name: str, password: str, username: str | None = None
) -> Registered:
    """Accept an invite without an account: the account is made for the invite's address (so
    the token proves the mailbox), with a personal workspace, then the invite is accepted and a
    first API key issued. An address that already has an account must sign in and accept."""
    invite = open_invite(session, token)
    if session.scalar(select(User.id).where(func.lower(User.email) == invite.email.lower())) is not None:
        raise Conflict(
            "An account with this invite's email exists: sign in and accept with POST /v1/invites/accept",
            {"field": "token"},
        )
    user = create_user(
        session, None, data=UserCreate(email=invite.email, name=name, password=password, username=username)
    )
    actor = system_actor(user.id, user.role)
    membership = accept_invitation(session, actor, token=token)
    key = create_api_key(session, actor, user=user, name="Invite sign-up")
    return Registered(user, membership, key)
