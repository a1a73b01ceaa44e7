"""Input shapes for time entries and expenses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from polytask.core.dates import JsonDate
from polytask.core.ids import TaskRef, UserRef
from polytask.core.jsontypes import DecimalText, JsonFloat, JsonInt, Omittable

# One entry holds at most this much time (a year of days); a day's work is far below it.
MAX_ENTRY_MINUTES = 366 * 24 * 60
Amount = DecimalText | StrictInt | JsonFloat


class TimeEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: JsonInt | None = Field(default=None, ge=1, le=MAX_ENTRY_MINUTES, description="Give this or `hours`.")
    hours: JsonFloat | None = Field(
        default=None, gt=0, le=MAX_ENTRY_MINUTES / 60, description="Rounded to the nearest minute."
    )
    spent_on: JsonDate | None = Field(default=None, description="The day worked; default: today (UTC).")
    user_id: UserRef | None = Field(default=None, description="Whose time; default: the caller.")
    task_id: TaskRef | None = Field(default=None, description="A task of the same project.")
    note: str = Field(default="", max_length=10_000)


class TimeEntryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: Omittable[JsonInt] = Field(default=None, ge=1, le=MAX_ENTRY_MINUTES)
    hours: Omittable[JsonFloat] = Field(default=None, gt=0, le=MAX_ENTRY_MINUTES / 60)
    spent_on: Omittable[JsonDate] = None
    task_id: TaskRef | None = Field(default=None, description="null: on the project, no task.")
    note: Omittable[str] = Field(default=None, max_length=10_000)


class ExpenseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount = Field(description='A decimal string ("1250.00") or a number; never negative.')
    currency: str | None = Field(default=None, description="ISO 4217; must be the project's (the default).")
    spent_on: JsonDate | None = Field(default=None, description="Default: today (UTC).")
    category: str = Field(default="other", min_length=1, max_length=50)
    note: str = Field(default="", max_length=10_000)


class ExpenseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Omittable[Amount] = None
    currency: Omittable[str] = None
    spent_on: Omittable[JsonDate] = None
    category: Omittable[str] = Field(default=None, min_length=1, max_length=50)
    note: Omittable[str] = Field(default=None, max_length=10_000)
