"""Comments on a task: /v1/tasks/{task_id}/comments."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import CommentId, TaskId
from polytask.api.v1.schemas import ERROR_RESPONSES, CommentDocument, CommentListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.tasks import comments as service
from polytask.domain.tasks.schemas import CommentCreate, CommentUpdate

router = unit_router(tags=["Comments"], responses=ERROR_RESPONSES)


@router.get(
    "/tasks/{task_id}/comments",
    response_model=CommentListDocument,
    openapi_extra=list_parameters(service.COMMENT_FIELDS),
)
@transactional("tasks:read")
def list_comments(request: Request, task_id: TaskId, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """Comments on a task, oldest first; filter by `author_id`, `created_at`, `body[icontains]`, ..."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST)
    shp = shape(params, "comment", {})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    sort = parse_sort(params.get("sort"), None)
    result = service.list_comments(session, actor, task_id=task_id, page=page, sort=sort, tree=tree)
    return list_document(request, result, [resources.comment(c) for c in result.items], shape=shp)


@router.post("/tasks/{task_id}/comments", response_model=CommentDocument, status_code=201)
@transactional("tasks:write")
def add_comment(
    task_id: TaskId,
    session: Session,
    actor: Actor,
    data: CommentCreate = Body(examples=[{"body": "Looks good to me"}]),
) -> JSONAPIResponse:
    """Comment on a task (any member, viewers included)."""
    comment = service.add_comment(session, actor, task_id=task_id, data=data)
    return created(resources.comment(comment), f"/v1/tasks/task_{task_id}/comments/comment_{comment.id}")


@router.get("/tasks/{task_id}/comments/{comment_id}", response_model=CommentDocument)
@transactional("tasks:read")
def get_comment(
    request: Request, task_id: TaskId, comment_id: CommentId, session: Session, actor: Actor
) -> JSONAPIResponse:
    """Get one comment."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_comment_for(session, actor, task_id=task_id, comment_id=comment_id)
    return document(resources.comment(found), shape=shape(request.query_params, "comment", {}))


@router.put("/tasks/{task_id}/comments/{comment_id}", response_model=CommentDocument)
@router.patch("/tasks/{task_id}/comments/{comment_id}", response_model=CommentDocument)
@transactional("tasks:write")
def update_comment(
    task_id: TaskId,
    comment_id: CommentId,
    session: Session,
    actor: Actor,
    data: CommentUpdate = Body(examples=[{"body": "Looks good to me, ship it"}]),
) -> JSONAPIResponse:
    """Edit a comment (its author, or a workspace owner or admin)."""
    comment = service.update_comment(session, actor, task_id=task_id, comment_id=comment_id, data=data)
    return document(resources.comment(comment))


@router.delete("/tasks/{task_id}/comments/{comment_id}", status_code=204)
@transactional("tasks:write")
def delete_comment(task_id: TaskId, comment_id: CommentId, session: Session, actor: Actor) -> Response:
    """Delete a comment (its author, or a workspace owner or admin)."""
    service.delete_comment(session, actor, task_id=task_id, comment_id=comment_id)
    return no_content()
