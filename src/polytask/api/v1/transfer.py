"""Export and import: GET /v1/projects/{id}/export, GET /v1/workspaces/{id}/export (the
versioned JSON document or a CSV of tasks, streamed a chunk at a time), POST
/v1/workspaces/{id}/imports (a file: our JSON export, CSV with a column mapping, a Trello
board, a Todoist CSV; `dry_run=true` reports without writing) and GET /v1/imports/{id} (the
background job's progress).

Exports: the request's unit of work checks access and reads the head and the first chunk
(every refusal is the usual JSON error, before a byte of the file); each further chunk is
read in a short read-only unit of its own on a worker thread (domain/transfer/export.py), so
memory holds one chunk whatever the size. Each chunk reads its own snapshot.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Literal, TypeVar

import anyio
from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response, StreamingResponse

from polytask.api.deps import SettingsDep, run_unit, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.uploads import Upload, accepts_upload, receive_upload
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, document, list_document
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import ImportId, ProjectId, WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, ImportDocument, ImportListDocument
from polytask.core.actor import Actor
from polytask.core.db import Database
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.files import content_disposition
from polytask.core.pagination import parse_sort
from polytask.domain.transfer import export, jobs
from polytask.domain.transfer.document import ExportDocument
from polytask.domain.transfer.parsers import FORMATS

router = unit_router(tags=["Export and import"], responses=ERROR_RESPONSES)
R = TypeVar("R")
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# A spreadsheet would run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_lines(rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _filename(name: str, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:80] or "export"
    return f"{stem}.{extension}"


def _attachment(body: AsyncIterator[bytes], *, media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        body, media_type=media_type, headers={"Content-Disposition": content_disposition(filename), **_NO_STORE}
    )


def _reader(request: Request, actor: Actor) -> Callable[..., Any]:
    """Run a read of the export in a short read-only unit of its own, on a worker thread."""
    db: Database = request.app.state.db

    async def read(work: Callable[..., R], *args: Any) -> R:
        def unit() -> R:
            with db.unit_of_work(readonly=True) as session:
                return work(session, actor, *args)

        return await anyio.to_thread.run_sync(unit)

    return read


def _json_export(
    request: Request, scope: export.ExportScope, actor: Actor, first: dict[str, Any] | None
) -> StreamingResponse:
    read = _reader(request, actor)

    async def body() -> AsyncIterator[bytes]:
        yield _dump(export.document_head(scope))[:-1] + b',"projects":['
        between = b""
        for n, project_id in enumerate(scope.project_ids):
            head = first if n == 0 and first is not None else None
            if head is None:
                try:
                    head = await read(export.project_head, project_id)
                except NotFound:
                    continue  # deleted (or no longer visible) since the export began
            yield between + _dump(head)[:-1] + b',"tasks":['
            between = b","
            after, sep = 0, b""
            while True:
                try:
                    chunk = await read(export.task_chunk, project_id, after)
                except NotFound:
                    chunk = []
                if not chunk:
                    break
                yield sep + b",".join(_dump(export.json_task(t)) for t in chunk)
                sep = b","
                after = chunk[-1]["_id"]
                if len(chunk) < export.CHUNK:
                    break
            yield b"]}"
        yield b"]}"

    return _attachment(body(), media_type="application/json", filename=_filename(scope.name, "json"))


def _csv_export(request: Request, scope: export.ExportScope, actor: Actor, head: dict[str, Any]) -> StreamingResponse:
    read = _reader(request, actor)
    sections = {s["ref"]: s["name"] for s in head["sections"]}
    project_id = scope.project_ids[0]

    async def body() -> AsyncIterator[bytes]:
        yield _csv_lines([export.CSV_COLUMNS])
        after = 0
        while True:
            try:
                chunk = await read(export.task_chunk, project_id, after)
            except NotFound:
                return
            if not chunk:
                return
            yield _csv_lines([[_cell(c) for c in export.csv_cells(t, sections)] for t in chunk])
            after = chunk[-1]["_id"]
            if len(chunk) < export.CHUNK:
                return

    return _attachment(body(), media_type="text/csv; charset=utf-8", filename=_filename(scope.name, "csv"))


_ATTACHMENT = {
    "Content-Disposition": {
        "description": "`attachment; filename=...`: a file to save.",
        "schema": {"type": "string"},
        "required": True,
    }
}
_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An attachment: the JSON document (format `polytask`, version 1) or a CSV of tasks.",
        "model": ExportDocument,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "headers": _ATTACHMENT,
    }
}


@router.get(
    "/projects/{project_id}/export",
    response_class=StreamingResponse,
    responses=_EXPORT_RESPONSES,
    operation_id="export_project",
)
async def export_project(
    request: Request,
    project_id: ProjectId,
    format: Literal["json", "csv"] = Query("json", description="`json`: the export document; `csv`: one row per task."),
) -> StreamingResponse:
    """Export a project: sections, tasks with subtasks, assignees (by email), labels, custom
    fields, dependencies, comments and saved views as JSON, or its tasks as CSV. Streamed."""
    reject_unknown(request.query_params, {"format"})

    def work(session: Session, actor: Actor) -> tuple[export.ExportScope, Actor, dict[str, Any]]:
        scope = export.project_scope(session, actor, project_id)
        return scope, actor, export.project_head(session, actor, project_id)

    scope, actor, head = await run_unit(request, work, scope="projects:read")
    if format == "csv":
        return _csv_export(request, scope, actor, head)
    return _json_export(request, scope, actor, head)


@router.get(
    "/workspaces/{workspace_id}/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The export document (format `polytask`, version 1), as an attachment.",
            "model": ExportDocument,
            "headers": _ATTACHMENT,
        }
    },
    operation_id="export_workspace",
)
async def export_workspace(
    request: Request,
    workspace_id: WorkspaceId,
    format: Literal["json"] = Query("json", description="`json`: the export document (every project)."),
) -> StreamingResponse:
    """Export every project of a workspace you are a member of as one JSON document. Streamed."""
    reject_unknown(request.query_params, {"format"})

    def work(session: Session, actor: Actor) -> tuple[export.ExportScope, Actor]:
        return export.workspace_scope(session, actor, workspace_id), actor

    scope, actor = await run_unit(request, work, scope="projects:read")
    return _json_export(request, scope, actor, None)


class ImportReport(BaseModel):
    """What an import would do (dry run): counts, warnings and per-row errors."""

    model_config = ConfigDict(extra="forbid")

    dry_run: Literal[True]
    format: str
    workspace_id: str
    valid: bool = Field(description="True when the file can be imported as it is.")
    counts: dict[str, int] = Field(description="projects, sections, tasks, subtasks, comments, labels")
    warnings: list[dict[str, Any]]
    errors: list[dict[str, Any]] = Field(description="`project`, `row` (of the file), `field`, `issue`.")


class ImportReportDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meta: ImportReport


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "format"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The file to import."},
                        "format": {"type": "string", "enum": list(FORMATS)},
                        "dry_run": {"type": "string", "enum": ["true", "false"], "default": "false"},
                        "mapping": {
                            "type": "string",
                            "description": 'CSV only: a JSON object, task field -> column ({"name": "Title"}).',
                        },
                        "options": {
                            "type": "string",
                            "description": "A JSON object: `project_name`; CSV: `delimiter`, `list_separator`.",
                        },
                    },
                }
            }
        },
    }
}


def _json_field(upload: Upload, name: str) -> dict[str, Any]:
    raw = upload.fields.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValidationFailed.field(name, "must be a JSON object") from None
    if not isinstance(value, dict):
        raise ValidationFailed.field(name, "must be a JSON object")
    return value


def _request(upload: Upload) -> jobs.ImportRequest:
    kind = upload.fields.get("format", "").strip()
    if not kind:
        raise ValidationFailed.field("format", f"is required: one of {', '.join(FORMATS)}")
    if kind not in FORMATS:
        raise ValidationFailed.field("format", f"must be one of {', '.join(FORMATS)}", kind)
    dry = upload.fields.get("dry_run", "false").strip().lower()
    if dry not in ("true", "false", "1", "0", ""):
        raise ValidationFailed.field("dry_run", "must be true or false", dry)
    mapping = _json_field(upload, "mapping")
    for key, value in mapping.items():
        if not isinstance(value, str):
            raise ValidationFailed.field(f"mapping.{key}", "must name a column (a string)")
    file = upload.file("file")
    return jobs.ImportRequest(
        format=kind,
        path=file.path,
        filename=file.filename,
        mapping=mapping,
        options=_json_field(upload, "options"),
        dry_run=dry in ("true", "1"),
    )


@router.post(
    "/workspaces/{workspace_id}/imports",
    status_code=202,
    response_model=ImportDocument,
    responses={
        200: {"model": ImportReportDocument, "description": "A dry run's report; nothing was written."},
        413: {"description": "The file is over the upload limit (PAYLOAD_TOO_LARGE)."},
    },
    openapi_extra=_UPLOAD_BODY,
    operation_id="create_import",
)
@accepts_upload
async def create_import(request: Request, workspace_id: WorkspaceId) -> Response:
    """Import a file into the workspace as new projects: `format` = `polytask` (our JSON
    export), `csv` (with `mapping`), `trello` (a board's JSON export) or `todoist` (its CSV
    template). 202 with the job (`GET /v1/imports/{id}` shows its progress); with
    `dry_run=true`, 200 with a report (counts, warnings, per-row errors) and nothing written."""
    reject_unknown(request.query_params, set())

    def allowed(session: Session, actor: Actor) -> None:
        jobs.may_import(session, actor, workspace_id)

    # The credential, scope and membership first: a wrong key is a 401, a foreign workspace a
    # 404, before the file is read.
    await run_unit(request, allowed, scope="projects:write", readonly=True)
    with await receive_upload(request, max_files=1) as upload:
        asked = _request(upload)

        def work(session: Session, actor: Actor) -> Any:
            return jobs.create_import(session, actor, workspace_id=workspace_id, request=asked)

        result = await run_unit(request, work, scope="projects:write", readonly=False)
    if isinstance(result, jobs.DryRun):
        report = result.report
        meta = {
            "dry_run": True,
            "format": result.format,
            "workspace_id": f"workspace_{result.workspace_id}",
            "valid": not report.errors,
            "counts": report.counts(),
            "warnings": report.warnings,
            "errors": report.errors,
        }
        return Response(_dump({"meta": meta}), media_type="application/vnd.api+json")
    return document(
        resources.import_job(result), status_code=202, headers={"Location": f"/v1/imports/import_{result.id}"}
    )


@router.get(
    "/workspaces/{workspace_id}/imports",
    response_model=ImportListDocument,
    openapi_extra=list_parameters(jobs.IMPORT_FIELDS_REGISTRY, path=("workspace_id",)),
)
@transactional("projects:read")
def list_imports(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """A workspace's import jobs, newest first; filter by `status`, `format`, `filename`, `created_by`."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST, forbidden={"workspace_id"})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = jobs.list_imports(
        session, actor, workspace_id=workspace_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    shp = shape(params, "import", {})
    return list_document(request, result, [resources.import_job(j) for j in result.items], shape=shp)


@router.get("/imports/{import_id}", response_model=ImportDocument)
@transactional("projects:read")
def get_import(request: Request, import_id: ImportId, session: Session, actor: Actor) -> JSONAPIResponse:
    """An import job: its status (queued, running, succeeded, failed), counts done/total, the
    projects it created and the errors of those that failed."""
    reject_unknown(request.query_params, set())
    return document(resources.import_job(jobs.get_import_for(session, actor, import_id)))


# These run their units themselves (a stream, an upload): their scopes, shown by create_app.
export_project.required_scope = "projects:read"  # type: ignore[attr-defined]
export_workspace.required_scope = "projects:read"  # type: ignore[attr-defined]
create_import.required_scope = "projects:write"  # type: ignore[attr-defined]
