"""Workspace members (roles, permission flags) and invitations."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import EmailStr, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc, utcnow
from polytask.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from polytask.core.keycache import forget_verified_keys
from polytask.core.money import to_minor
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.settings import get_settings
from polytask.domain.departments.service import department_in_workspace
from polytask.domain.events.service import diff, record_event
from polytask.domain.mail import templates
from polytask.domain.mail.outbox import queue_mail
from polytask.domain.members.schemas import InviteCreate, MemberUpdate
from polytask.domain.workspaces.access import MANAGERS, ROLES, effective_permissions, membership_for, require_flag
from polytask.models import Department, Invite, Membership, User, Workspace

MEMBER_FIELDS = Registry.of(
    "member",
    [
        Field("id", Ref("user"), expr=User.id),
        Field("name", Text(), expr=User.name),
        Field("email", Text(caseless=True), expr=func.lower(User.email), sort_expr=User.email),
        Field("username", Text(), expr=User.username),
        Field("role", Choice(ROLES, ordered=False), expr=Membership.role),
        Field("global_role", Choice(("admin", "manager", "user")), expr=User.role),
        Field(
            "department",
            Text(caseless=True),
            expr=func.lower(func.coalesce(Membership.department, User.department)),
        ),
        Field("department_id", Ref("department"), expr=Membership.department_id),
        Field("joined_at", Moment(), expr=Membership.created_at),
    ],
)


@dataclass(frozen=True, slots=True)
class Member:
    """A user as seen from one workspace."""

    user: User
    membership: Membership

    @property
    def permissions(self) -> dict[str, bool]:
        return effective_permissions(self.membership)

    @property
    def department(self) -> str | None:
        """The workspace's own value, else the user's default."""
        return self.membership.department or self.user.department


def _members(session: Session, rows: list[Any]) -> list[Member]:
    return [Member(user, membership) for user, membership in rows]


MEMBER_LIST = ListSpec("member", MEMBER_FIELDS, User.id, load=_members)
INVITE_LIST: ListSpec[Invite] = ListSpec(
    "invite", Registry.of("invite", [Field("id", Ref("invite"), expr=Invite.id)]), Invite.id
)


def list_members(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    page: PageRequest,
    sort: list[SortKey],
    tree: Node | None = None,
) -> PageResult[Member]:
    """Members of a workspace, filtered by the query engine (`role`, `department`, `name`, ...)."""
    membership_for(session, actor, workspace_id)
    base = (
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.is_active.is_(True))
    )
    return run_list(session, MEMBER_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def get_member(session: Session, actor: Actor, *, workspace_id: int, user_id: int) -> Member:
    membership_for(session, actor, workspace_id)
    row = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound.of("user", user_id)
    return Member(row[0], row[1])


def _owner_count(session: Session, workspace_id: int) -> int:
    """Owners of the workspace, locked: two owners demoting each other at once must not leave none."""
    owners = select(Membership.id).where(Membership.workspace_id == workspace_id, Membership.role == "owner")
    return len(session.scalars(owners.with_for_update()).all())


def _require_authority_over(mine: Membership, target: Membership) -> None:
    """Owners manage anyone; everyone else with manage_users only members and viewers (and themselves)."""
    if target.user_id == mine.user_id or mine.role == "owner":
        return
    if target.role in MANAGERS:
        raise PermissionDenied(f"Only an owner can change or remove an {target.role}", {"required_role": "owner"})


def _require_may_grant(mine: Membership, role: str) -> None:
    if role == "owner" and mine.role != "owner":
        raise PermissionDenied("Only an owner can grant or remove the owner role", {"required_role": "owner"})
    if role == "admin" and mine.role not in MANAGERS:
        raise PermissionDenied("Only owners and admins can grant the admin role", {"required_role": ["owner", "admin"]})


def _member_state(member: Member) -> dict[str, Any]:
    m = member.membership
    return {
        "role": m.role,
        "permissions": member.permissions,
        "department": member.department,
        "department_id": m.department_id,
        "cost_rate_minor": m.cost_rate_minor,
    }


def _set_department(session: Session, membership: Membership, department_id: int | None) -> None:
    """Put the member in a department of the workspace (its name becomes the shown label), or in none."""
    if department_id is None:
        membership.department_id = None
        return
    membership.department_id = department_in_workspace(session, membership.workspace_id, department_id, "department_id")
    membership.department = session.scalar(select(Department.name).where(Department.id == department_id))


def add_member(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    user_id: int,
    role: str = "member",
    department_id: int | None = None,
) -> Membership:
    """Make an existing user a member of the workspace directly (no invite to accept): for
    people an admin creates there (TaskFlow's POST /api/users)."""
    mine = membership_for(session, actor, workspace_id)
    require_flag(mine, "manage_users")
    _require_may_grant(mine, role)
    if session.scalar(
        select(Membership.id).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    ):
        raise Conflict("This user is already a member of the workspace", {"field": "user_id"})
    membership = Membership(workspace_id=workspace_id, user_id=user_id, role=role)
    session.add(membership)
    _set_department(session, membership, department_id)
    session.flush()
    record_event(
        session,
        actor,
        type="member.added",
        resource_type="member",
        resource_id=membership.id,
        workspace_id=workspace_id,
        snapshot={"user_id": user_id, "role": role},
    )
    return membership


def update_member(session: Session, actor: Actor, *, workspace_id: int, user_id: int, data: MemberUpdate) -> Member:
    """Change a member's role, permission flags or department."""
    mine = membership_for(session, actor, workspace_id)
    require_flag(mine, "manage_users")
    member = get_member(session, actor, workspace_id=workspace_id, user_id=user_id)
    target = member.membership
    _require_authority_over(mine, target)
    before = _member_state(member)
    if data.role is not None and data.role != target.role:
        _require_may_grant(mine, data.role)
        if target.role == "owner" and _owner_count(session, workspace_id) <= 1:
            raise Conflict("A workspace must keep at least one owner", {"field": "role"})
        target.role = data.role
    if data.permissions is not None:
        flags = {**(target.permissions or {}), **data.permissions.model_dump(exclude_unset=True)}
        target.permissions = {k: v for k, v in flags.items() if v is not None}
    if data.department is not None:
        target.department = data.department or None
    given = data.model_fields_set
    if "department_id" in given:
        _set_department(session, target, data.department_id)
    if "cost_rate" in given:
        target.cost_rate_minor = (
            None if data.cost_rate is None else to_minor(data.cost_rate, get_settings().default_currency, "cost_rate")
        )
    session.flush()
    after = _member_state(member)
    changes = diff(before, after)
    if changes:
        record_event(
            session,
            actor,
            type="member.updated",
            resource_type="member",
            resource_id=target.id,
            workspace_id=workspace_id,
            changes=changes,
            snapshot={"user_id": user_id, **after},
        )
    return member


def remove_member(session: Session, actor: Actor, *, workspace_id: int, user_id: int) -> None:
    """Remove someone from a workspace (or leave it yourself)."""
    mine = membership_for(session, actor, workspace_id)
    member = get_member(session, actor, workspace_id=workspace_id, user_id=user_id)
    if user_id != actor.user_id:
        require_flag(mine, "manage_users")
        _require_authority_over(mine, member.membership)
    if member.membership.role == "owner" and _owner_count(session, workspace_id) <= 1:
        raise Conflict("A workspace must keep at least one owner")
    session.delete(member.membership)
    session.flush()
    record_event(
        session,
        actor,
        type="member.removed",
        resource_type="member",
        resource_id=member.membership.id,
        workspace_id=workspace_id,
        snapshot={"user_id": user_id, "role": member.membership.role},
    )


# --- invites -------------------------------------------------------------------------------


_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    invite: Invite
    token: str  # shown once, to whoever sends the invitation


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _existing_members(session: Session, workspace_id: int, emails: list[str]) -> set[str]:
    return set(
        session.scalars(
            select(func.lower(User.email))
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace_id, func.lower(User.email).in_(emails))
        )
    )


