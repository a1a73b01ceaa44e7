"""Input shapes for risks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from polytask.core.ids import UserRef
from polytask.core.jsontypes import Omittable

Level = Literal["low", "medium", "high", "critical"]
RiskStatus = Literal["active", "mitigated", "closed", "occurred"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
RISK_STATUSES: tuple[str, ...] = RiskStatus.__args__  # type: ignore[attr-defined]


class RiskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=100_000)
    severity: Level = "medium"
    probability: Level = "medium"
    impact: str = Field(default="", max_length=100, description="What it would hit: schedule, budget, scope, ...")
    mitigation_plan: str = Field(default="", max_length=100_000)
    status: RiskStatus = "active"
    owner_id: UserRef | None = Field(default=None, description="A member of the workspace; default: the creator.")


class RiskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Omittable[str] = Field(default=None, min_length=1, max_length=300)
    description: Omittable[str] = Field(default=None, max_length=100_000)
    severity: Omittable[Level] = None
    probability: Omittable[Level] = None
    impact: Omittable[str] = Field(default=None, max_length=100)
    mitigation_plan: Omittable[str] = Field(default=None, max_length=100_000)
    status: Omittable[RiskStatus] = None
    actual_impact: str | None = Field(default=None, max_length=100)
    resolution_notes: str | None = Field(default=None, max_length=100_000)
    owner_id: UserRef | None = None
