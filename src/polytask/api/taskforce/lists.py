"""Lists: list, create, read, update, tasks of a list, reorder, share, delete."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from polytask.api.taskforce.endpoint import Call, Payload, route
from polytask.api.taskforce.params import validate
from polytask.api.taskforce.shapes import list_shape, task_shape
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

router = APIRouter()
LIST = "/lists/{list_id:int}"


@route(router, "GET", "/lists", scope="tasks:read")
def list_lists(session: Session, actor: Actor, call: Call) -> Payload:
    """The user's lists, flagship first."""
    return {"lists": [list_shape(card) for card in list_lists_for(session, actor)]}


@route(router, "POST", "/lists", scope="tasks:write")
def create(session: Session, actor: Actor, call: Call) -> Payload:
    """Create a list (`name`; optional `description`)."""
    data = validate(
        ListCreate, {"name": call.params.required("name"), "description": call.params.text("description") or ""}
    )
    return {"list_id": create_list(session, actor, data=data).id}


@route(router, "GET", LIST, scope="tasks:read")
def show(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """One list with its collaborators and counts."""
    return {"list": list_shape(get_list_card(session, actor, list_id=list_id))}


@route(router, "POST", LIST, scope="tasks:write")
def change(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """Change `name` and/or `description`."""
    data = call.params.model(ListUpdate, {"name": "name", "description": "description"})
    update_list(session, actor, list_id=list_id, data=data)
    return {}


@route(router, "GET", LIST + "/tasks", scope="tasks:read")
def tasks_of_list(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """The list's tasks, in the list's order."""
    return {"tasks": [task_shape(card) for card in list_tasks_of_list(session, actor, list_id=list_id)]}


@route(router, "POST", LIST + "/reorder_tasks", scope="tasks:write")
def reorder(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """Order the list's active tasks as `task_ids` says; unnamed active tasks follow."""
    reorder_list_tasks(session, actor, list_id=list_id, task_ids=call.params.ids("task_ids"))
    return {}


@route(router, "POST", LIST + "/add_collaborator", scope="tasks:write")
def add_collaborator(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """Share the list with a workspace member, by email."""
    add_list_collaborator(session, actor, list_id=list_id, email=call.params.required("email"))
    return {}


@route(router, "POST", LIST + "/remove_collaborator", scope="tasks:write")
def remove_collaborator(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """Stop sharing the list with someone, by email."""
    remove_list_collaborator(session, actor, list_id=list_id, email=call.params.required("email"))
    return {}


@route(router, "POST", LIST + "/delete", scope="tasks:write")
def delete(session: Session, actor: Actor, call: Call, list_id: int) -> Payload:
    """Delete the list, and its tasks that are in no other list."""
    delete_list(session, actor, list_id=list_id)
    return {}
