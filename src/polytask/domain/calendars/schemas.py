"""Input shapes for calendar feeds."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FeedCreate(BaseModel):
    """`POST /v1/me/calendar-feeds`, `POST /v1/projects/{id}/calendar-feeds`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200, description="A label of your own for the feed.")
