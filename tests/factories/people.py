"""Users, their API keys, and workspace membership."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from polytask.core.actor import system_actor
from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.members.schemas import InviteCreate
from polytask.domain.members.service import accept_invite, create_invites
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user
from polytask.domain.workspaces.service import default_workspace_id

_counter = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """A user with an API key; `workspace` is their personal workspace id (e.g. 'workspace_3')."""

    user_id: int
    email: str
    key: str
    workspace_pk: int

    @property
    def id(self) -> str:
        return f"user_{self.user_id}"

    @property
    def workspace(self) -> str:
        return f"workspace_{self.workspace_pk}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_person(
    db: Database,
    *,
    name: str | None = None,
    email: str | None = None,
    role: str = "user",
    department: str | None = None,
    scopes: list[str] | None = None,
    bind_workspace: bool = False,
    password: str | None = None,
) -> Person:
    n = next(_counter)
    email = email or f"person{n}@example.com"
    with db.unit_of_work() as session:
        user = create_user(
            session,
            None,
            data=UserCreate.model_validate(
                {
                    "email": email,
                    "name": name or f"Person {n}",
                    "role": role,
                    "department": department,
                    "password": password,
                }
            ),
        )
        ws = default_workspace_id(session, user.id)
        assert ws is not None
        key = create_api_key(
            session, None, user=user, workspace_id=ws if bind_workspace else None, scopes=scopes
        ).secret
        return Person(user_id=user.id, email=user.email, key=key, workspace_pk=ws)


def join(db: Database, owner: Person, person: Person, *, role: str = "member", workspace_pk: int | None = None) -> None:
    """Make `person` a member of `owner`'s workspace through a real invite and accept."""
    ws = workspace_pk or owner.workspace_pk
    with db.unit_of_work() as session:
        [issued] = create_invites(
            session,
            system_actor(owner.user_id, "user"),
            workspace_id=ws,
            data=InviteCreate.model_validate({"emails": [person.email], "role": role if role != "owner" else "admin"}),
            ttl=timedelta(days=1),
        )
        accept_invite(session, system_actor(person.user_id, "user"), token=issued.token)
    if role == "owner":
        from polytask.domain.members.schemas import MemberUpdate
        from polytask.domain.members.service import update_member

        with db.unit_of_work() as session:
            update_member(
                session,
                system_actor(owner.user_id, "user"),
                workspace_id=ws,
                user_id=person.user_id,
                data=MemberUpdate(role="owner"),
            )
