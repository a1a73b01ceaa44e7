"""Comments on tasks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied
from polytask.core.ids import storable_key
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import CommentSnapshot
from polytask.domain.events.service import record_event, snapshot_of
from polytask.domain.tasks.queries import fetch_task_for
from polytask.domain.tasks.schemas import CommentCreate, CommentUpdate
from polytask.domain.workspaces.access import require_write
from polytask.models import Comment

# A comment as its events carry it (a deletion carries only `task_id`): events/payloads.py.
COMMENT_SNAPSHOT_FIELDS = tuple(CommentSnapshot.model_fields)
COMMENT_FIELDS = Registry.of(
    "comment",
    [
        Field("id", Ref("comment"), expr=Comment.id),
        Field("body", Text(), expr=Comment.body, sortable=False),
        Field("author_id", Ref("user"), expr=Comment.author_id),
        Field("created_at", Moment(), expr=Comment.created_at),
        Field("updated_at", Moment(), expr=Comment.updated_at),
    ],
)
COMMENT_LIST: ListSpec[Comment] = ListSpec("comment", COMMENT_FIELDS, Comment.id, default_sort=(SortKey("created_at"),))


def list_comments(
    session: Session,
    actor: Actor,
    *,
    task_id: int,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[Comment]:
    """Comments on a task, oldest first unless sorted otherwise, filtered by the query engine."""
    fetch_task_for(session, actor, task_id)
    base = select(Comment).where(Comment.task_id == task_id)
    return run_list(session, COMMENT_LIST, actor=actor, base=base, page=page, sort=sort or (), tree=tree)


def get_comment_for(session: Session, actor: Actor, *, task_id: int, comment_id: int) -> Comment:
    """The comment, reached through its task (the task's rule), else NotFound."""
    fetch_task_for(session, actor, task_id)
    return _comment_on(session, task_id, comment_id)


def _comment_on(session: Session, task_id: int, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id) if storable_key(comment_id) else None
    if comment is None or comment.task_id != task_id:
        raise NotFound.of("comment", comment_id)
    return comment


def add_comment(session: Session, actor: Actor, *, task_id: int, data: CommentCreate) -> Comment:
    """Comment on a task; viewers may comment too."""
    task, _membership = fetch_task_for(session, actor, task_id)
    comment = Comment(task_id=task.id, author_id=actor.user_id, body=data.body)
    session.add(comment)
    session.flush()
    record_event(
        session,
        actor,
        type="comment.created",
        resource_type="comment",
        resource_id=comment.id,
        workspace_id=task.workspace_id,
        project_id=task.project_id,
        snapshot=snapshot_of(comment, COMMENT_SNAPSHOT_FIELDS),
    )
    return comment


def _check_author(comment: Comment, actor: Actor, role: str) -> None:
    if comment.author_id != actor.user_id and role not in ("owner", "admin"):
        raise PermissionDenied(
            "Only the author or a workspace admin can change this comment", {"required_role": ["owner", "admin"]}
        )


def update_comment(session: Session, actor: Actor, *, task_id: int, comment_id: int, data: CommentUpdate) -> Comment:
    task, membership = fetch_task_for(session, actor, task_id)
    comment = _comment_on(session, task_id, comment_id)
    _check_author(comment, actor, membership.role)
    if comment.body != data.body:
        before = comment.body
        comment.body = data.body
        session.flush()
        record_event(
            session,
            actor,
            type="comment.updated",
            resource_type="comment",
            resource_id=comment.id,
            workspace_id=task.workspace_id,
            project_id=task.project_id,
            changes={"body": {"from": before, "to": data.body}},
            snapshot=snapshot_of(comment, COMMENT_SNAPSHOT_FIELDS),
        )
    return comment


def delete_comment(session: Session, actor: Actor, *, task_id: int, comment_id: int) -> None:
    task, membership = fetch_task_for(session, actor, task_id)
    comment = _comment_on(session, task_id, comment_id)
    if comment.author_id != actor.user_id:
        require_write(membership)
    _check_author(comment, actor, membership.role)
    session.delete(comment)
    session.flush()
    record_event(
        session,
        actor,
        type="comment.deleted",
        resource_type="comment",
        resource_id=comment_id,
        workspace_id=task.workspace_id,
        project_id=task.project_id,
        snapshot={"task_id": task.id},
    )
