"""Domain read models in Taskforce's shapes (names with underscores; XML hyphenates them).

Each shape is a closed TypedDict, and the surface's OpenAPI document (api/taskforce/openapi.py)
takes its schemas from the same classes, so the document cannot describe a key the code does
not render or miss one it does.

Where a Taskforce field shows a value the native surface shows too (a task's `details` is the
description, `due_at` the due date), the shape's table below says so once: Taskforce field ->
the domain field it reads -> the native output attribute showing the same value
(api/v1/outputs.py). The renderers read those fields through the table; the Taskforce-only
fields (a card's `seen`, `lists`, counts) are written out beside it.
tests/architecture/test_taskforce_shapes.py fails when a mapped domain field or native
attribute no longer exists, or when the table and the shape's keys part.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Annotated, Any, cast

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


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Same:
    """A Taskforce field showing the domain field `domain` (through `show`), the value the
    native output attribute `native` shows too (None: the native surface has no such attribute)."""

    domain: str
    native: str | None = None
    show: Callable[[Any], Any] = _same


@dataclass(frozen=True)
class ShapeMap:
    """A shape's fields that show domain fields, in the shape's key order; `native` is the
    native output (its JSON:API type) whose attributes `Same.native` name, if there is one."""

    shape: type
    native: str | None
    fields: Mapping[str, Same]
    keys: tuple[str, ...] = field(init=False)  # the shape's keys, in its order
    _getters: tuple[tuple[str, Callable[[Any], Any], Callable[[Any], Any]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.shape.__annotations__))
        getters = tuple((key, attrgetter(same.domain), same.show) for key, same in self.fields.items())
        object.__setattr__(self, "_getters", getters)

    def render(self, obj: Any, own: Mapping[str, Any]) -> dict[str, Any]:
        """The shape's dict: the mapped fields read from `obj`, the others from `own`, in the
        shape's key order (XML shows elements in it)."""
        shown = {key: show(get(obj)) for key, get, show in self._getters}
        return {key: shown[key] if key in shown else own[key] for key in self.keys}


TASK_MAP = ShapeMap(
    TaskShape,
    "task",
    {
        "id": Same("id"),  # /v1 shows it as the resource's id (`task_42`)
        "user_id": Same("created_by_id", "created_by"),
        "name": Same("name", "name"),
        "details": Same("description", "description"),
        "due_at": Same("due_date", "due_date", date_text),
        "completed_at": Same("completed_at", "completed_at", date_text),
        "delayed_until": Same("start_date", "start_date", date_text),
        "created": Same("created_at", "created_at", time_text),
        "modified": Same("updated_at", "updated_at", time_text),
    },
)
# Lists are Taskforce's own concept: no native output shows them.
LIST_MAP = ShapeMap(
    ListShape,
    None,
    {
        "id": Same("id"),
        "name": Same("name"),
        "description": Same("description"),
        "flagship": Same("flagship"),
        "added_by": Same("owner_id"),
        "created": Same("created_at", show=time_text),
        "modified": Same("updated_at", show=time_text),
    },
)
USER_MAP = ShapeMap(
    UserShape,
    "user",
    {
        "name": Same("name", "name"),
        "email": Same("email", "email"),
        "created": Same("created_at", "created_at", time_text),
    },
)
SHAPE_MAPS = (TASK_MAP, LIST_MAP, USER_MAP)


def task_shape(card: TaskCard) -> TaskShape:
    own = {
        "owner": card.owner,
        "seen": card.seen,
        "lists": [{"id": list_id} for list_id in card.list_ids],
        "collaborators": [{"email": email} for email in card.collaborator_emails],
        "emails": [
            {"sender": link.sender, "subject": link.subject, "gmail_thread_id": link.gmail_thread_id}
            for link in card.emails
        ],
    }
    return cast(TaskShape, TASK_MAP.render(card.task, own))


def list_shape(card: ListCard) -> ListShape:
    own = {
        "collaborators": [{"email": email} for email in card.collaborator_emails],
        "task_counts": counts_shape(card.counts),
    }
    return cast(ListShape, LIST_MAP.render(card.task_list, own))


def user_shape(user: Any, api_key: str) -> UserShape:
    """The authenticated user (a domain User) with the key the request authenticated with."""
    return cast(UserShape, USER_MAP.render(user, {"service": SERVICE_NAME, "api_key": api_key}))


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
