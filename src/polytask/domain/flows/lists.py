"""Lists and tasks: a task created into a list, a list deleted with the tasks only it holds."""

from __future__ import annotations

from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.domain.lists import service as lists
from polytask.domain.projects.schemas import ProjectCreate
from polytask.domain.projects.service import create_project
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.tasks.service import create_task, delete_task
from polytask.models import Task


def home_project_id(session: Session, actor: Actor, workspace_id: int) -> int:
    """The project that stores the tasks a user creates into lists, made on first use."""
    flagship, project_id = lists.home_project_of(session, actor, workspace_id)
    if project_id is not None:
        return project_id
    project = create_project(
        session,
        actor,
        workspace_id=workspace_id,
        data=ProjectCreate(
            name=lists.HOME_PROJECT_NAME, description="Tasks created in lists through the Taskforce API"
        ),
    )
    lists.set_home_project(session, actor, flagship=flagship, project_id=project.id)
    return project.id


def create_task_in_list(session: Session, actor: Actor, *, list_id: int, data: TaskCreate) -> int:
    """Create a task (through the one create_task) and append it to a list; its id."""
    task_list = lists.get_list_for(session, actor, list_id, write=True)
    project_id = home_project_id(session, actor, task_list.workspace_id)
    view = create_task(session, actor, project_id=project_id, data=data)
    lists.put_task_in_list(session, actor, task_list=task_list, task_id=view.task.id)
    return view.task.id


def delete_list(session: Session, actor: Actor, *, list_id: int) -> None:
    """Delete a list and the tasks that belong to no other list; the flagship list stays."""
    task_list, own_task_ids = lists.get_list_to_delete(session, actor, list_id=list_id)
    for task_id in own_task_ids:
        # A subtask may already be gone with its parent.
        if session.get(Task, task_id) is not None:
            delete_task(session, actor, task_id=task_id)
    lists.finish_list_deletion(session, actor, task_list=task_list, deleted_task_ids=own_task_ids)
