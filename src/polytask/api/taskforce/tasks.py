"""Tasks: list, create, read, update, count, share, complete, dates, lists, comments, emails, delete."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from polytask.api.kernel.routes import unit_router
from polytask.api.taskforce.contract import date as date_param
from polytask.api.taskforce.contract import ident, text
from polytask.api.taskforce.endpoint import Call, route
from polytask.api.taskforce.params import Params, validate
from polytask.api.taskforce.render import day_text
from polytask.api.taskforce.shapes import (
    CountsAnswer,
    DateSet,
    Done,
    TaskAnswer,
    TaskCreated,
    TasksAnswer,
    counts_shape,
    task_shape,
)
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.flows.invitations import share_task_by_email
from polytask.domain.flows.lists import create_task_in_list
from polytask.domain.lists.service import add_task_to_list, count_my_tasks, list_my_tasks, remove_task_from_list
from polytask.domain.lists.tasks import open_task
from polytask.domain.tasks.collaborators import remove_task_collaborator
from polytask.domain.tasks.comments import add_comment
from polytask.domain.tasks.emails import add_email_link, remove_email_link
from polytask.domain.tasks.schemas import CommentCreate, EmailLinkCreate, TaskCreate, TaskUpdate
from polytask.domain.tasks.service import (
    complete_task,
    delete_task,
    set_task_due_date,
    set_task_start_date,
    uncomplete_task,
    update_task,
)

router = unit_router()
TASK = "/tasks/{task_id:int}"
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$", re.ASCII)
# Taskforce calls the description "details".
_FIELDS = {"name": "name", "details": "description"}
_EMAIL = (text("email", "The email of a member of the task's workspace, or of someone to invite to it", required=True),)
_LIST_ID = (ident("list_id", "A list the user owns or collaborates on"),)


def parse_date(params: Params) -> date:
    """The `date` parameter, strictly MM/DD/YYYY."""
    raw = params.required("date").strip()
    match = _DATE.match(raw)
    if match is None:
        raise ValidationFailed.field("date", "must be a date in the format MM/DD/YYYY", raw)
    month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationFailed.field("date", "is not a calendar date", raw) from None


@route(router, "GET", "/tasks", scope="tasks:read")
def list_tasks(session: Session, actor: Actor, call: Call) -> TasksAnswer:
    """All tasks that belong to the user."""
    return {"tasks": [task_shape(card) for card in list_my_tasks(session, actor)]}


@route(
    router,
    "POST",
    "/tasks",
    scope="tasks:write",
    params=(
        text("name", "The task's name", required=True, like=(TaskCreate, "name")),
        ident("list_id", "The list to create the task in (one the user can see)"),
        text("details", "The task's description", like=(TaskCreate, "description")),
    ),
)
def create_task(session: Session, actor: Actor, call: Call) -> TaskCreated:
    """Create a task in a list (`name`, `list_id`; optional `details`)."""
    list_id = call.params.integer("list_id")
    data = validate(TaskCreate, {"name": call.params.required("name"), "description": call.params.text("details")})
    return {"task_id": create_task_in_list(session, actor, list_id=list_id, data=data)}


@route(router, "GET", "/tasks/count", scope="tasks:read")
def count_tasks(session: Session, actor: Actor, call: Call) -> CountsAnswer:
    """The user's tasks by category; total = active + complete + delayed."""
    return {"task_counts": counts_shape(count_my_tasks(session, actor))}


@route(router, "GET", TASK, scope="tasks:read")
def show_task(session: Session, actor: Actor, call: Call, task_id: int) -> TaskAnswer:
    """One task; reading it marks it seen for the user."""
    return {"task": task_shape(open_task(session, actor, task_id=task_id))}


