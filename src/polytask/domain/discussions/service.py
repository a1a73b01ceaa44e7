"""Discussions on projects: open one (with files), add messages (with files), list them and
their files. Files are stored through domain/files (`store_received`); deleting a project
deletes its discussions, their messages and files (their blobs through the deletion outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.files import FileStore, Received
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.discussions.access import DISCUSSIONS, MESSAGES
from polytask.domain.events.payloads import DiscussionSnapshot
from polytask.domain.events.service import record_event, snapshot_of
from polytask.domain.files.service import FileView, list_files, store_received, utc
from polytask.domain.projects.access import rows_in_project
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.workspaces.access import require_write
from polytask.models import Discussion, DiscussionMessage, StoredFile

DISCUSSION_FIELDS = tuple(DiscussionSnapshot.model_fields)
MAX_TITLE = 300
MAX_BODY = 100_000
MAX_FILES = 20


@dataclass(frozen=True, slots=True)
class DiscussionView:
    id: int
    workspace_id: int
    project_id: int
    title: str
    body: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    files: tuple[FileView, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    discussion_id: int
    author_id: int | None
    body: str
    created_at: datetime
    updated_at: datetime
    files: tuple[FileView, ...] = ()


def _files_by(session: Session, column: Any, ids: list[int]) -> dict[int, tuple[FileView, ...]]:
    found: dict[int, list[FileView]] = {i: [] for i in ids}
    if ids:
        for row in session.scalars(select(StoredFile).where(column.in_(ids)).order_by(StoredFile.id)):
            found[getattr(row, column.key)].append(FileView.of(row))
    return {i: tuple(views) for i, views in found.items()}


def _discussion_view(row: Discussion, files: tuple[FileView, ...]) -> DiscussionView:
    return DiscussionView(
        row.id, row.workspace_id, row.project_id, row.title, row.body, row.created_by_id, utc(row.created_at),
        utc(row.updated_at), files,
    )  # fmt: skip


def _message_view(row: DiscussionMessage, files: tuple[FileView, ...]) -> MessageView:
    return MessageView(
        row.id, row.discussion_id, row.author_id, row.body, utc(row.created_at), utc(row.updated_at), files
    )


def discussion_views(session: Session, rows: list[Any]) -> list[DiscussionView]:
    """A page of discussions with their opening files (those on no message), in one query."""
    files = _files_by(session, StoredFile.discussion_id, [r.id for r in rows])
    return [_discussion_view(r, tuple(f for f in files[r.id] if f.message_id is None)) for r in rows]


def message_views(session: Session, rows: list[Any]) -> list[MessageView]:
    files = _files_by(session, StoredFile.message_id, [r.id for r in rows])
    return [_message_view(r, files[r.id]) for r in rows]


DISCUSSION_FIELDS_REGISTRY = Registry.of(
    "discussion",
    [
        Field("id", Ref("discussion"), expr=Discussion.id),
        Field("title", Text(caseless=True), expr=func.lower(Discussion.title)),
        Field("project_id", Ref("project"), expr=Discussion.project_id),
        Field("created_by_id", Ref("user"), expr=Discussion.created_by_id),
        Field("created_at", Moment(), expr=Discussion.created_at),
        Field("updated_at", Moment(), expr=Discussion.updated_at),
    ],
)
DISCUSSION_LIST: ListSpec[DiscussionView] = ListSpec(
    "discussion",
    DISCUSSION_FIELDS_REGISTRY,
    Discussion.id,
    default_sort=(SortKey("id", descending=True),),
    load=discussion_views,
)
MESSAGE_FIELDS_REGISTRY = Registry.of(
    "discussion_message",
    [
        Field("id", Ref("discussion_message"), expr=DiscussionMessage.id),
        Field("author_id", Ref("user"), expr=DiscussionMessage.author_id),
        Field("created_at", Moment(), expr=DiscussionMessage.created_at),
    ],
)
# Oldest first: a thread reads from the top.
MESSAGE_LIST: ListSpec[MessageView] = ListSpec(
    "discussion_message", MESSAGE_FIELDS_REGISTRY, DiscussionMessage.id, load=message_views
)


def _text(field: str, value: str, limit: int, *, required: bool) -> str:
    text = value.strip() if required else value
    if required and not text:
        raise ValidationFailed.field(field, "is required")
    if len(text) > limit:
        raise ValidationFailed.field(field, f"must be at most {limit} characters")
    return text


def _check_files(received_files: Sequence[Received]) -> None:
    if len(received_files) > MAX_FILES:
        raise ValidationFailed.field("files", f"at most {MAX_FILES} files may be attached at once")


def create_discussion(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    title: str,
    body: str = "",
    received_files: Sequence[Received] = (),
    store: FileStore | None = None,
) -> DiscussionView:
    """Open a discussion on a project, with files (members who may write)."""
    _project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    title = _text("title", title, MAX_TITLE, required=True)
    body = _text("body", body, MAX_BODY, required=False)
    _check_files(received_files)
    row = Discussion(
        workspace_id=membership.workspace_id,
        project_id=project_id,
        title=title,
        body=body,
        created_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    files = tuple(
        FileView.of(
            store_received(
                session,
                actor,
                received=received,
                workspace_id=row.workspace_id,
                kind="discussion",
                project_id=project_id,
                discussion_id=row.id,
                store=store,
            )
        )
        for received in received_files
    )
    record_event(
        session,
        actor,
        type="discussion.created",
        resource_type="discussion",
        resource_id=row.id,
        workspace_id=row.workspace_id,
        snapshot=snapshot_of(row, DISCUSSION_FIELDS),
    )
    return _discussion_view(row, files)


def _discussion_for(session: Session, actor: Actor, discussion_id: int, project_id: int | None) -> Any:
    row, membership = DISCUSSIONS.get_for(session, actor, discussion_id)
    if project_id is not None and row.project_id != project_id:
        raise NotFound.of("discussion", discussion_id)
    return row, membership


def get_discussion(
    session: Session, actor: Actor, discussion_id: int, *, project_id: int | None = None
) -> DiscussionView:
    """A discussion the actor may see (in `project_id` when given) with its opening files."""
    row, _membership = _discussion_for(session, actor, discussion_id, project_id)
    return discussion_views(session, [row])[0]


def add_message(
    session: Session,
    actor: Actor,
    *,
    discussion_id: int,
    body: str,
    project_id: int | None = None,
    received_files: Sequence[Received] = (),
    store: FileStore | None = None,
) -> MessageView:
    """Add a message, with files, to a discussion (members who may write)."""
    discussion, membership = _discussion_for(session, actor, discussion_id, project_id)
    require_write(membership)
    body = _text("body", body, MAX_BODY, required=not received_files)
    _check_files(received_files)
    row = DiscussionMessage(
        workspace_id=discussion.workspace_id, discussion_id=discussion.id, author_id=actor.user_id, body=body
    )
    session.add(row)
    session.flush()
    files = tuple(
        FileView.of(
            store_received(
                session,
                actor,
                received=received,
                workspace_id=discussion.workspace_id,
                kind="discussion",
                project_id=discussion.project_id,
                discussion_id=discussion.id,
                message_id=row.id,
                store=store,
            )
        )
        for received in received_files
    )
    discussion.updated_at = row.created_at
    record_event(
        session,
        actor,
        type="discussion.message_added",
        resource_type="discussion",
        resource_id=discussion.id,
        workspace_id=discussion.workspace_id,
        snapshot={
            "message_id": row.id,
            "discussion_id": discussion.id,
            "body": row.body,
            "author_id": row.author_id,
            "project_id": discussion.project_id,
            "workspace_id": discussion.workspace_id,
            "file_ids": [f.id for f in files],
        },
    )
    return _message_view(row, files)


def list_discussions(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
    search: str | None = None,
) -> PageResult[DiscussionView]:
    """A project's discussions, newest first; `search` matches the title or body."""
    base = rows_in_project(session, actor, DISCUSSIONS, project_id=project_id)
    if search:
        base = base.where(
            Discussion.title.icontains(search, autoescape=True) | Discussion.body.icontains(search, autoescape=True)
        )
    return run_list(session, DISCUSSION_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def list_messages(
    session: Session,
    actor: Actor,
    *,
    discussion_id: int,
    project_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[MessageView]:
    """A discussion's messages with their files, oldest first."""
    _discussion_for(session, actor, discussion_id, project_id)
    base = select(DiscussionMessage).where(MESSAGES.visible(actor), DiscussionMessage.discussion_id == discussion_id)
    return run_list(session, MESSAGE_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def list_discussion_files(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    discussion_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[FileView]:
    """The files of a project's discussions (or of one), newest first."""
    if discussion_id is not None:
        _discussion_for(session, actor, discussion_id, project_id)
    return list_files(
        session,
        actor,
        project_id=project_id,
        kind="discussion",
        discussion_id=discussion_id,
        page=page,
        sort=sort,
        tree=tree,
    )
