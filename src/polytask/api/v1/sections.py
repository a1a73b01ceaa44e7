"""Board columns of a project: /v1/projects/{project_id}/sections."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import PAGING, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import ProjectId, SectionId
from polytask.api.v1.schemas import ERROR_RESPONSES, SectionDocument, SectionListDocument
from polytask.core.actor import Actor
from polytask.domain.projects import service
from polytask.domain.projects.schemas import SectionCreate, SectionUpdate

router = unit_router(tags=["Sections"], responses=ERROR_RESPONSES)


@router.get("/projects/{project_id}/sections", response_model=SectionListDocument, openapi_extra=list_parameters())
@transactional("projects:read")
def list_sections(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """A project's sections in board order."""
    reject_unknown(request.query_params, PAGING | {"fields"})
    page = page_request(request.query_params, default=settings.max_page_size, maximum=settings.max_page_size)
    result = service.list_sections_page(session, actor, project_id=project_id, page=page)
    shp = shape(request.query_params, "section", {})
    return list_document(request, result, [resources.section(s) for s in result.items], shape=shp)


@router.post("/projects/{project_id}/sections", response_model=SectionDocument, status_code=201)
@transactional("projects:write")
def create_section(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    data: SectionCreate = Body(examples=[{"name": "In Review"}]),
) -> JSONAPIResponse:
    """Add a section; without `position` it goes last."""
    section = service.create_section(session, actor, project_id=project_id, data=data)
    return created(resources.section(section), f"/v1/projects/project_{project_id}/sections/section_{section.id}")


@router.get("/projects/{project_id}/sections/{section_id}", response_model=SectionDocument)
@transactional("projects:read")
def get_section(
    request: Request, project_id: ProjectId, section_id: SectionId, session: Session, actor: Actor
) -> JSONAPIResponse:
    """Get one section."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_section_for(session, actor, project_id=project_id, section_id=section_id)
    return document(resources.section(found), shape=shape(request.query_params, "section", {}))


@router.put("/projects/{project_id}/sections/{section_id}", response_model=SectionDocument)
@router.patch("/projects/{project_id}/sections/{section_id}", response_model=SectionDocument)
@transactional("projects:write")
def update_section(
    project_id: ProjectId,
    section_id: SectionId,
    session: Session,
    actor: Actor,
    data: SectionUpdate = Body(examples=[{"name": "Ready for review", "position": 2048}]),
) -> JSONAPIResponse:
    """Rename or move a section."""
    section = service.update_section(session, actor, project_id=project_id, section_id=section_id, data=data)
    return document(resources.section(section))


@router.delete("/projects/{project_id}/sections/{section_id}", status_code=204)
@transactional("projects:write")
def delete_section(project_id: ProjectId, section_id: SectionId, session: Session, actor: Actor) -> Response:
    """Delete a section; its tasks stay in the project, without a section."""
    service.delete_section(session, actor, project_id=project_id, section_id=section_id)
    return no_content()
