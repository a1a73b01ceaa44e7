"""Comments on tasks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, PermissionDenied
from polytask.core.pagination import PageRequest, PageResult, count_of
from polytask.domain.events.service import record_event
from polytask.domain.tasks.queries import fetch_task_for
from polytask.domain.tasks.schemas import CommentCreate, CommentUpdate
from polytask.domain.workspaces.access import require_write
from polytask.models import Comment


def list_comments(session: Session, actor: Actor, *, task_id: int, page: PageRequest) -> PageResult[Comment]:
    """Comments on a task, oldest first."""
    fetch_task_for(session, actor, task_id)
    stmt = select(Comment).where(Comment.task_id == task_id)
    total = session.scalar(count_of(stmt)) if page.want_total else None
    stmt = stmt.order_by(Comment.created_at, Comment.id).limit(page.limit).offset(page.offset)
    return PageResult(list(session.scalars(stmt)), total, page)


def get_comment_for(session: Session, actor: Actor, *, task_id: int, comment_id: int) -> Comment:
    fetch_task_for(session, actor, task_id)
    comment = session.get(Comment, comment_id)
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
        snapshot={"task_id": task.id, "body": data.body},
    )
    return comment


def _check_author(comment: Comment, actor: Actor, role: str) -> None:
    if comment.author_id != actor.user_id and role not in ("owner", "admin"):
        raise PermissionDenied(
            "Only the author or a workspace admin can change this comment", {"required_role": ["owner", "admin"]}
        )


def update_comment(session: Session, actor: Actor, *, task_id: int, comment_id: int, data: CommentUpdate) -> Comment:
    task, membership = fetch_task_for(session, actor, task_id)
    comment = get_comment_for(session, actor, task_id=task_id, comment_id=comment_id)
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
            changes={"body": {"from": before, "to": data.body}},
            snapshot={"task_id": task.id, "body": data.body},
        )
    return comment


def delete_comment(session: Session, actor: Actor, *, task_id: int, comment_id: int) -> None:
    task, membership = fetch_task_for(session, actor, task_id)
    comment = get_comment_for(session, actor, task_id=task_id, comment_id=comment_id)
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
        snapshot={"task_id": task.id},
    )
