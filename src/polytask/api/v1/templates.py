"""Project templates: /v1/templates, /v1/templates/{id} (a project from one: POST /v1/projects
with `template_id`)."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, one, page_request, reject_unknown, shape
from polytask.api.v1.paths import TemplateId
from polytask.api.v1.schemas import ERROR_RESPONSES, TemplateDocument, TemplateListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.templates import service
from polytask.domain.templates.schemas import TemplateCreate, TemplateUpdate

router = unit_router(tags=["Templates"], responses=ERROR_RESPONSES)

EXAMPLE_FROM_PROJECT = {"name": "Client onboarding", "project_id": "project_1"}
EXAMPLE_WRITTEN: dict[str, Any] = {
    "name": "Sprint",
    "workspace_id": "workspace_1",
    "content": {
        "version": 1,
        "project": {"type": "board", "description": "Sprint for {{team}}"},
        "sections": [{"key": "todo", "name": "To do"}, {"key": "done", "name": "Done"}],
        "tasks": [
            {
                "name": "Plan the sprint",
                "section": "todo",
                "due_offset_minutes": 1020,
                "subtasks": [{"name": "Groom the backlog", "labels": ["planning"]}],
            }
        ],
    },
}
_CONTROLS = FILTERED_LIST | {"search"}


@router.get(
    "/templates",
    response_model=TemplateListDocument,
    openapi_extra=list_parameters(service.TEMPLATE_FIELDS_REGISTRY, search=True),
)
@transactional("projects:read")
def list_templates(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> Response:
    """The templates of your workspaces by name (without their content); filter by `workspace_id`,
    `name`, `task_count`, `source_project_id`; `search` matches words of the name."""
    params = request.query_params
    tree = filter_tree(params, reserved=_CONTROLS)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_templates(
        session, actor, page=page, sort=parse_sort(params.get("sort"), None), tree=tree, search=one(params, "search")
    )
    shp = shape(params, "template", {})
    return list_document(request, result, [resources.template(t, content=False) for t in result.items], shape=shp)


@router.post("/templates", response_model=TemplateDocument, status_code=201)
@transactional("projects:write")
def create_template(
    session: Session,
    actor: Actor,
    data: TemplateCreate = Body(examples=[EXAMPLE_FROM_PROJECT, EXAMPLE_WRITTEN]),
) -> JSONAPIResponse:
    """Make a template from a project (`project_id`: its sections, tasks and subtasks, labels,
    custom fields and values, saved views) or from a written `content` document."""
    template = service.create_template(session, actor, data=data)
    return created(resources.template(template), f"/v1/templates/template_{template.id}")


@router.get("/templates/{template_id}", response_model=TemplateDocument)
@transactional("projects:read")
def get_template(request: Request, template_id: TemplateId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Get one template with its content."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_template_for(session, actor, template_id)
    return document(resources.template(found), shape=shape(request.query_params, "template", {}))


@router.patch("/templates/{template_id}", response_model=TemplateDocument)
@router.put("/templates/{template_id}", response_model=TemplateDocument)
@transactional("projects:write")
def update_template(
    template_id: TemplateId,
    session: Session,
    actor: Actor,
    data: TemplateUpdate = Body(examples=[{"name": "Client onboarding v2", "description": "With the kickoff call"}]),
) -> JSONAPIResponse:
    """Rename or describe a template, or replace its whole `content`."""
    return document(resources.template(service.update_template(session, actor, template_id=template_id, data=data)))


@router.delete("/templates/{template_id}", status_code=204)
@transactional("projects:write")
def delete_template(template_id: TemplateId, session: Session, actor: Actor) -> Response:
    """Delete a template (projects made from it stay)."""
    service.delete_template(session, actor, template_id=template_id)
    return no_content()
