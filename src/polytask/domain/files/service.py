"""Task and project files: attach, list, open (stream), delete; and `store_received`, the one
way a received file becomes a stored one (discussions and documents use it too)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import as_utc
from polytask.core.db import on_rollback, require_thread
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.files import BlobMissing, FileStore, Received, current_store, new_key
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Number, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import FileSnapshot
from polytask.domain.events.service import record_event, snapshot_of
from polytask.domain.files.access import FILES
from polytask.domain.files.blobs import wake_after_commit
from polytask.domain.projects.access import rows_in_project
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.workspaces.access import require_write
from polytask.models import Membership, StoredFile, Task
from polytask.models.files import FILE_KINDS

FILE_FIELDS = tuple(FileSnapshot.model_fields)


@dataclass(frozen=True, slots=True)
class FileView:
    """A stored file as callers see it (never its storage key)."""

    id: int
    workspace_id: int
    project_id: int | None
    task_id: int | None
    discussion_id: int | None
    message_id: int | None
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    title: str | None
    description: str | None
    category: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: StoredFile) -> FileView:
        return cls(
            id=row.id,
            workspace_id=row.workspace_id,
            project_id=row.project_id,
            task_id=row.task_id,
            discussion_id=row.discussion_id,
            message_id=row.message_id,
            kind=row.kind,
            name=row.name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_by_id=row.uploaded_by_id,
            title=row.title,
            description=row.description,
            category=row.category,
            created_at=utc(row.created_at),
            updated_at=utc(row.updated_at),
        )


def utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite hands back naive ones)."""
    aware = as_utc(moment)
    assert aware is not None
    return aware


def views_of(_session: Session, rows: list[Any]) -> list[FileView]:
    return [FileView.of(row) for row in rows]


FILE_FIELDS_REGISTRY = Registry.of(
    "file",
    [
        Field("id", Ref("file"), expr=StoredFile.id),
        Field("name", Text(caseless=True), expr=func.lower(StoredFile.name)),
        Field("kind", Choice(FILE_KINDS), expr=StoredFile.kind),
        Field("content_type", Text(caseless=True), expr=func.lower(StoredFile.content_type)),
        Field("size", Number(), expr=StoredFile.size),
        Field("project_id", Ref("project"), expr=StoredFile.project_id),
        Field("task_id", Ref("task"), expr=StoredFile.task_id),
        Field("discussion_id", Ref("discussion"), expr=StoredFile.discussion_id),
        Field("uploaded_by_id", Ref("user"), expr=StoredFile.uploaded_by_id),
        Field("title", Text(caseless=True), expr=func.lower(StoredFile.title)),
        Field("category", Text(caseless=True), expr=func.lower(StoredFile.category)),
        Field("created_at", Moment(), expr=StoredFile.created_at),
        Field("updated_at", Moment(), expr=StoredFile.updated_at),
    ],
)
# Newest first: what a file list shows on top.
FILE_LIST: ListSpec[FileView] = ListSpec(
    "file", FILE_FIELDS_REGISTRY, StoredFile.id, default_sort=(SortKey("id", descending=True),), load=views_of
)


def store_received(
    session: Session,
    actor: Actor,
    *,
    received: Received,
    workspace_id: int,
    kind: str,
    project_id: int | None = None,
    task_id: int | None = None,
    discussion_id: int | None = None,
    message_id: int | None = None,
    title: str | None = None,
    description: str | None = None,
    category: str | None = None,
    store: FileStore | None = None,
) -> StoredFile:
    """Put the received file in the store under a fresh key, then insert its row (the caller
    checked access and records the event). A rollback deletes the blob again."""
    require_thread()  # the blob write blocks: never on the event loop's thread
    store = store or current_store()
    key = new_key()
    store.put_file(key, received.path, content_type=received.content_type)
    on_rollback(session, lambda: store.delete(key))
    row = StoredFile(
        workspace_id=workspace_id,
        project_id=project_id,
        task_id=task_id,
        discussion_id=discussion_id,
        message_id=message_id,
        kind=kind,
        name=received.filename,
        content_type=received.content_type,
        size=received.size,
        sha256=received.sha256,
        storage_key=key,
        uploaded_by_id=actor.user_id,
        title=title,
        description=description,
        category=category,
    )
    session.add(row)
    session.flush()
    return row


