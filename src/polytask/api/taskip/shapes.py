"""TaskIP's request bodies. The document gives none; these are the names a client would most
likely send, with the obvious synonyms folded in (`title` for `name`, `section_id` for
`container_id`, ...). Unknown fields are refused (422 naming them), so a misspelt name is
never silently ignored. docs/compat/taskip.md lists every body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError, model_validator

from polytask.core.dates import FlexibleDateTime, JsonDate
from polytask.core.errors import ValidationFailed
from polytask.core.jsontypes import DecimalText, JsonFloat
from polytask.domain.projects.schemas import COLOR_PATTERN

ProjectStatus = Literal["active", "on_hold", "completed", "archived"]
TaskStatus = Literal["pending", "in_progress", "blocked", "completed", "cancelled"]
Priority = Literal["low", "medium", "high", "urgent"]
# A tag or category named by id or by name.
AttributeRef = StrictInt | StrictStr


def folded(data: Any, synonyms: Mapping[str, str]) -> Any:
    """`data` with each synonym renamed to its field; both given with different values is a
    422 naming the synonym."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for synonym, field in synonyms.items():
        if synonym in out:
            value = out.pop(synonym)
            if field in out and out[field] != value:
                raise ValueError(f"'{synonym}' and '{field}' name the same field: send one of them")
            out[field] = value
    return out


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    synonyms: ClassVar[Mapping[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def _fold(cls, data: Any) -> Any:
        return folded(data, cls.synonyms)


_PROJECT_SYNONYMS = {"title": "name", "due_date": "end_date", "deadline": "end_date", "category": "category_id"}


class ProjectIn(_Body):
    synonyms = _PROJECT_SYNONYMS

    name: str = Field(min_length=1, max_length=300, description="The project's name (or `title`)")
    description: str = Field(default="", max_length=100_000)
    status: ProjectStatus = "active"
    priority: Priority | None = None
    category_id: AttributeRef | None = Field(
        default=None, description="A category by id or name (or `category`); a new name is added"
    )
    tags: list[AttributeRef] = Field(default_factory=list, max_length=50, description="Tags by id or name")
    start_date: JsonDate | None = None
    end_date: JsonDate | None = Field(default=None, description="The deadline (or `due_date`, `deadline`)")
    budget: DecimalText | StrictInt | JsonFloat | None = Field(default=None, examples=["5000.00"])
    template_id: StrictInt | None = Field(
        default=None,
        ge=1,
        description="Make the project from this template of your workspace (its sections, tasks, fields; "
        "dates shifted to `start_date`, default today); fields given here win over the template's",
    )


class ProjectUpdateIn(_Body):
    synonyms = _PROJECT_SYNONYMS

    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=100_000)
    status: ProjectStatus | None = None
    priority: Priority | None = None
    category_id: AttributeRef | None = None
    tags: list[AttributeRef] | None = Field(default=None, max_length=50, description="Replaces the tags")
    start_date: JsonDate | None = None
    end_date: JsonDate | None = None
    budget: DecimalText | StrictInt | JsonFloat | None = None


class PriorityIn(_Body):
    priority: Priority | None


class ProjectStatusIn(_Body):
    status: ProjectStatus


class CategoryIn(_Body):
    synonyms = {"category": "category_id"}

    category_id: AttributeRef | None = Field(description="By id or name (or `category`); null: none")


_TASK_SYNONYMS = {
    "title": "name",
    "section_id": "container_id",
    "end_date": "due_date",
    "assignee_ids": "assignees",
    "assigned_to": "assignees",
    "position": "order",
    "tags": "labels",
}


class TaskIn(_Body):
    synonyms = _TASK_SYNONYMS

    name: str = Field(min_length=1, max_length=500, description="The task's title (or `title`)")
    description: str | None = Field(default=None, max_length=100_000)
    container_id: StrictInt | None = Field(default=None, description="Its container (or `section_id`)")
    status: TaskStatus | None = None
    priority: Priority | None = None
    start_date: FlexibleDateTime | None = None
    due_date: FlexibleDateTime | None = Field(default=None, description="(or `end_date`)")
    labels: list[str] | None = Field(default=None, max_length=50, description="(or `tags`)")
    assignees: list[StrictInt] | None = Field(
        default=None, max_length=50, description="User ids (or `assignee_ids`, `assigned_to`)"
    )
    order: JsonFloat | None = Field(default=None, description="Its place in the project (or `position`)")
    parent_id: StrictInt | None = None
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000)


class TaskUpdateIn(_Body):
    synonyms = _TASK_SYNONYMS

    name: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=100_000)
    container_id: StrictInt | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    start_date: FlexibleDateTime | None = None
    due_date: FlexibleDateTime | None = None
    labels: list[str] | None = Field(default=None, max_length=50)
    assignees: list[StrictInt] | None = Field(default=None, max_length=50)
    order: JsonFloat | None = None
    parent_id: StrictInt | None = None
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000)


class TaskOrderIn(_Body):
    synonyms = {"order": "task_ids", "tasks": "task_ids", "section_id": "container_id"}

    task_ids: list[StrictInt] = Field(min_length=1, max_length=1000, description="The tasks in their new order")
    container_id: StrictInt | None = Field(default=None, description="Also move them into this container")


class ContainerMoveIn(_Body):
    synonyms = {"section_id": "container_id", "target_container_id": "container_id"}

    container_id: StrictInt | None = Field(description="The container to put it in; null: none")
    order: JsonFloat | None = None


