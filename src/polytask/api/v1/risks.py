"""Risks on projects: /v1/projects/{id}/risks, /v1/risks/{id}."""

from __future__ import annotations

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import FILTERED_LIST, filter_tree, list_parameters, page_request, reject_unknown, shape
from polytask.api.v1.paths import ProjectId, RiskId
from polytask.api.v1.schemas import ERROR_RESPONSES, RiskDocument, RiskListDocument
from polytask.core.actor import Actor
from polytask.core.pagination import parse_sort
from polytask.domain.risks import service
from polytask.domain.risks.schemas import RiskCreate, RiskUpdate

router = unit_router(tags=["Risks"], responses=ERROR_RESPONSES)

EXAMPLE_CREATE = {
    "title": "Technical Complexity Risk",
    "description": "High technical complexity may lead to delays",
    "severity": "high",
    "probability": "medium",
    "impact": "schedule",
    "mitigation_plan": "Engage senior developers and provide additional training",
}
EXAMPLE_UPDATE = {
    "status": "mitigated",
    "actual_impact": "minimal",
    "resolution_notes": "Risk successfully managed through proactive measures",
}


@router.get(
    "/projects/{project_id}/risks",
    response_model=RiskListDocument,
    openapi_extra=list_parameters(service.RISK_FIELDS_REGISTRY, path=("project_id",)),
)
@transactional("projects:read")
def list_risks(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """A project's risks; filter by `status`, `severity`, `probability` (ordered: `severity[gte]=high`), `owner_id`."""
    params = request.query_params
    tree = filter_tree(params, reserved=FILTERED_LIST, forbidden={"project_id"})
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_risks(
        session, actor, project_id=project_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    shp = shape(params, "risk", {})
    return list_document(request, result, [resources.risk(r) for r in result.items], shape=shp)


@router.post("/projects/{project_id}/risks", response_model=RiskDocument, status_code=201)
@transactional("projects:write")
def create_risk(
    project_id: ProjectId, session: Session, actor: Actor, data: RiskCreate = Body(examples=[EXAMPLE_CREATE])
) -> JSONAPIResponse:
    """Raise a risk on a project."""
    risk = service.create_risk(session, actor, project_id=project_id, data=data)
    return created(resources.risk(risk), f"/v1/risks/risk_{risk.id}")


@router.get("/risks/{risk_id}", response_model=RiskDocument)
@transactional("projects:read")
def get_risk(request: Request, risk_id: RiskId, session: Session, actor: Actor) -> JSONAPIResponse:
    """Get one risk."""
    reject_unknown(request.query_params, {"fields"})
    found = service.get_risk_for(session, actor, risk_id)
    return document(resources.risk(found), shape=shape(request.query_params, "risk", {}))


@router.patch("/risks/{risk_id}", response_model=RiskDocument)
@router.put("/risks/{risk_id}", response_model=RiskDocument)
@transactional("projects:write")
def update_risk(
    risk_id: RiskId, session: Session, actor: Actor, data: RiskUpdate = Body(examples=[EXAMPLE_UPDATE])
) -> JSONAPIResponse:
    """Reassess a risk or move it through its lifecycle (active, mitigated, closed, occurred)."""
    return document(resources.risk(service.update_risk(session, actor, risk_id=risk_id, data=data)))


@router.delete("/risks/{risk_id}", status_code=204)
@transactional("projects:write")
def delete_risk(risk_id: RiskId, session: Session, actor: Actor) -> Response:
    """Delete a risk (its creator, or a workspace owner or admin)."""
    service.delete_risk(session, actor, risk_id=risk_id)
    return no_content()