def _issue(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    email: str,
    role: str,
    message: str,
    expires: datetime,
    task_id: int | None = None,
) -> IssuedInvite:
    token = "inv_" + secrets.token_urlsafe(24)
    invite = Invite(
        workspace_id=workspace_id,
        email=email,
        role=role,
        message=message,
        token_hash=_token_hash(token),
        status="pending",
        invited_by_id=actor.user_id,
        expires_at=expires,
        task_id=task_id,
    )
    session.add(invite)
    session.flush()
    record_event(
        session,
        actor,
        type="invite.created",
        resource_type="invite",
        resource_id=invite.id,
        workspace_id=workspace_id,
        snapshot={"email": email, "role": role},
    )
    return IssuedInvite(invite, token)


def _names(session: Session, actor: Actor, workspace_id: int) -> tuple[str, str]:
    """The inviter's and the workspace's names, as an invitation mail shows them."""
    inviter = session.scalar(select(User.name).where(User.id == actor.user_id)) or "Someone"
    workspace = session.scalar(select(Workspace.name).where(Workspace.id == workspace_id)) or "a workspace"
    return inviter, workspace


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def create_invites(
    session: Session, actor: Actor, *, workspace_id: int, data: InviteCreate, ttl: timedelta, send_mail: bool = True
) -> list[IssuedInvite]:
    """Invite people by email; one invite per address, each with its own token, each mailed
    (through the outbox, after the commit) unless `send_mail` is off (generated data)."""
    mine = membership_for(session, actor, workspace_id)
    require_flag(mine, "manage_users")
    if data.role == "admin" and mine.role not in MANAGERS:
        raise PermissionDenied("Only owners and admins can invite admins", {"required_role": ["owner", "admin"]})
    emails = list(dict.fromkeys(e.lower() for e in data.emails))
    existing = _existing_members(session, workspace_id, emails)
    if existing:
        raise ValidationFailed(
            "Some of these people are already members",
            {"field": "emails", "issue": "already a member", "provided_value": sorted(existing)},
        )
    expires = utcnow() + ttl
    issued = [
        _issue(
            session,
            actor,
            workspace_id=workspace_id,
            email=email,
            role=data.role,
            message=data.message,
            expires=expires,
        )
        for email in emails
    ]
    if send_mail:
        settings = get_settings()
        inviter, workspace = _names(session, actor, workspace_id)
        for item in issued:
            letter = templates.invite(
                base=settings.link_base,
                inviter=inviter,
                workspace=workspace,
                role=data.role,
                message=data.message,
                token=item.token,
                expires=_day(expires),
            )
            queue_mail(session, to=item.invite.email, message=letter, sender=settings.mail_from)
    return issued


