"""Documents: upload, change the metadata, download, delete, list with filters.

A document is a stored file of kind 'document' in a workspace, optionally linked to one of
its projects (deleting the project deletes its documents, blobs included). Reached through
the files' one rule (domain/files/access.py FILES) and narrowed to documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.db import require_thread
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.files import FileStore, Received
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.listing import run_list
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.files.access import FILES
from polytask.domain.files.service import FILE_FIELDS, FILE_LIST, FileView, open_stored, remove_stored, store_received
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.workspaces.access import default_workspace_id, membership_for, require_write
from polytask.models import Membership, StoredFile

MAX_TITLE = 300
MAX_DESCRIPTION = 10_000
MAX_CATEGORY = 100


class DocumentMeta(BaseModel):
    """A document's metadata as given on upload or update (unset fields stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = PydanticField(default=None, max_length=MAX_TITLE)
    description: str | None = PydanticField(default=None, max_length=MAX_DESCRIPTION)
    category: str | None = PydanticField(default=None, max_length=MAX_CATEGORY)
    project_id: int | None = None


def _workspace_for(session: Session, actor: Actor, workspace_id: int | None) -> Membership:
    if workspace_id is None:
        workspace_id = actor.workspace_id or default_workspace_id(session, actor.user_id)
    if workspace_id is None:
        raise ValidationFailed.field("workspace_id", "is required")
    return membership_for(session, actor, workspace_id)


def _project_in(session: Session, actor: Actor, project_id: int, workspace_id: int) -> None:
    try:
        get_project_and_membership(session, actor, project_id, workspace_id=workspace_id)
    except NotFound:
        raise ValidationFailed.field("project_id", "is not a project of this workspace", project_id) from None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return text or None


def create_document(
    session: Session,
    actor: Actor,
    *,
    received: Received,
    meta: DocumentMeta | None = None,
    workspace_id: int | None = None,
    store: FileStore | None = None,
) -> FileView:
    """Upload a document to the workspace (the credential's, else the caller's own), titled by
    its file name unless given, optionally linked to a project."""
    meta = meta or DocumentMeta()
    membership = _workspace_for(session, actor, workspace_id)
    require_write(membership)
    if meta.project_id is not None:
        _project_in(session, actor, meta.project_id, membership.workspace_id)
    row = store_received(
        session,
        actor,
        received=received,
        workspace_id=membership.workspace_id,
        kind="document",
        project_id=meta.project_id,
        title=_clean(meta.title) or received.filename,
        description=meta.description or "",
        category=_clean(meta.category),
        store=store,
    )
    record_event(
        session,
        actor,
        type="document.created",
        resource_type="document",
        resource_id=row.id,
        workspace_id=row.workspace_id,
        snapshot=snapshot_of(row, FILE_FIELDS),
    )
    return FileView.of(row)


def _document_for(session: Session, actor: Actor, document_id: int) -> tuple[StoredFile, Membership]:
    row, membership = FILES.get_for(session, actor, document_id)
    if row.kind != "document":
        raise NotFound.of("document", document_id)
    return row, membership


def get_document(session: Session, actor: Actor, document_id: int) -> FileView:
    """A document the actor may see, else NotFound."""
    return FileView.of(_document_for(session, actor, document_id)[0])


def update_document(session: Session, actor: Actor, *, document_id: int, meta: DocumentMeta) -> FileView:
    """Change a document's title, description, category or project (null: no project)."""
    row, membership = _document_for(session, actor, document_id)
    require_write(membership)
    before = snapshot_of(row, FILE_FIELDS)
    given = meta.model_fields_set
    if "title" in given:
        title = _clean(meta.title)
        if title is None:
            raise ValidationFailed.field("title", "cannot be empty")
        row.title = title
    if "description" in given:
        row.description = meta.description or ""
    if "category" in given:
        row.category = _clean(meta.category)
    if "project_id" in given and meta.project_id != row.project_id:
        if meta.project_id is not None:
            _project_in(session, actor, meta.project_id, row.workspace_id)
        row.project_id = meta.project_id
    session.flush()
    record_update(
        session,
        actor,
        resource_type="document",
        resource_id=row.id,
        workspace_id=row.workspace_id,
        before=before,
        after=snapshot_of(row, FILE_FIELDS),
    )
    return FileView.of(row)


def delete_document(session: Session, actor: Actor, *, document_id: int) -> None:
    """Delete a document; its blob goes after the commit."""
    row, membership = _document_for(session, actor, document_id)
    require_write(membership)
    snapshot = snapshot_of(row, FILE_FIELDS)
    remove_stored(session, row)
    record_event(
        session,
        actor,
        type="document.deleted",
        resource_type="document",
        resource_id=document_id,
        workspace_id=membership.workspace_id,
        snapshot=snapshot,
    )


def open_document(
    session: Session, actor: Actor, document_id: int, *, store: FileStore | None = None
) -> tuple[FileView, Iterator[bytes]]:
    """A document's metadata and its bytes as a chunk iterator."""
    require_thread()
    row, _membership = _document_for(session, actor, document_id)
    return FileView.of(row), open_stored(row, store)


def list_documents(
    session: Session,
    actor: Actor,
    *,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
    search: str | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    content_type: str | None = None,
    category: str | None = None,
    project_id: int | None = None,
    workspace_id: int | None = None,
) -> PageResult[FileView]:
    """The documents the actor sees, newest first: `search` in the title, description or file
    name; uploaded from `date_from` to `date_to` (inclusive); of a content type (`image/png`, or
    `image/*`), a category, a project, a workspace; more through `tree` (the query engine)."""
    base: Any = select(StoredFile).where(FILES.visible(actor), StoredFile.kind == "document")
    if workspace_id is not None:
        membership_for(session, actor, workspace_id)
        base = base.where(StoredFile.workspace_id == workspace_id)
    if project_id is not None:
        get_project_and_membership(session, actor, project_id)
        base = base.where(StoredFile.project_id == project_id)
    if search:
        words = search.strip()
        base = base.where(
            or_(
                StoredFile.title.icontains(words, autoescape=True),
                StoredFile.description.icontains(words, autoescape=True),
                StoredFile.name.icontains(words, autoescape=True),
            )
        )
    if date_from is not None:
        base = base.where(StoredFile.created_at >= date_from)
    if date_to is not None:
        base = base.where(StoredFile.created_at <= date_to)
    if content_type:
        media = content_type.strip().lower()
        if media.endswith("/*"):
            base = base.where(StoredFile.content_type.startswith(media[:-1], autoescape=True))
        else:
            base = base.where(StoredFile.content_type == media)
    if category is not None:
        base = base.where(StoredFile.category == category)
    return run_list(session, FILE_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)
