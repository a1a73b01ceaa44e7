"""People as a team sees them (the TaskFlow surface's users): the accounts the caller shares a
workspace with, with their department in the caller's home workspace; creating someone inside
that workspace, changing them, deactivating them. A flow: it spans users and members.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied
from polytask.core.ids import storable_key
from polytask.core.pagination import PageRequest, PageResult
from polytask.core.query.fields import Field, Ref, Registry
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.members.schemas import MemberUpdate
from polytask.domain.members.service import add_member, update_member
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user, update_user
from polytask.domain.workspaces.access import MEMBERSHIPS, default_workspace_id, membership_for
from polytask.domain.workspaces.service import home_workspace_id
from polytask.models import Membership, User

# The workspace role someone created with a server-wide role gets in the team's workspace.
MEMBER_ROLE_FOR = {"admin": "admin", "manager": "member", "user": "member"}


@dataclass(slots=True)
class PersonCard:
    user: User
    department: str | None  # the department's name in the home workspace, else the account's
    department_id: int | None


def _visible(actor: Actor) -> Any:
    """The accounts with a membership in a workspace the actor sees."""
    shared = select(Membership.user_id).where(MEMBERSHIPS.visible(actor))
    return User.id.in_(shared)


def _cards(session: Session, users: list[User], workspace_id: int) -> list[PersonCard]:
    if not users:
        return []
    rows = session.execute(
        select(Membership.user_id, Membership.department, Membership.department_id).where(
            Membership.workspace_id == workspace_id, Membership.user_id.in_([u.id for u in users])
        )
    ).all()
    found = {r[0]: (r[1], r[2]) for r in rows}
    return [
        PersonCard(u, found.get(u.id, (None, None))[0] or u.department, found.get(u.id, (None, None))[1]) for u in users
    ]


def department_of(session: Session, user: User) -> str | None:
    """The department someone shows at sign-in: their department's name in their home
    workspace (where TaskFlow acts for them), else the account's own label."""
    home = default_workspace_id(session, user.id)
    label = (
        session.scalar(
            select(Membership.department).where(Membership.workspace_id == home, Membership.user_id == user.id)
        )
        if home is not None
        else None
    )
    return label or user.department


PEOPLE: ListSpec[User] = ListSpec("user", Registry.of("user", [Field("id", Ref("user"), expr=User.id)]), User.id)


def list_people(
    session: Session,
    actor: Actor,
    *,
    page: PageRequest,
    role: str | None = None,
    department_id: int | None = None,
    active: bool | None = None,
) -> tuple[PageResult[User], list[PersonCard]]:
    """A page of the people the actor shares a workspace with (oldest account first), and
    their cards; `department_id` is a department of the actor's home workspace."""
    home = home_workspace_id(session, actor)
    membership_for(session, actor, home)
    base: Any = select(User).where(_visible(actor))
    if role is not None:
        base = base.where(User.role == role)
    if active is not None:
        base = base.where(User.is_active.is_(active))
    if department_id is not None:
        base = base.where(
            User.id.in_(
                select(Membership.user_id).where(
                    Membership.workspace_id == home, Membership.department_id == department_id
                )
            )
        )
    result = run_list(session, PEOPLE, actor=actor, base=base, page=page)
    return result, _cards(session, result.items, home)


def _person(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalar(select(User).where(User.id == user_id, _visible(actor))) if storable_key(user_id) else None
    if user is None:
        raise NotFound.of("user", user_id)
    return user


def get_person(session: Session, actor: Actor, user_id: int) -> PersonCard:
    """Someone the actor shares a workspace with (deactivated too), else NotFound."""
    return _cards(session, [_person(session, actor, user_id)], home_workspace_id(session, actor))[0]


def create_teammate(session: Session, actor: Actor, *, data: UserCreate, department_id: int | None) -> PersonCard:
    """A new account that works in the actor's home workspace (no workspace of its own), a
    member there with the workspace role its server-wide role maps to, in `department_id`."""
    if data.role != "user" and actor.global_role != "admin":
        raise PermissionDenied("Only a server admin can create managers and admins", {"required_role": "admin"})
    home = home_workspace_id(session, actor)
    user = create_user(session, actor, data=data, personal_workspace=False)
    add_member(
        session,
        actor,
        workspace_id=home,
        user_id=user.id,
        role=MEMBER_ROLE_FOR.get(data.role, "member"),
        department_id=department_id,
    )
    return _cards(session, [user], home)[0]


def change_person(
    session: Session,
    actor: Actor,
    *,
    user_id: int,
    role: str | None = None,
    active: bool | None = None,
    name: str | None = None,
    department_id: int | None = None,
    department_given: bool = False,
) -> PersonCard:
    """Change someone's server-wide role, active flag or name (users.update_user's rules) and,
    when `department_given`, their department in the actor's home workspace."""
    user = _person(session, actor, user_id)
    home = home_workspace_id(session, actor)
    if department_given:
        update_member(
            session,
            actor,
            workspace_id=home,
            user_id=user.id,
            # Out of every department: the shown label goes with it.
            data=MemberUpdate.model_validate(
                {"department_id": department_id}
                if department_id is not None
                else {"department_id": None, "department": ""}
            ),
        )
    update_user(session, actor, user, role=role, is_active=active, name=name)
    return _cards(session, [user], home)[0]
