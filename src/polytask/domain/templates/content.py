"""A template's content: the versioned JSON document a template stores, and its limits.

The document is closed (every object refuses unknown keys), so a template written by hand is
held to the same shape as one made from a project, and a bad body is a 422 naming the field's
path (`content.tasks[0].subtasks[2].name`). `version` says which shape a stored document has:
`read_content` upgrades an older one as it is read (there is only version 1 so far), so a
later change to the shape adds a version and an upgrade step here, never a data migration.

Dates are relative: a template keeps the day it was anchored on (`anchor_date`, informative)
and every date as an offset from it, whole days for the project's dates and minutes for a
task's (from midnight UTC of the anchor day), so a project made from it on another start date
keeps the same plan, shifted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from polytask.core.dates import JsonDate
from polytask.core.errors import ValidationFailed
from polytask.core.jsontypes import JsonFloat, JsonInt
from polytask.domain.automations.schemas import AutomationCreate
from polytask.domain.fields.schemas import KEY_PATTERN, WITH_OPTIONS, Layout
from polytask.domain.projects.schemas import COLOR_PATTERN, FieldType, ProjectPriority, ProjectType
from polytask.domain.tasks.schemas import Priority, TaskStatus

CONTENT_VERSION = 1
# The documented bounds (docs/compat/native.md "Templates"): a template holds at most this
# many tasks (subtasks included), nested at most this deep (a top-level task is depth 1).
MAX_TASKS = 5000
MAX_DEPTH = 8
MAX_SECTIONS = 200
MAX_FIELDS = 100
MAX_VIEWS = 50
MAX_AUTOMATIONS = 20
# About ten years either way, in minutes and in days.
_MAX_MINUTES = 10 * 366 * 24 * 60
_MAX_DAYS = 10 * 366
SECTION_KEY = r"^[A-Za-z0-9_-]{1,64}$"
# `{{name}}` in names and descriptions; a variable's name is an identifier.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,63})\s*\}\}")
VARIABLE_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"

_CLOSED = ConfigDict(extra="forbid")


class TemplateProject(BaseModel):
    """What the new project takes from the template (its name comes from the request)."""

    model_config = _CLOSED

    type: ProjectType = "list"
    description: str = Field(default="", max_length=100_000)
    priority: ProjectPriority | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    # Project-level custom field values ({"customer_id": "c1"}).
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    start_offset_days: JsonInt | None = Field(default=None, ge=-_MAX_DAYS, le=_MAX_DAYS)
    due_offset_days: JsonInt | None = Field(default=None, ge=-_MAX_DAYS, le=_MAX_DAYS)


class TemplateSection(BaseModel):
    model_config = _CLOSED

    key: str = Field(pattern=SECTION_KEY, description="What the template's tasks name in `section`.")
    name: str = Field(min_length=1, max_length=200)
    color: str | None = Field(default=None, pattern=COLOR_PATTERN)


class TemplateField(BaseModel):
    """A custom field definition of the project."""

    model_config = _CLOSED

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    type: FieldType
    required: StrictBool = False
    default_value: Any = None
    options: list[str] = Field(default_factory=list, max_length=500)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class TemplateView(BaseModel):
    """A saved view of the project."""

    model_config = _CLOSED

    name: str = Field(min_length=1, max_length=200)
    filter: dict[str, Any] | str = Field(default_factory=dict)
    sort: str | None = Field(default=None, max_length=500)
    fields: str | None = Field(default=None, max_length=1000)
    layout: Layout = "list"


class TemplateTask(BaseModel):
    """A task with its subtasks; dates as minutes after the anchor day's midnight (UTC)."""

    model_config = _CLOSED

    name: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=100_000)
    status: TaskStatus = "pending"
    priority: Priority | None = None
    section: str | None = Field(default=None, pattern=SECTION_KEY, description="A key of `sections`.")
    labels: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    estimated_hours: JsonFloat | None = Field(default=None, ge=0, le=100_000)
    progress: JsonInt | None = Field(default=None, ge=0, le=100)
    start_offset_minutes: JsonInt | None = Field(default=None, ge=-_MAX_MINUTES, le=_MAX_MINUTES)
    due_offset_minutes: JsonInt | None = Field(default=None, ge=-_MAX_MINUTES, le=_MAX_MINUTES)
    subtasks: list[TemplateTask] = Field(default_factory=list, max_length=MAX_TASKS)

    @field_validator("labels")
    @classmethod
    def _clean_labels(cls, values: list[str]) -> list[str]:
        cleaned: list[str] = []
        for value in values:
            label = value.strip()
            if not label or len(label) > 100:
                raise ValueError("labels are 1 to 100 characters")
            if label not in cleaned:
                cleaned.append(label)
        return cleaned


