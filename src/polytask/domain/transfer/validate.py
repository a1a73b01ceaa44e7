"""The import's checks: a parsed document (parsers.py) held to the export document's shapes and
to what the domain's own create operations accept (the same input models), every problem
collected with its project, row and field, so a dry run reports them all at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from polytask.core.errors import ValidationFailed
from polytask.domain.fields.schemas import FieldDefinitionCreate, ViewCreate
from polytask.domain.projects.schemas import ProjectCreate, SectionCreate
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.transfer.document import (
    MAX_PROJECTS,
    MAX_TASKS,
    ExportDocument,
    PersonDoc,
    ProjectDoc,
    TaskDoc,
)

# Resolves a person of the document to a member's public id (`user_5`), or None.
PersonResolver = Callable[[PersonDoc], str | None]


@dataclass
class Report:
    """What an import would do, or did: counts, warnings (kept going) and errors (refused)."""

    projects: int = 0
    sections: int = 0
    tasks: int = 0
    subtasks: int = 0
    comments: int = 0
    labels: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "projects": self.projects,
            "sections": self.sections,
            "tasks": self.tasks,
            "subtasks": self.subtasks,
            "comments": self.comments,
            "labels": self.labels,
        }


def _issues(exc: ValidationError) -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()))
        kind = err.get("type", "")
        issue = "unknown field" if kind == "extra_forbidden" else "is required" if kind == "missing" else err["msg"]
        value = err.get("input") if kind != "missing" and isinstance(err.get("input"), str | int | float) else None
        out.append((where, str(issue), value))
    return out


def _check(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str, Any]]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return _issues(exc)
    return []


def _ordered(tasks: list[TaskDoc]) -> tuple[list[TaskDoc], list[TaskDoc]]:
    """The tasks that can be made, in document order (the importer writes each depth after the
    one above it, and the document's order is the board's), and apart those in a parent cycle
    or under one."""
    by_ref = {t.ref: t for t in tasks}
    placed: set[str] = set()
    pending = list(tasks)
    while pending:
        rest = [t for t in pending if t.parent is not None and t.parent in by_ref and t.parent not in placed]
        if len(rest) == len(pending):
            break
        placed.update(t.ref for t in pending if t not in rest)
        pending = rest
    return [t for t in tasks if t.ref in placed], pending


def check_document(raw: dict[str, Any], resolve: PersonResolver) -> tuple[ExportDocument | None, Report]:
    """The checked document (None when anything is an error) and the report."""
    report = Report()
    projects_raw = raw.get("projects")
    if not isinstance(projects_raw, list):
        raise ValidationFailed.field("file.projects", "must be a list of projects")
    if len(projects_raw) > MAX_PROJECTS:
        raise ValidationFailed.field("file.projects", f"holds at most {MAX_PROJECTS} projects")
    if sum(len(p.get("tasks") or []) for p in projects_raw if isinstance(p, dict)) > MAX_TASKS:
        raise ValidationFailed.field("file", f"holds at most {MAX_TASKS} tasks")
    projects: list[ProjectDoc] = []
    for pi, praw in enumerate(projects_raw):

        def error(where: str, issue: str, value: Any = None, row: int | None = None, pi: int = pi) -> None:
            item: dict[str, Any] = {"project": pi, "field": where, "issue": issue}
            if row is not None:
                item["row"] = row
            if value is not None:
                item["provided_value"] = value
            report.errors.append(item)

        if not isinstance(praw, dict):
            error(f"projects[{pi}]", "must be an object")
            continue
        head = {k: v for k, v in praw.items() if k != "tasks"}
        try:
            project = ProjectDoc.model_validate({**head, "tasks": []})
        except ValidationError as exc:
            for where, issue, value in _issues(exc):
                error(f"projects[{pi}].{where}", issue, value)
            continue
        values = {k: v for k, v in project.custom_fields.items() if not isinstance(v, dict)}
        for where, issue, value in _check(
            ProjectCreate,
            {
                "name": project.name,
                "description": project.description,
                "type": project.type,
                "status": project.status,
                "priority": project.priority,
                "start_date": project.start_date,
                "due_date": project.due_date,
                "settings": project.settings,
                "custom_fields": values,
            },
        ):
            error(f"projects[{pi}].{where}", issue, value)
        for fi, fdoc in enumerate(project.fields):
            for where, issue, value in _check(FieldDefinitionCreate, fdoc.model_dump(exclude_none=True)):
                error(f"projects[{pi}].fields[{fi}].{where}", issue, value)
        for si, sdoc in enumerate(project.sections):
            for where, issue, value in _check(SectionCreate, sdoc.model_dump(exclude={"ref"}, exclude_none=True)):
                error(f"projects[{pi}].sections[{si}].{where}", issue, value)
        for vi, vdoc in enumerate(project.views):
            for where, issue, value in _check(ViewCreate, vdoc.model_dump(exclude_none=True)):
                error(f"projects[{pi}].views[{vi}].{where}", issue, value)
        section_refs = {s.ref for s in project.sections}
        tasks: list[TaskDoc] = []
        refs: set[str] = set()
        for ti, traw in enumerate(praw.get("tasks") or []):
            row = traw.get("row") if isinstance(traw, dict) and isinstance(traw.get("row"), int) else ti + 1
            at = f"projects[{pi}].tasks[{ti}]"
            if not isinstance(traw, dict):
                error(at, "must be an object", row=row)
                continue
            try:
                task = TaskDoc.model_validate(traw)
            except ValidationError as exc:
                for where, issue, value in _issues(exc):
                    error(f"{at}.{where}", issue, value, row)
                continue
            for where, issue, value in _check(TaskCreate, _create_fields(task)):
                error(f"{at}.{where}", issue, value, row)
            if task.ref in refs:
                error(f"{at}.ref", "is used by another task of the project", task.ref, row)
            refs.add(task.ref)
            if task.section is not None and task.section not in section_refs:
                error(f"{at}.section", "names no section of the project", task.section, row)
            kept = []
            for person in task.assignees:
                found = resolve(person)
                if found is None:
                    report.warnings.append(
                        {
                            "project": pi,
                            "row": row,
                            "field": f"{at}.assignees",
                            "issue": f"not a member: {', '.join(person.refs()) or '?'} (left unassigned)",
                        }
                    )
                else:
                    kept.append(PersonDoc(id=found))
            comments = [c for c in task.comments if c.body.strip()]
            tasks.append(task.model_copy(update={"assignees": kept, "comments": comments, "row": row}))
        for ti, task in enumerate(tasks):
            if task.parent is not None and task.parent not in refs:
                error(f"projects[{pi}].tasks[{ti}].parent", "names no task of the project", task.parent, task.row)
            for dep in task.dependencies:
                if dep not in refs or dep == task.ref:
                    error(
                        f"projects[{pi}].tasks[{ti}].dependencies", "names no other task of the project", dep, task.row
                    )
        ordered, cycle = _ordered(tasks)
        for task in cycle:
            error(f"projects[{pi}].tasks", "is in a cycle of parents", task.ref, task.row)
        projects.append(project.model_copy(update={"tasks": ordered}))
        report.projects += 1
        report.sections += len(project.sections)
        report.tasks += sum(1 for t in ordered if t.parent is None)
        report.subtasks += sum(1 for t in ordered if t.parent is not None)
        report.comments += sum(len(t.comments) for t in ordered)
        report.labels += len({label for t in ordered for label in t.labels})
    if report.errors:
        return None, report
    document = ExportDocument.model_construct(
        format="polytask", version=1, exported_at=raw.get("exported_at"), workspace=None, projects=projects
    )
    return document, report


def _create_fields(task: TaskDoc) -> dict[str, Any]:
    """The task's own values as the create operation's input (references are checked apart)."""
    data: dict[str, Any] = {"name": task.name, "description": task.description, "status": task.status}
    for key in ("priority", "due_date", "start_date", "progress", "estimated_hours"):
        if getattr(task, key) is not None:
            data[key] = getattr(task, key)
    if task.labels:
        data["labels"] = task.labels
    if task.custom_fields:
        data["custom_fields"] = task.custom_fields
    return data