def invite_to_task(
    session: Session, actor: Actor, *, workspace_id: int, email: str, task_id: int, task_name: str, ttl: timedelta
) -> IssuedInvite | None:
    """Invite someone who is not a member to the workspace, for one task (shared with them when
    they accept), and mail them. None when a live invite for that task is already out (no second
    mail). The caller has checked that the actor may share the task."""
    mine = membership_for(session, actor, workspace_id)
    require_flag(mine, "manage_users")
    try:
        email = str(_EMAIL.validate_python(email.strip())).lower()
    except PydanticValidationError:
        raise ValidationFailed.field("email", "is not a valid email address", email) from None
    if _existing_members(session, workspace_id, [email]):
        raise ValidationFailed.field("email", "is already a member of this workspace", email)
    pending = session.scalar(
        select(Invite.id).where(
            Invite.workspace_id == workspace_id,
            func.lower(Invite.email) == email,
            Invite.task_id == task_id,
            Invite.status == "pending",
            Invite.expires_at > utcnow(),
        )
    )
    if pending is not None:
        return None
    expires = utcnow() + ttl
    item = _issue(
        session,
        actor,
        workspace_id=workspace_id,
        email=email,
        role="member",
        message="",
        expires=expires,
        task_id=task_id,
    )
    settings = get_settings()
    inviter, workspace = _names(session, actor, workspace_id)
    letter = templates.task_invite(
        base=settings.link_base,
        inviter=inviter,
        workspace=workspace,
        task=task_name,
        token=item.token,
        expires=_day(expires),
    )
    queue_mail(session, to=email, message=letter, sender=settings.mail_from)
    return item


