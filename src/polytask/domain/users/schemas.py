"""Input shapes for users."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

GlobalRole = Literal["admin", "manager", "user"]
GLOBAL_ROLES: tuple[str, ...] = ("admin", "manager", "user")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    username: str | None = Field(default=None, min_length=1, max_length=150, pattern=r"^[A-Za-z0-9_.@+-]+$")
    name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=512)
    role: GlobalRole = "user"
    department: str | None = Field(default=None, max_length=100)


class AccountUpdate(BaseModel):
    """What a server admin may change on an account (`PATCH /v1/admin/users/{id}`)."""

    model_config = ConfigDict(extra="forbid")

    role: GlobalRole | None = None
    active: bool | None = None
    name: str | None = Field(default=None, max_length=200)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=512)
    new_password: str = Field(min_length=8, max_length=512)


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    password: str = Field(min_length=8, max_length=512)


class PasswordResetMail(BaseModel):
    """`POST /v1/admin/users/{id}/password-reset` takes nothing (a closed, empty object, so that a
    stray `password` is refused rather than ignored: setting one is `POST .../password`)."""

    model_config = ConfigDict(extra="forbid")


class PasswordSet(BaseModel):
    """`POST /v1/admin/users/{id}/password`: the account's new password."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=8, max_length=512)
