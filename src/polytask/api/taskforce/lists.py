"""Lists: list, create, read, update, tasks of a list, reorder, share, delete."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.api.kernel.routes import unit_router
from polytask.api.taskforce.contract import idents, text
from polytask.api.taskforce.endpoint import Call, route
from polytask.api.taskforce.params import validate
from polytask.api.taskforce.shapes import (
    Done,
    ListAnswer,
    ListCreated,
    ListsAnswer,
    TasksAnswer,
    list_shape,
    task_shape,
)
from polytask.core.actor import Actor
from polytask.domain.flows.lists import delete_list
from polytask.domain.lists.schemas import ListCreate, ListUpdate
from polytask.domain.lists.service import (
    add_list_collaborator,
    create_list,
    get_list_card,
    list_lists_for,
    list_tasks_of_list,
    remove_list_collaborator,
    reorder_list_tasks,
    update_list,
)

router = unit_router()
LIST = "/lists/{list_id:int}"
_EMAIL = (text("email", "The email of a member of the list's workspace", required=True),)


@route(router, "GET", "/lists", scope="tasks:read")
def list_lists(session: Session, actor: Actor, call: Call) -> ListsAnswer:
    """The user's lists, flagship first."""
    return {"lists": [list_shape(card) for card in list_lists_for(session, actor)]}


@route(
    router,
    "POST",
    "/lists",
    scope="tasks:write",
    params=(
        text("name", "The list's name", required=True, like=(ListCreate, "name")),
        text("description", "The list's description", like=(ListCreate, "description")),
    ),
)
def create(session: Session, actor: Actor, call: Call) -> ListCreated:
    """Create a list (`name`; optional `description`)."""
    data = validate(
        ListCreate, {"name": call.params.required("name"), "description": call.params.text("description") or ""}
    )
    return {"list_id": create_list(session, actor, data=data).id}


@route(router, "GET", LIST, scope="tasks:read")
def show(session: Session, actor: Actor, call: Call, list_id: int) -> ListAnswer:
    """One list with its collaborators and counts."""
    return {"list": list_shape(get_list_card(session, actor, list_id=list_id))}


@route(
    router,
    "POST",
    LIST,
    scope="tasks:write",
    params=(
        text("name", "A new name", like=(ListUpdate, "name")),
        text("description", "A new description", like=(ListUpdate, "description")),
    ),
    one_of=("name", "description"),
)
def change(session: Session, actor: Actor, call: Call, list_id: int) -> Done:
    """Change `name` and/or `description`."""
    data = call.params.model(ListUpdate, {"name": "name", "description": "description"})
    update_list(session, actor, list_id=list_id, data=data)
    return {}


@route(router, "GET", LIST + "/tasks", scope="tasks:read")
def tasks_of_list(session: Session, actor: Actor, call: Call, list_id: int) -> TasksAnswer:
    """The list's tasks, in the list's order."""
    return {"tasks": [task_shape(card) for card in list_tasks_of_list(session, actor, list_id=list_id)]}


@route(
    router,
    "POST",
    LIST + "/reorder_tasks",
    scope="tasks:write",
    params=(
        idents(
            "task_ids",
            "Tasks of the list in their new order: repeated `task_ids[]` or `task_ids` fields, indexed "
            "`task_ids[0]` fields, a comma list or a JSON array; an id not in the list is 422",
        ),
    ),
)
def reorder(session: Session, actor: Actor, call: Call, list_id: int) -> Done:
    """Order the list's active tasks as `task_ids` says; unnamed active tasks follow."""
    reorder_list_tasks(session, actor, list_id=list_id, task_ids=call.params.ids("task_ids"))
    return {}


@route(router, "POST", LIST + "/add_collaborator", scope="tasks:write", params=_EMAIL)
def add_collaborator(session: Session, actor: Actor, call: Call, list_id: int) -> Done:
    """Share the list with a workspace member, by email."""
    add_list_collaborator(session, actor, list_id=list_id, email=call.params.required("email"))
    return {}


@route(router, "POST", LIST + "/remove_collaborator", scope="tasks:write", params=_EMAIL)
def remove_collaborator(session: Session, actor: Actor, call: Call, list_id: int) -> Done:
    """Stop sharing the list with someone, by email."""
    remove_list_collaborator(session, actor, list_id=list_id, email=call.params.required("email"))
    return {}


@route(
    router,
    "POST",
    LIST + "/delete",
    scope="tasks:write",
    refusals={403: "The flagship list cannot be deleted, and only the list's owner may delete it"},
)
def delete(session: Session, actor: Actor, call: Call, list_id: int) -> Done:
    """Delete the list, and its tasks that are in no other list."""
    delete_list(session, actor, list_id=list_id)
    return {}
