"""Input shapes for departments."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from polytask.core.ids import UserRef
from polytask.core.jsontypes import Omittable


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=10_000)
    head_user_id: UserRef | None = Field(default=None, description="A member of the workspace who heads it.")


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=100)
    description: Omittable[str] = Field(default=None, max_length=10_000)
    head_user_id: UserRef | None = Field(default=None, description="null: no head.")
