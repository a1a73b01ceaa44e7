"""The shapes of TaskFlow's projects, tasks and users: request bodies and closed response envelopes.

Response models are closed (`extra="forbid"`), so the document says `additionalProperties:
false` and the suite's strict check catches any key it does not list.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, create_model

from polytask.api.taskflow.schemas import Meta
from polytask.core.dates import FlexibleDateTime, JsonDate
from polytask.core.ids import MAX_KEY
from polytask.core.jsontypes import JsonFloat, JsonInt, Omittable

ProjectStatus = Literal["active", "on_hold", "completed", "cancelled"]
TaskStatus = Literal["pending", "in_progress", "blocked", "completed", "cancelled"]
Priority = Literal["low", "medium", "high", "urgent"]
Role = Literal["admin", "manager", "user"]

_CLOSED = ConfigDict(extra="forbid")
# An id as clients send one (a key no row can exceed: larger ones are refused, naming the field).
Key = Annotated[JsonInt, Field(ge=1, le=MAX_KEY)]


class Pagination(BaseModel):
    model_config = _CLOSED

    page: int = Field(examples=[1])
    per_page: int = Field(examples=[10])
    total: int = Field(examples=[25])
    pages: int = Field(examples=[3])


# --- people ------------------------------------------------------------------------------------


class Person(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[1])
    username: str = Field(examples=["admin"])
    email: str = Field(examples=["admin@taskflow.com"])


class Owner(Person):
    department: str | None = Field(examples=["Management"])


class UserOut(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[2])
    username: str = Field(examples=["designer"])
    email: str = Field(examples=["designer@taskflow.com"])
    name: str = Field(examples=["Dana Designer"])
    role: Role = Field(examples=["user"])
    department: str | None = Field(examples=["Design"])
    department_id: int | None = Field(description="A department of your workspace", examples=[2])
    active: bool
    created_at: str
    updated_at: str


class UserCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150, pattern=r"^[A-Za-z0-9_.@+-]+$", examples=["newuser"])
    email: EmailStr = Field(max_length=320, examples=["newuser@taskflow.com"])
    password: str = Field(min_length=8, max_length=512, examples=["securepassword123"])
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role = "user"
    department_id: int | None = Field(default=None, ge=1, le=MAX_KEY, examples=[2])


class UserUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Omittable[Role] = None
    active: Omittable[StrictBool] = None
    name: Omittable[str] = Field(default=None, min_length=1, max_length=200)
    department_id: int | None = Field(default=None, ge=1, le=MAX_KEY, description="null: none", examples=[3])


# --- tasks -------------------------------------------------------------------------------------


class TaskSummary(BaseModel):
    """A task in a project's overview."""

    model_config = _CLOSED

    id: int = Field(examples=[1])
    title: str = Field(examples=["Design Mockups"])
    status: TaskStatus
    priority: Priority | None
    assigned_to: Person | None = Field(description="The first assignee (all of them: `assignees`)")
    assignees: list[Person]


class TaskOut(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[1])
    project_id: int = Field(examples=[1])
    title: str = Field(examples=["Create Database Schema"])
    description: str
    status: TaskStatus
    priority: Priority | None
    due_date: str | None = Field(examples=["2025-07-15T00:00:00Z"])
    estimated_hours: float | None = Field(examples=[8])
    actual_hours: float = Field(description="Hours logged on it (its time entries)", examples=[6])
    completion_notes: str | None = Field(examples=["Task completed successfully with optimizations"])
    assigned_to: Person | None = Field(description="The first assignee (all of them: `assignees`)")
    assignees: list[Person]
    completed_at: str | None
    created_at: str
    updated_at: str


class TaskCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500, examples=["Create Database Schema"])
    description: str = Field(default="", max_length=100_000)
    priority: Priority | None = None
    status: TaskStatus | None = None
    due_date: FlexibleDateTime | None = Field(default=None, examples=["2025-07-15"])
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000, examples=[8])
    assigned_to: list[Key] = Field(default_factory=list, max_length=50, examples=[[2, 3]])


class TaskUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Omittable[str] = Field(default=None, min_length=1, max_length=500)
    description: Omittable[str] = Field(default=None, max_length=100_000)
    status: Omittable[TaskStatus] = None
    priority: Priority | None = None
    due_date: FlexibleDateTime | None = None
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000)
    assigned_to: list[Key] | None = Field(default=None, max_length=50)
    actual_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000, examples=[6])
    completion_notes: str | None = Field(default=None, max_length=100_000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_ids: list[Key] = Field(max_length=50, examples=[[2, 3, 4]])
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000, examples=[8])


# --- projects ----------------------------------------------------------------------------------


# A budget as clients send it: a JSON number (75000.00) or a decimal string ("75000.00").
MONEY_TEXT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,3})?$")
_MONEY_IN: dict[str, Any] = {
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": MONEY_TEXT.pattern}, {"type": "null"}],
    "examples": [75000.00],
}


class RiskSummary(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[1])
    title: str = Field(examples=["Budget Overrun"])
    severity: str = Field(examples=["medium"])
    probability: str = Field(examples=["low"])
    status: str = Field(examples=["active"])


class ProjectOut(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[1])
    name: str = Field(examples=["Website Redesign"])
    description: str = Field(examples=["Complete redesign of company website"])
    budget: float | None = Field(description="Exact, with the currency's places (50000.00)", examples=[50000.00])
    spent_budget: float = Field(
        description="Derived: logged time at its members' cost rates, plus expenses", examples=[32500.00]
    )
    currency: str = Field(description="ISO 4217 code of both amounts", examples=["USD"])
    start_date: str | None = Field(examples=["2025-01-01T00:00:00Z"])
    end_date: str | None = Field(examples=["2025-06-30T00:00:00Z"])
    status: ProjectStatus
    progress: int = Field(ge=0, le=100, examples=[65])
    owner: Owner | None
    tasks_count: int = Field(examples=[15])
    completed_tasks: int = Field(examples=[10])
    created_at: str
    updated_at: str


class ProjectDetail(ProjectOut):
    tasks: list[TaskSummary] = Field(description="Its first 100 tasks (all of them: its task list)")
    risks: list[RiskSummary] = Field(description="Its first 100 risks")


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, examples=["Mobile App Development"])
    description: str = Field(default="", max_length=100_000)
    budget: Any = Field(default=None, json_schema_extra={**_MONEY_IN, "description": "null or absent: no budget"})
    start_date: JsonDate | None = Field(default=None, examples=["2025-07-01"])
    end_date: JsonDate | None = Field(default=None, examples=["2025-12-31"])
    status: ProjectStatus = "active"


class ProjectUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=300)
    description: Omittable[str] = Field(default=None, max_length=100_000)
    budget: Any = Field(default=None, json_schema_extra={**_MONEY_IN, "description": "null: no budget"})
    start_date: JsonDate | None = None
    end_date: JsonDate | None = None
    status: Omittable[ProjectStatus] = None


# --- envelopes ---------------------------------------------------------------------------------


def _envelope(name: str, data: type[BaseModel], *, paged: bool = False) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "status": (Literal["success"], ...),
        "message": (str, ...),
        "data": (data, ...),
        "meta": (Meta, ...),
    }
    if paged:
        fields["pagination"] = (Pagination, ...)
    model: type[BaseModel] = create_model(name, __config__=_CLOSED, **fields)
    return model


def _data(name: str, **fields: Any) -> type[BaseModel]:
    definitions: dict[str, Any] = {k: (v, ...) for k, v in fields.items()}
    model: type[BaseModel] = create_model(name, __config__=_CLOSED, **definitions)
    return model


