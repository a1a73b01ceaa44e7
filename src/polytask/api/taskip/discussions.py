"""TaskIP's Discussion Management group: a project's discussion threads and their files.

`POST /project/{uuid}/discussion` starts a thread (`title`, `body`); with `discussion_id` it
adds a message to that thread instead (the document names no other way to reply). Either
takes files: send `multipart/form-data` with the text fields and up to ten files."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskip import outputs as out
from polytask.api.taskip import render
from polytask.api.taskip.envelope import ok
from polytask.api.taskip.files import FILE_FILTERS, FILE_SORTS
from polytask.api.taskip.outputs import One, Page
from polytask.api.taskip.paging import meta_of
from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.query import list_args, parameters
from polytask.api.taskip.shapes import DiscussionIn, core_model
from polytask.api.taskip.transfer import json_object, received
from polytask.api.uploads import Upload, accepts_upload
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.discussions.service import (
    add_message,
    create_discussion,
    list_discussion_files,
    list_discussions,
)
from polytask.domain.projects.service import home_project

router = unit_router(prefix=f"{PREFIX}/project/{{uuid}}/discussion", tags=["TaskIP discussions"])

_SORTS = {"title": "title", "created_at": "created_at", "updated_at": "updated_at", "id": "id"}
MAX_FILES = 10


def _project_id(session: Session, actor: Actor, ref: str) -> int:
    return home_project(session, actor, ref)[0]


@router.get(
    "",
    operation_id="discussions.list",
    response_model=Page[out.Discussion],
    openapi_extra={"parameters": parameters({})},
)
async def list_all(request: Request, uuid: str) -> Response:
    """The project's discussions with their files, newest first unless sorted; `search` looks
    in the titles."""
    args = list_args(request.query_params, filters={}, sortable=_SORTS)

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        result = list_discussions(
            session,
            actor,
            project_id=_project_id(session, actor, uuid),
            page=args.request,
            sort=args.sort,
            tree=args.tree,
            search=args.search,
        )
        return [render.discussion(d) for d in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="projects:read")
    return ok(request, items, "Discussions retrieved successfully", meta=meta)


def _body(upload: Upload | None, json_body: dict[str, Any] | None) -> DiscussionIn:
    return core_model(DiscussionIn, dict(upload.fields) if upload is not None else dict(json_body or {}))


@router.post(
    "",
    operation_id="discussions.create",
    response_model=One[out.Discussion | out.Message],
    status_code=201,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": DiscussionIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "title": {"type": "string"},
                            "body": {"type": "string"},
                            "discussion_id": {"type": "string"},
                            "file": {"type": "string", "format": "binary"},
                        },
                    }
                },
            }
        }
    },
)
@accepts_upload
async def create(request: Request, uuid: str) -> Response:
    """Start a discussion (`title`, `body`), or reply in one (`discussion_id`, `body`); with
    files when sent as multipart."""
    multipart = request.headers.get("content-type", "").startswith("multipart/")
    if multipart:
        upload: Upload | None = await received(request, scope="projects:write", max_files=MAX_FILES)
        json_body = None
    else:
        upload = None
        json_body = await json_object(request)
    try:
        body = _body(upload, json_body)
        files = list(upload.files) if upload is not None else []

        def work(session: Session, actor: Actor) -> tuple[dict[str, Any], str]:
            project_id = _project_id(session, actor, uuid)
            if body.discussion_id is not None:
                message = add_message(
                    session,
                    actor,
                    discussion_id=body.discussion_id,
                    project_id=project_id,
                    body=body.body or "",
                    received_files=files,
                )
                return render.message(message), "Reply added successfully"
            if not body.title:
                raise ValidationFailed.field("title", "is required to start a discussion")
            view = create_discussion(
                session, actor, project_id=project_id, title=body.title, body=body.body or "", received_files=files
            )
            return render.discussion(view), "Discussion created successfully"

        data, message_text = await run_unit(request, work, scope="projects:write")
    finally:
        if upload is not None:
            upload.discard()
    return ok(request, data, message_text, 201)


@router.get(
    "/files",
    operation_id="discussions.files",
    response_model=Page[out.File],
    openapi_extra={"parameters": parameters({})},
)
async def files(request: Request, uuid: str) -> Response:
    """Every file attached to the project's discussions and their replies."""
    args = list_args(
        request.query_params, filters={k: v for k, v in FILE_FILTERS.items() if k != "type"}, sortable=FILE_SORTS
    )

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        result = list_discussion_files(
            session,
            actor,
            project_id=_project_id(session, actor, uuid),
            page=args.request,
            sort=args.sort,
            tree=args.tree,
        )
        return [render.file(f) for f in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="projects:read")
    return ok(request, items, "Discussion files retrieved successfully", meta=meta)
