"""Input shapes for memberships and invites."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, StrictInt

from polytask.core.ids import DepartmentRef
from polytask.core.jsontypes import DecimalText, JsonFloat

Role = Literal["owner", "admin", "member", "viewer"]


class MemberPermissions(BaseModel):
    """Explicit flags override the role's defaults; null drops the override again."""

    model_config = ConfigDict(extra="forbid")

    # Strict: "yes" or 1 is a client bug, not a grant.
    create_projects: StrictBool | None = None
    manage_users: StrictBool | None = None
    view_analytics: StrictBool | None = None


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    permissions: MemberPermissions | None = None
    department: str | None = Field(default=None, max_length=100)
    department_id: DepartmentRef | None = Field(
        default=None, description="A department of this workspace (its name becomes `department`); null: none."
    )
    cost_rate: DecimalText | StrictInt | JsonFloat | None = Field(
        default=None,
        description="What an hour of this member's time costs, in the projects' currency ('85.00'); null: none.",
    )


class InviteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[EmailStr] = Field(min_length=1, max_length=100)
    role: Literal["admin", "member", "viewer"] = "member"
    message: str = Field(default="", max_length=5_000)


class InviteAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)


class InviteSignup(BaseModel):
    """Accept an invite without an account: the account is made for the invite's email."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=512)
    username: str | None = Field(default=None, min_length=1, max_length=150, pattern=r"^[A-Za-z0-9_.@+-]+$")
