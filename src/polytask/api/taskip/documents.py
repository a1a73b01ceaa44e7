"""TaskIP's Document Management group: the workspace's documents (files with a title,
description and category, optionally of a project): upload, list with filters, metadata,
update, delete, download."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskip import outputs as out
from polytask.api.taskip import render
from polytask.api.taskip.envelope import no_content, ok
from polytask.api.taskip.outputs import One, Page
from polytask.api.taskip.paging import meta_of
from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.query import list_args, parameters
from polytask.api.taskip.shapes import DocumentMetaIn, core_model
from polytask.api.taskip.transfer import download, one_file, received
from polytask.api.uploads import accepts_upload
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.documents.service import (
    DocumentMeta,
    create_document,
    delete_document,
    get_document,
    list_documents,
    open_document,
    update_document,
)
from polytask.domain.projects.service import home_project
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/document", tags=["TaskIP documents"])

_FILTERS = {"category": "category", "content_type": "content_type", "project_id": "project_id"}
_SORTS = {
    "title": "title",
    "name": "name",
    "size": "size",
    "category": "category",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "id": "id",
}
_DOCS = {"category": "Only this category", "content_type": "A content type", "project_id": "Only this project's"}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "category": {"type": "string"},
                        "project": {"type": "string", "description": "A project's uuid or id"},
                    },
                }
            }
        },
    }
}


def _meta(session: Session, actor: Actor, given: DocumentMetaIn) -> DocumentMeta:
    """The domain's metadata; `project` (uuid or id) or `project_id` named in the key's workspace."""
    fields: dict[str, Any] = {
        k: getattr(given, k) for k in ("title", "description", "category") if k in given.model_fields_set
    }
    ref: str | int | None = given.project if given.project is not None else given.project_id
    if "project" in given.model_fields_set or "project_id" in given.model_fields_set:
        if ref is None:
            fields["project_id"] = None
        else:
            fields["project_id"] = home_project(session, actor, ref)[0]
    return core_model(DocumentMeta, fields)


@router.get(
    "",
    operation_id="documents.list",
    response_model=Page[out.Document],
    openapi_extra={"parameters": parameters(_DOCS)},
)
async def list_all(request: Request) -> Response:
    """Your workspace's documents, newest first unless sorted; `search` looks in the title,
    description and file name; `content_type=image/*` keeps every image."""
    args = list_args(
        request.query_params, filters={k: v for k, v in _FILTERS.items() if k != "content_type"}, sortable=_SORTS
    )
    content_type = request.query_params.get("content_type") or None

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        result = list_documents(
            session,
            actor,
            page=args.request,
            sort=args.sort,
            tree=args.tree,
            search=args.search,
            content_type=content_type,
            workspace_id=home_workspace_id(session, actor),
        )
        return [render.document(d) for d in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="projects:read")
    return ok(request, items, "Documents retrieved successfully", meta=meta)


@router.post(
    "", operation_id="documents.upload", response_model=One[out.Document], status_code=201, openapi_extra=_UPLOAD_BODY
)
@accepts_upload
async def upload(request: Request) -> Response:
    """Upload a document: `multipart/form-data` with the file in `file` and optional `title`
    (default: the file's name), `description`, `category`, `project`. Over the limit: 413."""
    with await received(request, scope="projects:write") as sent:
        file = one_file(sent)
        given = _form(sent.fields)

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            meta = _meta(session, actor, given)
            view = create_document(
                session, actor, received=file, meta=meta, workspace_id=home_workspace_id(session, actor)
            )
            return render.document(view)

        data = await run_unit(request, work, scope="projects:write")
    return ok(request, data, "Document uploaded successfully", 201)


def _form(fields: dict[str, str]) -> DocumentMetaIn:
    return core_model(DocumentMetaIn, fields)


@router.get("/{id}", operation_id="documents.show", response_model=One[out.Document])
async def show(request: Request, id: int) -> Response:
    """One document's metadata."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return render.document(get_document(session, actor, id))

    return ok(request, await run_unit(request, work, scope="projects:read"), "Document retrieved successfully")


@router.put("/{id}", operation_id="documents.update", response_model=One[out.Document])
async def update(request: Request, id: int, body: DocumentMetaIn) -> Response:
    """Change the title, description, category or project (null: none) given."""
    if "title" in body.model_fields_set and body.title is None:
        raise ValidationFailed.field("title", "cannot be null")

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return render.document(update_document(session, actor, document_id=id, meta=_meta(session, actor, body)))

    return ok(request, await run_unit(request, work, scope="projects:write"), "Document updated successfully")


@router.delete("/{id}", operation_id="documents.delete", status_code=204)
async def delete(request: Request, id: int) -> Response:
    """Delete the document and its file."""

    def work(session: Session, actor: Actor) -> None:
        delete_document(session, actor, document_id=id)

    await run_unit(request, work, scope="projects:write")
    return no_content()


@router.get(
    "/{id}/download",
    operation_id="documents.download",
    responses={200: {"description": "The file's bytes", "content": {"application/octet-stream": {}}}},
)
async def download_document(request: Request, id: int) -> Response:
    """The document's file, streamed, with its type and name."""

    def work(session: Session, actor: Actor) -> Any:
        return open_document(session, actor, id)

    view, chunks = await run_unit(request, work, scope="projects:read")
    return download(view, chunks)
