"""A project's structure as a template document: sections, tasks with their subtasks, labels,
custom field definitions and values, saved views, and the project's own attributes.

Not copied: assignees, comments, files, dependencies, time and expenses (they belong to
people and to the work done, not to the plan), and completion (every task starts over as it
stood, but a completed one keeps its status). The project's own automations (event and
schedule triggers) are copied when whoever makes the template manages the workspace (only
they see automations), their sections named by the template's keys; domain/flows/templates.py
recreates them (docs/compat/native.md "Templates").
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.domain.templates.content import (
    MAX_TASKS,
    TemplateAutomation,
    TemplateContent,
    TemplateField,
    TemplateProject,
    TemplateSection,
    TemplateTask,
    TemplateView,
)
from polytask.models import Automation, FieldDefinition, Project, SavedView, Section, Task, TaskLabel

# Project settings that describe where a project came from, not how it is set up.
_NOT_COPIED_SETTINGS = ("template_id",)


def capture_project(session: Session, project: Project, *, automations: bool = False) -> TemplateContent:
    """The project as a template document (its dates relative to its start date, else to its
    earliest task date, else today); with `automations`, its own automations too."""
    count = session.scalar(select(func.count(Task.id)).where(Task.project_id == project.id)) or 0
    if count > MAX_TASKS:
        raise ValidationFailed.field(
            "project_id", f"the project holds {count} tasks; a template holds at most {MAX_TASKS}"
        )
    sections = list(
        session.scalars(select(Section).where(Section.project_id == project.id).order_by(Section.position, Section.id))
    )
    keys = {s.id: f"s{n + 1}" for n, s in enumerate(sections)}
    tasks = list(session.scalars(select(Task).where(Task.project_id == project.id).order_by(Task.position, Task.id)))
    labels: dict[int, list[str]] = defaultdict(list)
    for task_id, label in session.execute(
        select(TaskLabel.task_id, TaskLabel.label)
        .join(Task, Task.id == TaskLabel.task_id)
        .where(Task.project_id == project.id)
        .order_by(TaskLabel.task_id, TaskLabel.label)
    ):
        labels[task_id].append(label)
    anchor = _anchor(project, tasks)
    midnight = datetime.combine(anchor, time(0), UTC)

    def minutes(value: datetime | None) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int((value - midnight).total_seconds() // 60)

    children: dict[int | None, list[Task]] = defaultdict(list)
    ids = {t.id for t in tasks}
    for t in tasks:
        # A parent in another project (moved away) makes the task a top-level one here.
        children[t.parent_id if t.parent_id in ids else None].append(t)

    def build(task: Task) -> TemplateTask:
        return TemplateTask(
            name=task.name,
            description=task.description,
            status=task.status,
            priority=task.priority,
            section=keys.get(task.section_id) if task.section_id is not None else None,
            labels=labels.get(task.id, []),
            custom_fields=dict(task.custom_fields or {}),
            estimated_hours=task.estimated_hours,
            progress=task.progress,
            start_offset_minutes=minutes(task.start_date),
            due_offset_minutes=minutes(task.due_date),
            subtasks=[build(c) for c in children.get(task.id, [])],
        )

    definitions = session.scalars(
        select(FieldDefinition)
        .where(FieldDefinition.project_id == project.id)
        .order_by(FieldDefinition.position, FieldDefinition.id)
    )
    views = session.scalars(select(SavedView).where(SavedView.project_id == project.id).order_by(SavedView.id))
    settings = {k: v for k, v in (project.settings or {}).items() if k not in _NOT_COPIED_SETTINGS}
    return TemplateContent(
        anchor_date=anchor,
        project=TemplateProject(
            type=project.type,
            description=project.description,
            priority=project.priority,
            settings=settings,
            custom_fields=dict(project.custom_fields or {}),
            start_offset_days=None if project.start_date is None else (project.start_date - anchor).days,
            due_offset_days=None if project.due_date is None else (project.due_date - anchor).days,
        ),
        sections=[TemplateSection(key=keys[s.id], name=s.name, color=s.color) for s in sections],
        fields=[
            TemplateField(
                key=d.key,
                name=d.name,
                type=d.type,
                required=d.required,
                default_value=d.default_value,
                options=[str(o) for o in d.options or []],
                currency=(d.config or {}).get("currency"),
            )
            for d in definitions
        ],
        views=[_view(v) for v in views],
        tasks=[build(t) for t in children.get(None, [])],
        automations=_automations(session, project, keys) if automations else [],
    )


def _automations(session: Session, project: Project, keys: dict[int, str]) -> list[TemplateAutomation]:
    """The project's automations with an event or a schedule trigger, oldest first; a section
    becomes its template key, and a task created in the project itself loses its
    `project_id` (it defaults to the new project)."""
    found: list[TemplateAutomation] = []
    rows = session.scalars(
        select(Automation)
        .where(Automation.project_id == project.id, Automation.trigger_kind != "webhook")
        .order_by(Automation.id)
    )
    for automation in rows:
        actions: list[dict[str, Any]] = []
        for raw in automation.actions or []:
            action = dict(raw)
            if action.get("section_id") is not None:
                action["section"] = keys.get(int(action.pop("section_id")))
            task = action.get("task")
            if isinstance(task, dict):
                task = dict(task)
                if task.get("project_id") == project.id:
                    task.pop("project_id")
                if task.get("section_id") is not None:
                    task["section"] = keys.get(int(task.pop("section_id")))
                action["task"] = task
            actions.append(action)
        trigger = {k: v for k, v in (automation.trigger or {}).items() if v is not None}
        found.append(
            TemplateAutomation(
                name=automation.name,
                enabled=automation.enabled,
                trigger=trigger,
                conditions=automation.conditions,
                actions=actions,
            )
        )
    return found


def _view(view: SavedView) -> TemplateView:
    stored = view.filter or {}
    if "expression" in stored:
        flt: dict[str, Any] | str = str(stored["expression"])
    else:
        # Stored as [[name, value], ...]: back to the object a create takes (repeats as lists).
        params: dict[str, Any] = {}
        for name, value in stored.get("params", []):
            if name in params:
                prior = params[name]
                params[name] = [*prior, value] if isinstance(prior, list) else [prior, value]
            else:
                params[name] = value
        flt = params
    return TemplateView(name=view.name, filter=flt, sort=view.sort, fields=view.fields, layout=view.layout)


def _anchor(project: Project, tasks: list[Task]) -> date:
    if project.start_date is not None:
        return project.start_date
    moments = [m for t in tasks for m in (t.start_date, t.due_date) if m is not None]
    if moments:
        return min(m if m.tzinfo is not None else m.replace(tzinfo=UTC) for m in moments).astimezone(UTC).date()
    return utcnow().date()
