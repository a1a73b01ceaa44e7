"""Domain read models in Taskforce's shapes (names with underscores; XML hyphenates them).

Each shape is a closed TypedDict: mypy holds the functions below to it, and the surface's
OpenAPI document (api/taskforce/openapi.py) takes its schemas from the same classes, so the
document cannot describe a key the code does not render or miss one it does.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic reads TypedDicts from here on Python < 3.12

from polytask.api.taskforce.render import date_text, time_text
from polytask.domain.lists.schemas import ListCard, TaskCard, TaskCounts

SERVICE_NAME = "Polytask"
CLOSED = ConfigDict(extra="forbid")

Id = Annotated[int, Field(ge=1, description="An integer id (the same number `/v1` shows as `task_42`)")]
Count = Annotated[int, Field(ge=0)]
Date = Annotated[str, Field(pattern=r"^\d{2}/\d{2}/\d{4}$", description="MM/DD/YYYY (UTC)", examples=["12/02/2010"])]
Timestamp = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000$",
        description="YYYY-MM-DD HH:MM:SS +0000 (UTC)",
        examples=["2010-11-23 17:04:20 +0000"],
    ),
]


@with_config(CLOSED)
class ListRef(TypedDict):
    id: Id


@with_config(CLOSED)
class Collaborator(TypedDict):
    email: str


@with_config(CLOSED)
class EmailLink(TypedDict):
    """A Gmail thread linked to the task."""

    sender: str
    subject: str
    gmail_thread_id: str


@with_config(CLOSED)
class Counts(TypedDict):
    """total = active + complete + delayed; overdue and unseen are counted across them."""

    total: Count
    active: Count
    complete: Count
    delayed: Count
    overdue: Count
    unseen: Count


@with_config(CLOSED)
class TaskShape(TypedDict):
    """A task as the authenticated user sees it."""

    id: Id
    user_id: Annotated[int | None, Field(description="The creator (null once that user is deleted)")]
    owner: Annotated[bool, Field(description="Whether the authenticated user created the task")]
    name: str
    details: Annotated[str, Field(description="The description")]
    seen: Annotated[bool, Field(description="Whether the authenticated user has opened the task")]
    due_at: Date | None
    completed_at: Date | None
    delayed_until: Annotated[Date | None, Field(description='The start ("delay") date')]
    created: Timestamp
    modified: Timestamp
    lists: Annotated[list[ListRef], Field(description="The lists holding the task that the user can see")]
    collaborators: list[Collaborator]
    emails: list[EmailLink]


@with_config(CLOSED)
class ListShape(TypedDict):
    """A list the authenticated user owns or collaborates on."""

    id: Id
    name: str
    description: str
    flagship: Annotated[bool, Field(description="The user's default list, which cannot be deleted")]
    added_by: Annotated[int, Field(description="The list's owner")]
    created: Timestamp
    modified: Timestamp
    collaborators: Annotated[list[Collaborator], Field(description="Everyone the list is shared with but its owner")]
    task_counts: Counts


@with_config(CLOSED)
class UserShape(TypedDict):
    name: str
    email: str
    created: Timestamp
    service: Annotated[str, Field(examples=[SERVICE_NAME])]
    api_key: Annotated[str, Field(description="The API key this request authenticated with")]


def counts_shape(counts: TaskCounts) -> Counts:
    return {
        "total": counts.total,
        "active": counts.active,
        "complete": counts.complete,
        "delayed": counts.delayed,
        "overdue": counts.overdue,
        "unseen": counts.unseen,
    }


def task_shape(card: TaskCard) -> TaskShape:
    task = card.task
    return {
        "id": task.id,
        "user_id": task.created_by_id,
        "owner": card.owner,
        "name": task.name,
        "details": task.description,
        "seen": card.seen,
        "due_at": date_text(task.due_date),
        "completed_at": date_text(task.completed_at),
        "delayed_until": date_text(task.start_date),
        "created": time_text(task.created_at),
        "modified": time_text(task.updated_at),
        "lists": [{"id": list_id} for list_id in card.list_ids],
        "collaborators": [{"email": email} for email in card.collaborator_emails],
        "emails": [
            {"sender": link.sender, "subject": link.subject, "gmail_thread_id": link.gmail_thread_id}
            for link in card.emails
        ],
    }


def list_shape(card: ListCard) -> ListShape:
    task_list = card.task_list
    return {
        "id": task_list.id,
        "name": task_list.name,
        "description": task_list.description,
        "flagship": task_list.flagship,
        "added_by": task_list.owner_id,
        "created": time_text(task_list.created_at),
        "modified": time_text(task_list.updated_at),
        "collaborators": [{"email": email} for email in card.collaborator_emails],
        "task_counts": counts_shape(card.counts),
    }


# What each operation answers after `success: true` (its handler's return type).


@with_config(CLOSED)
class Done(TypedDict):
    pass  # nothing but `success: true`


@with_config(CLOSED)
class SignedUp(TypedDict):
    api_key: Annotated[str, Field(description="The new user's API key (shown once)")]


@with_config(CLOSED)
class UserAnswer(TypedDict):
    user: UserShape


@with_config(CLOSED)
class TasksAnswer(TypedDict):
    tasks: list[TaskShape]


@with_config(CLOSED)
class TaskAnswer(TypedDict):
    task: TaskShape


@with_config(CLOSED)
class TaskCreated(TypedDict):
    task_id: Id


@with_config(CLOSED)
class CountsAnswer(TypedDict):
    task_counts: Counts


@with_config(CLOSED)
class DateSet(TypedDict):
    date: Annotated[Date, Field(description="The date set (MM/DD/YYYY)")]


@with_config(CLOSED)
class ListsAnswer(TypedDict):
    lists: list[ListShape]


@with_config(CLOSED)
class ListAnswer(TypedDict):
    list: ListShape


@with_config(CLOSED)
class ListCreated(TypedDict):
    list_id: Id