def list_invites(
    session: Session, actor: Actor, *, workspace_id: int, status: str | None, page: PageRequest
) -> PageResult[Invite]:
    mine = membership_for(session, actor, workspace_id)
    require_flag(mine, "manage_users")
    base = select(Invite).where(Invite.workspace_id == workspace_id)
    if status is not None:
        base = base.where(Invite.status == status)
    return run_list(session, INVITE_LIST, actor=actor, base=base, page=page)


def get_invite_for(session: Session, actor: Actor, *, workspace_id: int, invite_id: int, lock: bool = False) -> Invite:
    mine = membership_for(session, actor, workspace_id)
    require_flag(mine, "manage_users")
    invite = session.get(Invite, invite_id, with_for_update=lock)
    if invite is None or invite.workspace_id != workspace_id:
        raise NotFound.of("invite", invite_id)
    return invite


def revoke_invite(session: Session, actor: Actor, *, workspace_id: int, invite_id: int) -> None:
    invite = get_invite_for(session, actor, workspace_id=workspace_id, invite_id=invite_id, lock=True)
    if invite.status != "pending":
        raise Conflict(f"This invite is already {invite.status}")
    invite.status = "revoked"
    session.flush()
    record_event(
        session,
        actor,
        type="invite.revoked",
        resource_type="invite",
        resource_id=invite.id,
        workspace_id=workspace_id,
        changes={"status": {"from": "pending", "to": "revoked"}},
    )


def open_invite(session: Session, token: str) -> Invite:
    """The pending, unexpired invite with this token, locked (a concurrent accept or revoke of
    the same invite waits and then sees its outcome); NotFound or Conflict otherwise."""
    invite = session.scalar(select(Invite).where(Invite.token_hash == _token_hash(token)).with_for_update())
    if invite is None:
        raise NotFound("Invite not found", {"resource": "invite"})
    _require_open(invite)
    return invite


def _require_open(invite: Invite) -> None:
    if invite.status != "pending":
        raise Conflict(f"This invite is already {invite.status}")
    expires = as_utc(invite.expires_at)
    if expires is not None and expires <= utcnow():
        raise Conflict("This invite has expired")


def accept_invite(session: Session, actor: Actor, *, token: str) -> Membership:
    """The invited person joins the workspace; the token must match their email."""
    return accept_invite_for(session, actor, token=token)[0]


def accept_invite_for(session: Session, actor: Actor, *, token: str) -> tuple[Membership, Invite]:
    """`accept_invite`, also giving the invite (a flow finishes what it carried: a shared task)."""
    # Locked so that a concurrent accept or revoke of the same invite waits and then sees its outcome.
    invite = session.scalar(select(Invite).where(Invite.token_hash == _token_hash(token)).with_for_update())
    user = session.get(User, actor.user_id)
    if invite is None or user is None or invite.email.lower() != user.email.lower():
        raise NotFound("Invite not found for this user", {"resource": "invite"})
    _require_open(invite)
    if actor.workspace_id is not None and actor.workspace_id != invite.workspace_id:
        raise NotFound("Invite not found for this user", {"resource": "invite"})
    already = session.scalar(
        select(Membership).where(Membership.workspace_id == invite.workspace_id, Membership.user_id == user.id)
    )
    invite.status = "accepted"
    invite.accepted_at = utcnow()
    invite.accepted_by_id = user.id
    session.flush()
    record_event(
        session,
        actor,
        type="invite.accepted",
        resource_type="invite",
        resource_id=invite.id,
        workspace_id=invite.workspace_id,
        changes={"status": {"from": "pending", "to": "accepted"}},
        snapshot={"email": invite.email, "user_id": user.id},
    )
    if already is not None:
        return already, invite
    membership = Membership(workspace_id=invite.workspace_id, user_id=user.id, role=invite.role, permissions={})
    session.add(membership)
    session.flush()
    # The workspace's IP allowlist, if any, now applies to the user's keys.
    forget_verified_keys(session)
    record_event(
        session,
        actor,
        type="member.added",
        resource_type="member",
        resource_id=membership.id,
        workspace_id=invite.workspace_id,
        snapshot={"user_id": user.id, "role": invite.role},
    )
    return membership, invite
