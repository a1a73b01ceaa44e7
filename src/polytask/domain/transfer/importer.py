"""One project of a checked export document created through the domain's own operations
(create_project, add_definition, create_section, update_task, add_comment, create_view, and
the bulk create for the tasks), so each object records its ordinary event. The caller's unit
of work holds the whole project: a failure anywhere rolls all of it back.

The tasks go through the bulk writer one depth at a time (the top-level tasks, then their
subtasks, ...: each depth's parents exist with their ids before it), a few multi-row
statements per depth instead of a few statements per task: a 5,000-task file took 2 s on
SQLite and 5 s on PostgreSQL one `create_task` at a time. Each task keeps the position its
place in the file gives it, so the board shows the file's order."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.core.ids import parse_id
from polytask.domain.bulk.tasks import create_tasks
from polytask.domain.fields.schemas import FieldDefinitionCreate, ViewCreate
from polytask.domain.fields.service import add_definition
from polytask.domain.projects import service as projects
from polytask.domain.projects.schemas import ProjectCreate, SectionCreate, split_custom_fields
from polytask.domain.tasks.comments import add_comment
from polytask.domain.tasks.schemas import CommentCreate, TaskCreate, TaskUpdate
from polytask.domain.tasks.service import update_task
from polytask.domain.tasks.views import create_view
from polytask.domain.transfer.document import ProjectDoc, TaskDoc


def _task_input(task: TaskDoc, *, section_id: int | None, parent_id: int | None, position: float) -> TaskCreate:
    data: dict[str, object] = {
        "name": task.name,
        "description": task.description,
        "status": task.status,
        "position": position,
    }
    for key in ("priority", "due_date", "start_date", "progress", "estimated_hours"):
        if getattr(task, key) is not None:
            data[key] = getattr(task, key)
    if task.labels:
        data["labels"] = task.labels
    if task.custom_fields:
        data["custom_fields"] = task.custom_fields
    assignees = [p.id for p in task.assignees if p.id]
    if assignees:
        data["assignee_ids"] = assignees
    if section_id is not None:
        data["section_id"] = section_id
    if parent_id is not None:
        data["parent_id"] = parent_id
    return TaskCreate.model_validate(data)


def import_project(session: Session, actor: Actor, *, workspace_id: int, doc: ProjectDoc) -> tuple[int, int]:
    """Create the project with everything in it; returns (its id, how many tasks it got)."""
    _definitions, values = split_custom_fields(doc.custom_fields)
    project = projects.create_project(
        session,
        actor,
        workspace_id=workspace_id,
        data=ProjectCreate.model_validate(
            {
                "name": doc.name,
                "description": doc.description,
                "type": doc.type,
                "status": doc.status,
                "priority": doc.priority,
                "start_date": doc.start_date,
                "due_date": doc.due_date,
                "settings": doc.settings,
                "custom_fields": values,
            }
        ),
    )
    for fdoc in doc.fields:
        add_definition(
            session, actor, project, FieldDefinitionCreate.model_validate(fdoc.model_dump(exclude_none=True))
        )
    sections: dict[str, int] = {}
    for sdoc in doc.sections:
        made = projects.create_section(
            session,
            actor,
            project_id=project.id,
            data=SectionCreate.model_validate(sdoc.model_dump(exclude={"ref"}, exclude_none=True)),
        )
        sections[sdoc.ref] = made.id
    tasks: dict[str, int] = {}
    # The file's order as positions (1024 apart, as the board spaces new tasks).
    place = {tdoc.ref: (i + 1) * 1024.0 for i, tdoc in enumerate(doc.tasks)}
    level = [tdoc for tdoc in doc.tasks if not tdoc.parent]
    while level:
        inputs = [
            _task_input(
                tdoc,
                section_id=sections.get(tdoc.section) if tdoc.section else None,
                parent_id=tasks[tdoc.parent] if tdoc.parent else None,
                position=place[tdoc.ref],
            )
            for tdoc in level
        ]
        written = create_tasks(session, actor, project_id=project.id, items=inputs, maximum=len(inputs))
        tasks.update((tdoc.ref, view.task.id) for tdoc, view in zip(level, written, strict=True))
        parents = {tdoc.ref for tdoc in level}
        level = [tdoc for tdoc in doc.tasks if tdoc.parent in parents]
    if len(tasks) != len(doc.tasks):  # validate.py refuses what would leave a task out; kept honest here
        lost = next(tdoc for tdoc in doc.tasks if tdoc.ref not in tasks)
        raise ValidationFailed.field("tasks.parent", "names no task of the project above it", lost.parent)
    for tdoc in doc.tasks:
        if tdoc.dependencies:
            update_task(
                session,
                actor,
                task_id=tasks[tdoc.ref],
                data=TaskUpdate.model_validate({"dependencies": [tasks[d] for d in tdoc.dependencies]}),
            )
        for comment in tdoc.comments:
            add_comment(session, actor, task_id=tasks[tdoc.ref], data=CommentCreate(body=comment.body))
    for vdoc in doc.views:
        create_view(
            session, actor, project_id=project.id, data=ViewCreate.model_validate(vdoc.model_dump(exclude_none=True))
        )
    return project.id, len(tasks)


def member_ref(user_id: int) -> str:
    """How a resolved person is kept in a checked document (validate.py)."""
    return f"user_{user_id}"


def member_id(ref: str) -> int | None:
    return parse_id("user", ref)
