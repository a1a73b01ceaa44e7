"""Board columns of a project: /v1/projects/{project_id}/sections."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from polytask.api.deps import ActorDep, SessionDep
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, no_content
from polytask.api.v1.paths import ProjectId, SectionId
from polytask.api.v1.schemas import ERROR_RESPONSES, SectionDocument, SectionListDocument
from polytask.domain.projects import service
from polytask.domain.projects.schemas import SectionCreate, SectionUpdate

router = APIRouter(tags=["Sections"], responses=ERROR_RESPONSES)


@router.get("/projects/{project_id}/sections", response_model=SectionListDocument)
def list_sections(project_id: ProjectId, session: SessionDep, actor: ActorDep) -> JSONAPIResponse:
    """A project's sections in board order (not paged: a board has few columns)."""
    sections = service.list_sections(session, actor, project_id=project_id)
    size = max(len(sections), 1)
    here = f"/v1/projects/project_{project_id}/sections"
    body = {
        "data": [resources.section(s) for s in sections],
        "meta": {"total": len(sections), "limit": size, "offset": 0, "page": 1, "per_page": size},
        "links": {"self": here, "first": here},
    }
    return JSONAPIResponse(body)


@router.post("/projects/{project_id}/sections", response_model=SectionDocument, status_code=201)
def create_section(project_id: ProjectId, data: SectionCreate, session: SessionDep, actor: ActorDep) -> JSONAPIResponse:
    """Add a section; without `position` it goes last."""
    section = service.create_section(session, actor, project_id=project_id, data=data)
    return created(resources.section(section), f"/v1/projects/project_{project_id}/sections/section_{section.id}")


@router.get("/projects/{project_id}/sections/{section_id}", response_model=SectionDocument)
def get_section(project_id: ProjectId, section_id: SectionId, session: SessionDep, actor: ActorDep) -> JSONAPIResponse:
    """Get one section."""
    return document(
        resources.section(service.get_section_for(session, actor, project_id=project_id, section_id=section_id))
    )


@router.put("/projects/{project_id}/sections/{section_id}", response_model=SectionDocument)
@router.patch("/projects/{project_id}/sections/{section_id}", response_model=SectionDocument)
def update_section(
    project_id: ProjectId, section_id: SectionId, data: SectionUpdate, session: SessionDep, actor: ActorDep
) -> JSONAPIResponse:
    """Rename or move a section."""
    section = service.update_section(session, actor, project_id=project_id, section_id=section_id, data=data)
    return document(resources.section(section))


@router.delete("/projects/{project_id}/sections/{section_id}", status_code=204)
def delete_section(project_id: ProjectId, section_id: SectionId, session: SessionDep, actor: ActorDep) -> Response:
    """Delete a section; its tasks stay in the project, without a section."""
    service.delete_section(session, actor, project_id=project_id, section_id=section_id)
    return no_content()
