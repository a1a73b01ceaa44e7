"""Input shapes for projects and sections."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from polytask.core.dates import JsonDate
from polytask.core.ids import TemplateRef, WorkspaceRef
from polytask.core.jsontypes import DecimalText, JsonFloat, Omittable

# The kinds of custom field a project may define; an object in a project's `custom_fields`
# with one of them as its `type` is a definition (domain/fields/ holds their rules).
FieldType = Literal[
    "text",
    "long_text",
    "number",
    "currency",
    "percent",
    "dropdown",
    "multi_select",
    "tags",
    "date",
    "datetime",
    "checkbox",
    "url",
    "email",
    "phone",
    "user",
    "rating",
    "duration",
]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]
# Spellings other documents use for the same types.
TYPE_ALIASES = {"person": "user", "select": "dropdown", "boolean": "checkbox", "multiselect": "multi_select"}

ProjectType = Literal["list", "board", "kanban", "table"]
ProjectStatus = Literal["active", "on_hold", "completed", "archived"]
ProjectPriority = Literal["low", "medium", "high", "urgent"]
PROJECT_TYPES: tuple[str, ...] = ProjectType.__args__  # type: ignore[attr-defined]
PROJECT_STATUSES: tuple[str, ...] = ProjectStatus.__args__  # type: ignore[attr-defined]
PROJECT_PRIORITIES: tuple[str, ...] = ProjectPriority.__args__  # type: ignore[attr-defined]
AttributeKind = Literal["tag", "category"]
ATTRIBUTE_KINDS: tuple[str, ...] = AttributeKind.__args__  # type: ignore[attr-defined]
# A colour as a client's board shows it: `#rgb`, `#rrggbb` or `#rrggbbaa`, or a CSS colour word.
# A template variable's name (`{{client}}`), as domain/templates/content.py reads placeholders.
VariableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
COLOR_PATTERN = r"^(#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{8}|[A-Za-z]{3,20})$"


class Budget(BaseModel):
    """Exact money: a decimal string ("50000.00") or a number, in an ISO 4217 currency."""

    model_config = ConfigDict(extra="forbid")

    amount: DecimalText | StrictInt | JsonFloat = Field(examples=["50000.00"])
    currency: str | None = Field(default=None, description="Default: POLYTASK_DEFAULT_CURRENCY (USD).")


class ProjectTaskSeed(BaseModel):
    """A task created together with its project (the SDK's `tasks=[...]`)."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(min_length=1, max_length=500)


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace_id: WorkspaceRef | None = None
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=100_000)
    type: ProjectType = "list"
    status: ProjectStatus = "active"
    start_date: JsonDate | None = None
    due_date: JsonDate | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    # Either field definitions ({"budget": {"type": "number"}}) or values ({"customer_id": "c1"}).
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    template_id: TemplateRef | None = Field(
        default=None,
        description="Make the project from this template of its workspace (template_42): its sections, tasks, "
        "fields and views, its dates shifted to `start_date` (default: today in the workspace's timezone).",
    )
    variables: dict[VariableName, Annotated[str, StringConstraints(max_length=1000)]] | None = Field(
        default=None,
        max_length=100,
        description="With template_id: `{{name}}` in the template's names and descriptions becomes the value; "
        "a placeholder with no variable is left as written.",
    )
    tasks: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)
    budget: Budget | None = None
    priority: ProjectPriority | None = None
    category_id: StrictInt | None = Field(default=None, description="A project attribute of kind `category`.")


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=300)
    description: Omittable[str] = Field(default=None, max_length=100_000)
    type: Omittable[ProjectType] = None
    status: Omittable[ProjectStatus] = None
    start_date: JsonDate | None = None
    due_date: JsonDate | None = None
    settings: dict[str, Any] | None = None
    custom_fields: dict[str, Any] | None = None
    budget: Budget | None = Field(default=None, description="null: no budget.")
    priority: ProjectPriority | None = Field(default=None, description="null: no priority.")
    category_id: StrictInt | None = Field(default=None, description="null: no category.")
    # Accepted and ignored: the guide's clients send it; the server owns timestamps.
    updated_at: str | None = None


class SectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    position: JsonFloat | None = None
    color: str | None = Field(default=None, pattern=COLOR_PATTERN, examples=["#3b82f6"])


class SectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=200)
    position: Omittable[JsonFloat] = None
    color: str | None = Field(default=None, pattern=COLOR_PATTERN, description="null: no colour.")


class AttributeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AttributeKind
    name: str = Field(min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)


class AttributeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=100)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN, description="null: no colour.")


def is_definition(value: Any) -> bool:
    """An object with a known field `type` (or one of its aliases) defines a field."""
    kind = value.get("type") if isinstance(value, dict) else None
    return isinstance(kind, str) and TYPE_ALIASES.get(kind, kind) in FIELD_TYPES


def split_custom_fields(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate definitions (objects with a known `type`) from plain values."""
    definitions: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if is_definition(value):
            definitions[key] = value
        else:
            values[key] = value
    return definitions, values