@route(
    router,
    "POST",
    TASK,
    scope="tasks:write",
    params=(
        text("name", "A new name", like=(TaskUpdate, "name")),
        text("details", "A new description", like=(TaskUpdate, "description")),
    ),
)
def change_task(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Change `name` and/or `details`; other attributes stay."""
    data = call.params.model(TaskUpdate, _FIELDS)
    update_task(session, actor, task_id=task_id, data=data)
    return {}


@route(
    router,
    "POST",
    TASK + "/add_collaborator",
    scope="tasks:write",
    params=_EMAIL,
    refusals={
        403: "The key lacks the scope, the user is a workspace viewer, or the email is not a member's and "
        "the user may not invite people to the workspace (manage_users)",
        422: "`email` is missing, or is not a member's and not a valid email address to invite",
    },
)
def add_collaborator(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Share the task by email: a workspace member becomes a collaborator at once; anyone else
    is invited to the workspace by mail and becomes one on accepting."""
    share_task_by_email(session, actor, task_id=task_id, email=call.params.required("email"))
    return {}


@route(router, "POST", TASK + "/remove_collaborator", scope="tasks:write", params=_EMAIL)
def remove_collaborator(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Stop sharing the task with someone, by email."""
    remove_task_collaborator(session, actor, task_id=task_id, email=call.params.required("email"))
    return {}


@route(router, "POST", TASK + "/complete", scope="tasks:write")
def complete(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Mark the task complete."""
    complete_task(session, actor, task_id=task_id)
    return {}


@route(router, "POST", TASK + "/uncomplete", scope="tasks:write")
def uncomplete(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Mark the task incomplete."""
    uncomplete_task(session, actor, task_id=task_id)
    return {}


@route(router, "POST", TASK + "/set_due_date", scope="tasks:write", params=(date_param("date", "The due date"),))
def set_due_date(session: Session, actor: Actor, call: Call, task_id: int) -> DateSet:
    """Set the due date (MM/DD/YYYY)."""
    due = parse_date(call.params)
    set_task_due_date(session, actor, task_id=task_id, due=due)
    return {"date": day_text(due)}


@route(router, "POST", TASK + "/set_start_date", scope="tasks:write", params=(date_param("date", "The start date"),))
def set_start_date(session: Session, actor: Actor, call: Call, task_id: int) -> DateSet:
    """Set the start ("delay") date (MM/DD/YYYY)."""
    start = parse_date(call.params)
    set_task_start_date(session, actor, task_id=task_id, start=start)
    return {"date": day_text(start)}


@route(router, "POST", TASK + "/add_to_list", scope="tasks:write", params=_LIST_ID)
def add_to_list(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Put the task into one more list."""
    add_task_to_list(session, actor, task_id=task_id, list_id=call.params.integer("list_id"))
    return {}


@route(router, "POST", TASK + "/remove_from_list", scope="tasks:write", params=_LIST_ID)
def remove_from_list(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Take the task out of a list."""
    remove_task_from_list(session, actor, task_id=task_id, list_id=call.params.integer("list_id"))
    return {}


@route(
    router,
    "POST",
    TASK + "/add_comment",
    scope="tasks:write",
    params=(text("comment", "The comment's text", required=True, like=(CommentCreate, "body")),),
)
def comment(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Add a chat-like comment."""
    data = validate(CommentCreate, {"body": call.params.required("comment")})
    add_comment(session, actor, task_id=task_id, data=data)
    return {}


@route(
    router,
    "POST",
    TASK + "/add_email",
    scope="tasks:write",
    params=(
        text("gmail_thread_id", "The Gmail thread's id", required=True, like=(EmailLinkCreate, "gmail_thread_id")),
        text("subject", "The email's subject", like=(EmailLinkCreate, "subject")),
        text("sender", "The email's sender", like=(EmailLinkCreate, "sender")),
    ),
)
def add_email(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Link a Gmail thread (`gmail_thread_id`; optional `subject`, `sender`)."""
    params = call.params
    data = validate(
        EmailLinkCreate,
        {
            "gmail_thread_id": params.required("gmail_thread_id").strip(),
            "subject": params.text("subject") or "",
            "sender": params.text("sender") or "",
        },
    )
    add_email_link(session, actor, task_id=task_id, data=data)
    return {}


@route(
    router,
    "POST",
    TASK + "/remove_email",
    scope="tasks:write",
    params=(text("gmail_thread_id", "The Gmail thread's id", required=True),),
)
def remove_email(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Unlink a Gmail thread."""
    remove_email_link(session, actor, task_id=task_id, gmail_thread_id=call.params.required("gmail_thread_id"))
    return {}


@route(router, "POST", TASK + "/delete", scope="tasks:write")
def delete(session: Session, actor: Actor, call: Call, task_id: int) -> Done:
    """Delete the task (and its subtasks)."""
    delete_task(session, actor, task_id=task_id)
    return {}