def _task_in_project(session: Session, task_id: int, project_id: int) -> None:
    found = session.scalar(select(Task.id).where(Task.id == task_id, Task.project_id == project_id))
    if found is None:
        raise NotFound.of("task", task_id)


def _writable_project(session: Session, actor: Actor, project_id: int) -> Membership:
    _project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    return membership


def attach_file(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    task_id: int | None = None,
    received: Received,
    store: FileStore | None = None,
) -> FileView:
    """Attach an uploaded file to a project, or to one of its tasks (members who may write)."""
    membership = _writable_project(session, actor, project_id)
    if task_id is not None:
        _task_in_project(session, task_id, project_id)
    row = store_received(
        session,
        actor,
        received=received,
        workspace_id=membership.workspace_id,
        kind="task" if task_id is not None else "project",
        project_id=project_id,
        task_id=task_id,
        store=store,
    )
    record_event(
        session,
        actor,
        type="file.uploaded",
        resource_type="file",
        resource_id=row.id,
        workspace_id=row.workspace_id,
        snapshot=snapshot_of(row, FILE_FIELDS),
    )
    return FileView.of(row)


def list_files(
    session: Session,
    actor: Actor,
    *,
    project_id: int,
    task_id: int | None = None,
    kind: str | None = None,
    discussion_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[FileView]:
    """A project's files, newest first: all kinds, one kind ('task': every task's files,
    'project', 'discussion', 'document'), or one task's."""
    base = rows_in_project(session, actor, FILES, project_id=project_id)
    if task_id is not None:
        _task_in_project(session, task_id, project_id)
        base = base.where(StoredFile.task_id == task_id)
    if kind is not None:
        if kind not in FILE_KINDS:
            raise ValidationFailed.field("kind", f"must be one of {', '.join(FILE_KINDS)}", kind)
        base = base.where(StoredFile.kind == kind)
    if discussion_id is not None:
        base = base.where(StoredFile.discussion_id == discussion_id)
    return run_list(session, FILE_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def get_file(session: Session, actor: Actor, file_id: int, *, project_id: int | None = None) -> FileView:
    """A file the actor may see (in `project_id` when given), else NotFound."""
    return FileView.of(_file_for(session, actor, file_id, project_id=project_id)[0])


def _file_for(
    session: Session, actor: Actor, file_id: int, *, project_id: int | None = None, kinds: tuple[str, ...] = FILE_KINDS
) -> tuple[StoredFile, Membership]:
    row, membership = FILES.get_for(session, actor, file_id)
    if (project_id is not None and row.project_id != project_id) or row.kind not in kinds:
        raise NotFound.of("file", file_id)
    return row, membership


def open_stored(row: StoredFile, store: FileStore | None = None) -> Iterator[bytes]:
    """The row's blob in chunks, opened now (NotFound if the store lost it)."""
    try:
        return (store or current_store()).open_chunks(row.storage_key)
    except BlobMissing:
        raise NotFound.of("file", row.id) from None


def open_file(
    session: Session, actor: Actor, file_id: int, *, project_id: int | None = None, store: FileStore | None = None
) -> tuple[FileView, Iterator[bytes]]:
    """A file's metadata and its bytes as a chunk iterator (close it if not read to the end)."""
    require_thread()  # opening the blob may block (S3)
    row, _membership = _file_for(session, actor, file_id, project_id=project_id)
    return FileView.of(row), open_stored(row, store)


def delete_file(
    session: Session,
    actor: Actor,
    *,
    file_id: int,
    project_id: int | None = None,
    task_id: int | None = None,
) -> None:
    """Delete a task's or project's file (members who may write); its blob goes after the commit."""
    row, membership = _file_for(session, actor, file_id, project_id=project_id, kinds=("task", "project"))
    if task_id is not None and row.task_id != task_id:
        raise NotFound.of("file", file_id)
    require_write(membership)
    snapshot = snapshot_of(row, FILE_FIELDS)
    remove_stored(session, row)
    record_event(
        session,
        actor,
        type="file.deleted",
        resource_type="file",
        resource_id=file_id,
        workspace_id=membership.workspace_id,
        snapshot=snapshot,
    )


def remove_stored(session: Session, row: StoredFile) -> None:
    """Delete the row; the trigger queues its blob, deleted once the unit commits."""
    session.execute(delete(StoredFile).where(StoredFile.id == row.id))
    session.expunge(row)
    wake_after_commit(session)