class TemplateAutomation(BaseModel):
    """A project automation as an automation create takes it (docs/compat/native.md
    "Automations"), but for its sections: a `move_to_section` action and a `create_task`
    action's task name a section of the template by its key (`"section": "s1"`) in place of
    `section_id`. Event and schedule triggers only (an incoming URL's secret is not copied)."""

    model_config = _CLOSED

    name: str = Field(min_length=1, max_length=200)
    enabled: StrictBool = True
    trigger: dict[str, Any]
    conditions: str | None = Field(default=None, max_length=4000)
    actions: list[dict[str, Any]] = Field(min_length=1, max_length=100)


def automation_body(automation: TemplateAutomation, sections: Mapping[str, int]) -> dict[str, Any]:
    """The automation create body of a template's automation, its section keys made the new
    project's section ids (a KeyError names an unknown key)."""
    actions: list[dict[str, Any]] = []
    for raw in automation.actions:
        action = dict(raw)
        ref = action.pop("section", None)
        if ref is not None:
            action["section_id"] = sections[ref]
        task = action.get("task")
        if isinstance(task, dict) and "section" in task:
            task = dict(task)
            ref = task.pop("section")
            if ref is not None:
                task["section_id"] = sections[ref]
            action["task"] = task
        actions.append(action)
    body = automation.model_dump(include={"name", "enabled", "trigger", "conditions"})
    return {**body, "actions": actions}


class TemplateContent(BaseModel):
    """The document: version, anchor day, the project's own attributes and what it holds."""

    model_config = _CLOSED

    version: Literal[1] = 1
    anchor_date: JsonDate | None = Field(default=None, description="The day offsets count from (informative).")
    project: TemplateProject = Field(default_factory=TemplateProject)
    sections: list[TemplateSection] = Field(default_factory=list, max_length=MAX_SECTIONS)
    fields: list[TemplateField] = Field(default_factory=list, max_length=MAX_FIELDS)
    views: list[TemplateView] = Field(default_factory=list, max_length=MAX_VIEWS)
    tasks: list[TemplateTask] = Field(default_factory=list, max_length=MAX_TASKS)
    automations: list[TemplateAutomation] = Field(default_factory=list, max_length=MAX_AUTOMATIONS)


def check_content(content: TemplateContent, *, field: str = "content") -> int:
    """The rules no JSON schema states (unique keys, known sections, the size and depth
    bounds), as a 422 naming the path; returns how many tasks the content holds."""
    keys = [s.key for s in content.sections]
    for n, key in enumerate(keys):
        if key in keys[:n]:
            raise ValidationFailed.field(pointer(("sections", n, "key"), field), f"section key '{key}' is used twice")
    fields = [f.key for f in content.fields]
    for n, defn in enumerate(content.fields):
        if defn.key in fields[:n]:
            raise ValidationFailed.field(pointer(("fields", n, "key"), field), f"field key '{defn.key}' is used twice")
        if (defn.type in WITH_OPTIONS) != bool(defn.options):
            raise ValidationFailed.field(
                pointer(("fields", n, "options"), field),
                f"only {' and '.join(WITH_OPTIONS)} fields take options, and need one",
            )
    known = set(keys)
    for n, automation in enumerate(content.automations):
        _check_automation(automation, known, ("automations", n), field)
    count = 0
    for path, task, depth in walk(content.tasks):
        count += 1
        if count > MAX_TASKS:
            raise ValidationFailed.field(
                pointer(("tasks",), field), f"holds more than {MAX_TASKS} tasks (subtasks included)"
            )
        if depth > MAX_DEPTH:
            raise ValidationFailed.field(pointer(path, field), f"nests subtasks deeper than {MAX_DEPTH} levels")
        if task.section is not None and task.section not in known:
            raise ValidationFailed.field(
                pointer((*path, "section"), field), f"names no section of the template ('{task.section}')"
            )
    return count


