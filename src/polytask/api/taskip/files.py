"""TaskIP's Task Files Management group: a project's task files, one task's files (upload,
list, delete), all of a project's files, and (an addition the document implies: files are
listed, so they can be fetched) a file's download."""

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
from polytask.api.taskip.transfer import download, json_object, one_file, received
from polytask.api.uploads import accepts_upload
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.files.service import attach_file, delete_file, list_files, open_file
from polytask.domain.projects.service import home_project

router = unit_router(prefix=f"{PREFIX}/project/{{uuid}}", tags=["TaskIP files"])

FILE_FILTERS = {"type": "kind", "content_type": "content_type", "name": "name"}
FILE_SORTS = {"name": "name", "size": "size", "created_at": "created_at", "id": "id"}
_DOCS = {"type": "task, project, discussion or document", "content_type": "A content type", "name": "A file name"}


def _project_id(session: Session, actor: Actor, ref: str) -> int:
    return home_project(session, actor, ref)[0]


async def _list(request: Request, uuid: str, *, task_id: int | None = None, kind: str | None = None) -> Response:
    args = list_args(request.query_params, filters=FILE_FILTERS, sortable=FILE_SORTS)
    if args.search is not None:
        raise ValidationFailed.field("search", "is not taken by this list; filter by `name`")

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        result = list_files(
            session,
            actor,
            project_id=_project_id(session, actor, uuid),
            task_id=task_id,
            kind=kind,
            page=args.request,
            sort=args.sort,
            tree=args.tree,
        )
        return [render.file(f) for f in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="tasks:read")
    return ok(request, items, "Files retrieved successfully", meta=meta)


# Before the task module's `/task/{id}`: `files` is no task id.
@router.get(
    "/task/files",
    operation_id="files.task_files",
    response_model=Page[out.File],
    openapi_extra={"parameters": parameters(_DOCS)},
)
async def task_files(request: Request, uuid: str) -> Response:
    """Every task's files in the project, newest first unless sorted."""
    return await _list(request, uuid, kind="task")


@router.get(
    "/task/{id}/files",
    operation_id="files.of_task",
    response_model=Page[out.File],
    openapi_extra={"parameters": parameters(_DOCS)},
)
async def files_of_task(request: Request, uuid: str, id: int) -> Response:
    """The task's files."""
    return await _list(request, uuid, task_id=id)


@router.post("/task/{id}/files", operation_id="files.upload", response_model=One[out.File], status_code=201)
@accepts_upload
async def upload(request: Request, uuid: str, id: int) -> Response:
    """Attach a file to the task: `multipart/form-data` with the file in a part named `file`
    (or the raw bytes as the body, named by `?filename=`). Over the upload limit: 413. The
    stored name is the server's; the type is read from the bytes."""
    with await received(request, scope="tasks:write") as sent:
        file = one_file(sent)

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            view = attach_file(session, actor, project_id=_project_id(session, actor, uuid), task_id=id, received=file)
            return render.file(view)

        data = await run_unit(request, work, scope="tasks:write")
    return ok(request, data, "File uploaded successfully", 201)


@router.delete("/task/{id}/files", operation_id="files.delete", status_code=204)
async def delete(request: Request, uuid: str, id: int) -> Response:
    """Delete one of the task's files: `?file_id=<id>` (or `{"file_id": id}` in the body)."""
    raw = request.query_params.get("file_id")
    if raw is None:
        raw = str((await json_object(request)).get("file_id", ""))
    if not raw or not raw.isdigit():
        raise ValidationFailed.field("file_id", "is required: the id of the file to delete", raw)
    file_id = int(raw)

    def work(session: Session, actor: Actor) -> None:
        delete_file(session, actor, file_id=file_id, project_id=_project_id(session, actor, uuid), task_id=id)

    await run_unit(request, work, scope="tasks:write")
    return no_content()


@router.get(
    "/files",
    operation_id="files.of_project",
    response_model=Page[out.File],
    openapi_extra={"parameters": parameters(_DOCS)},
)
async def project_files(request: Request, uuid: str) -> Response:
    """Every file of the project: its tasks', its discussions' and the documents linked to it."""
    return await _list(request, uuid)


@router.get(
    "/files/{id}/download",
    operation_id="files.download",
    responses={200: {"description": "The file's bytes", "content": {"application/octet-stream": {}}}},
)
async def download_file(request: Request, uuid: str, id: int) -> Response:
    """The file's bytes, streamed, with its type and name (an addition: the document lists
    files but names no way to fetch one)."""

    def work(session: Session, actor: Actor) -> Any:
        return open_file(session, actor, id, project_id=_project_id(session, actor, uuid))

    view, chunks = await run_unit(request, work, scope="tasks:read")
    return download(view, chunks)