ProjectList = _envelope("ProjectList", _data("ProjectListData", projects=list[ProjectOut]), paged=True)
ProjectOne = _envelope("ProjectOne", _data("ProjectOneData", project=ProjectOut))
ProjectShown = _envelope("ProjectShown", _data("ProjectShownData", project=ProjectDetail))
TaskList = _envelope("TaskList", _data("TaskListData", tasks=list[TaskOut]), paged=True)
TaskOne = _envelope("TaskOne", _data("TaskOneData", task=TaskOut))
UserList = _envelope("UserList", _data("UserListData", users=list[UserOut]), paged=True)
UserOne = _envelope("UserOne", _data("UserOneData", user=UserOut))
Deleted = _envelope("Deleted", _data("DeletedData"))


# --- departments -------------------------------------------------------------------------------


class DepartmentOut(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[3])
    name: str = Field(examples=["Quality Assurance"])
    description: str = Field(examples=["Software testing and quality control department"])
    created_at: str
    updated_at: str


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Quality Assurance"])
    description: str = Field(default="", max_length=10_000)


class DepartmentStatsOut(BaseModel):
    model_config = _CLOSED

    department_id: int = Field(examples=[3])
    name: str = Field(examples=["Quality Assurance"])
    members_count: int = Field(examples=[4])
    total_tasks: int = Field(description="Tasks assigned to its members", examples=[23])
    completed_tasks: int = Field(examples=[18])
    pending_tasks: int = Field(description="Its tasks not completed", examples=[5])
    completion_rate: float = Field(description="Per cent, one place", examples=[78.3])
    total_hours: float = Field(description="Hours its members logged, two places", examples=[156.5])
    active_projects: int = Field(description="Active projects its members have tasks in", examples=[2])


DepartmentList = _envelope("DepartmentList", _data("DepartmentListData", departments=list[DepartmentOut]), paged=True)
DepartmentOne = _envelope("DepartmentOne", _data("DepartmentOneData", department=DepartmentOut))
DepartmentStatsOne = _envelope("DepartmentStatsOne", _data("DepartmentStatsData", stats=DepartmentStatsOut))


# --- risks -------------------------------------------------------------------------------------

Level = Literal["low", "medium", "high", "critical"]
RiskState = Literal["active", "mitigated", "closed", "occurred"]


class RiskOut(BaseModel):
    model_config = _CLOSED

    id: int = Field(examples=[1])
    project_id: int = Field(examples=[1])
    title: str = Field(examples=["Technical Complexity Risk"])
    description: str = Field(examples=["High technical complexity may lead to delays"])
    severity: Level
    probability: Level
    impact: str = Field(examples=["schedule"])
    mitigation_plan: str = Field(examples=["Engage senior developers and provide additional training"])
    status: RiskState
    actual_impact: str | None = Field(examples=["minimal"])
    resolution_notes: str | None = Field(examples=["Risk successfully managed through proactive measures"])
    created_at: str
    updated_at: str


class RiskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300, examples=["Technical Complexity Risk"])
    description: str = Field(default="", max_length=100_000)
    severity: Level = "medium"
    probability: Level = "medium"
    impact: str = Field(default="", max_length=100, examples=["schedule"])
    mitigation_plan: str = Field(default="", max_length=100_000)


class RiskUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Omittable[str] = Field(default=None, min_length=1, max_length=300)
    description: Omittable[str] = Field(default=None, max_length=100_000)
    severity: Omittable[Level] = None
    probability: Omittable[Level] = None
    impact: Omittable[str] = Field(default=None, max_length=100)
    mitigation_plan: Omittable[str] = Field(default=None, max_length=100_000)
    status: Omittable[RiskState] = None
    actual_impact: str | None = Field(default=None, max_length=100, description="null: clears it")
    resolution_notes: str | None = Field(default=None, max_length=100_000, description="null: clears it")


RiskList = _envelope("RiskList", _data("RiskListData", risks=list[RiskOut]), paged=True)
RiskOne = _envelope("RiskOne", _data("RiskOneData", risk=RiskOut))