class CompleteIn(_Body):
    is_completed: StrictBool = Field(default=True, description="false reopens a completed task")


class LabelIn(_Body):
    synonyms = {"name": "label", "tag": "label"}

    label: str | None = Field(default=None, min_length=1, max_length=100)
    labels: list[str] | None = Field(default=None, min_length=1, max_length=50)


class AssigneeIn(_Body):
    synonyms = {"assignee_id": "user_id", "assignee_ids": "user_ids", "id": "user_id"}

    user_id: StrictInt | None = None
    user_ids: list[StrictInt] | None = Field(default=None, min_length=1, max_length=50)


class ContainerIn(_Body):
    synonyms = {"title": "name", "colour": "color", "position": "order"}

    name: str = Field(min_length=1, max_length=200)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN, examples=["#3b82f6"])
    order: JsonFloat | None = None


class RenameIn(_Body):
    synonyms = {"title": "name"}

    name: str = Field(min_length=1, max_length=200)


class ColorIn(_Body):
    synonyms = {"colour": "color"}

    color: str | None = Field(pattern=COLOR_PATTERN, examples=["#3b82f6"])


class ContainerOrderIn(_Body):
    synonyms = {"order": "container_ids", "containers": "container_ids", "ids": "container_ids"}

    container_ids: list[StrictInt] = Field(
        min_length=1, max_length=500, description="The containers in their new order"
    )


class MoveAllIn(_Body):
    synonyms = {
        "target_container_id": "to_container_id",
        "move_to": "to_container_id",
        "container_id": "to_container_id",
    }

    to_container_id: StrictInt | None = Field(description="Where the tasks go; null: out of every container")


class AttributeIn(_Body):
    synonyms = {"type": "kind", "title": "name", "colour": "color"}

    kind: Literal["tag", "category"] = Field(description="`tag` or `category` (or `type`)")
    name: str = Field(min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)


class AttributeUpdateIn(_Body):
    synonyms = {"title": "name", "colour": "color"}

    name: str | None = Field(default=None, min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)


class _Projects(_Body):
    projects: list[StrictStr | StrictInt] | None = Field(
        default=None, min_length=1, max_length=500, description="Project uuids (or ids)"
    )
    project_uuid: StrictStr | None = None
    project_id: StrictInt | None = None

    def project_refs(self) -> list[str | int]:
        refs: list[str | int] = list(self.projects or [])
        refs += [r for r in (self.project_uuid, self.project_id) if r is not None]
        if not refs:
            raise ValueError("name the projects: `projects` (uuids), `project_uuid` or `project_id`")
        return refs


class TagsUpdateIn(_Projects):
    synonyms = {"project_uuids": "projects", "project_ids": "projects"}

    tags: list[AttributeRef] = Field(max_length=50, description="Tags by id or name; new names are added")
    action: Literal["set", "add", "remove"] = "set"


class CategoriesUpdateIn(_Projects):
    synonyms = {"project_uuids": "projects", "project_ids": "projects", "category": "category_id"}

    category_id: AttributeRef | None = Field(description="A category by id or name; null: none")


class ActivityIn(_Body):
    page: StrictInt | StrictStr | None = None
    limit: StrictInt | StrictStr | None = None
    type: str | None = Field(default=None, max_length=100, description="Only events of this type, e.g. task.created")
    date_from: JsonDate | None = None
    date_to: JsonDate | None = None


class AllTasksIn(_Body):
    page: StrictInt | StrictStr | None = None
    limit: StrictInt | StrictStr | None = None
    search: str | None = None
    status: str | list[str] | None = None
    priority: str | list[str] | None = None
    project_uuid: StrictStr | None = None
    container_id: StrictInt | None = None
    assignee_id: StrictInt | None = None
    label: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    created_at: str | None = None
    sort: str | None = None
    order: str | None = None


# The core's field names -> TaskIP's, for errors about them.
CORE_NAMES = {
    "section_id": "container_id",
    "assignee_ids": "assignees",
    "assignee_id": "assignees",
    "position": "order",
}
M = TypeVar("M", bound=BaseModel)


def core_model(model: type[M], fields: Mapping[str, Any]) -> M:
    """`model` (a core input shape) from fields TaskIP already checked; what the core refuses
    beyond that (an empty label, too many labels) is a 422 naming TaskIP's field."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        items = []
        for err in exc.errors():
            loc = [str(part) for part in err.get("loc", ())]
            if loc:
                loc[0] = CORE_NAMES.get(loc[0], loc[0])
            items.append({"field": ".".join(loc) or "body", "issue": str(err.get("msg", "is invalid"))})
        first = items[0]
        raise ValidationFailed(
            f"Invalid value for '{first['field']}': {first['issue']}", {**first, "errors": items}
        ) from None


class DiscussionIn(_Body):
    synonyms = {
        "name": "title",
        "message": "body",
        "content": "body",
        "description": "body",
        "parent_id": "discussion_id",
    }

    title: str | None = Field(default=None, min_length=1, max_length=300, description="Starts a discussion")
    body: str | None = Field(default=None, max_length=50_000)
    discussion_id: int | None = Field(default=None, description="Reply in this discussion instead")


class DocumentMetaIn(_Body):
    synonyms = {"name": "title", "project_uuid": "project"}

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    category: str | None = Field(default=None, max_length=100)
    project: str | None = Field(default=None, description="The project (uuid or id) it belongs to; null: none")
    project_id: int | None = None