def _check_automation(automation: TemplateAutomation, known: set[str], at: tuple[str | int, ...], field: str) -> None:
    """An automation of the document: an event or schedule trigger, sections the template
    has, and a body an automation create takes (its references into the workspace are
    checked when a project is made from it)."""
    if automation.trigger.get("kind") == "webhook":
        raise ValidationFailed.field(
            pointer((*at, "trigger", "kind"), field), "a template holds event and schedule triggers, not incoming URLs"
        )
    for j, action in enumerate(automation.actions):
        task = action.get("task")
        for where, ref in (
            ((j,), action.get("section")),
            ((j, "task"), task.get("section") if isinstance(task, dict) else None),
        ):
            if ref is not None and (not isinstance(ref, str) or ref not in known):
                raise ValidationFailed.field(
                    pointer((*at, "actions", *where, "section"), field), f"names no section of the template ('{ref}')"
                )
    try:
        AutomationCreate.model_validate(automation_body(automation, {key: 1 for key in known}))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err.get("loc", ()) if not str(p).startswith(("list[", "function-")))
        kind = err.get("type", "")
        issue = "unknown field" if kind == "extra_forbidden" else "is required" if kind == "missing" else err["msg"]
        raise ValidationFailed.field(pointer((*at, *loc), field), str(issue)) from None


def walk(tasks: list[TemplateTask]) -> Iterator[tuple[tuple[str | int, ...], TemplateTask, int]]:
    """Every task, parents before their subtasks (depth first), with its path and depth."""
    stack: list[tuple[tuple[str | int, ...], TemplateTask, int]] = [
        (("tasks", n), t, 1) for n, t in reversed(list(enumerate(tasks)))
    ]
    while stack:
        path, task, depth = stack.pop()
        yield path, task, depth
        stack.extend(((*path, "subtasks", n), t, depth + 1) for n, t in reversed(list(enumerate(task.subtasks))))


def count_tasks(content: TemplateContent) -> int:
    return sum(1 for _ in walk(content.tasks))


def pointer(path: tuple[str | int, ...], prefix: str = "content") -> str:
    """("tasks", 0, "name") -> "content.tasks[0].name"."""
    out = prefix
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else f".{step}"
    return out


def parse_content(raw: Any, *, field: str = "content") -> TemplateContent:
    """Validate a document given as plain JSON, or a 422 naming the first bad field's path."""
    try:
        content = TemplateContent.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err.get("loc", ()) if not str(p).startswith(("list[", "function-")))
        kind = err.get("type", "")
        issue = "unknown field" if kind == "extra_forbidden" else "is required" if kind == "missing" else err["msg"]
        raise ValidationFailed.field(pointer(loc, field), str(issue)) from None
    check_content(content, field=field)
    return content


def read_content(stored: dict[str, Any]) -> TemplateContent:
    """A stored document in the current shape (older versions are upgraded here)."""
    return TemplateContent.model_validate(stored)


def stored(content: TemplateContent) -> dict[str, Any]:
    """The document as the `content` column keeps it (and the API shows it)."""
    return content.model_dump(mode="json")


def substitute(text: str, variables: dict[str, str]) -> str:
    """`{{name}}` replaced by its value; a placeholder with no variable is left as written."""
    if not variables or "{{" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
