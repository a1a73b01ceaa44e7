"""People named in a request (an id, a username or an email) as members of a workspace."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from polytask.core.errors import ValidationFailed
from polytask.core.ids import parse_id
from polytask.models import Membership, User


def resolve_people(session: Session, workspace_id: int, people: list[Any], field: str) -> list[int]:
    """Map ids, usernames or emails to members of the workspace; anything else is a 422."""
    resolved: list[int] = []
    for ref in people:
        user_id = parse_id("user", ref)
        if user_id is not None:
            cond = User.id == user_id
        elif isinstance(ref, str) and ref.strip():
            login = ref.strip().lower()
            cond = or_(func.lower(User.username) == login, func.lower(User.email) == login)
        else:
            raise ValidationFailed.field(field, "must be a user id, username or email", ref)
        found = session.scalar(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(cond, Membership.workspace_id == workspace_id, User.is_active.is_(True))
        )
        if found is None:
            raise ValidationFailed.field(field, "is not a member of this workspace", ref)
        if found not in resolved:
            resolved.append(found)
    return resolved
