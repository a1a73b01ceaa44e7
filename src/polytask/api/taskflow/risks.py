"""GET/POST /api/projects/{project_id}/risks, GET/PUT/DELETE /api/risks/{id}: the risks of the
projects of the caller's home workspace (the same rows /v1 shows)."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import run_unit
from polytask.api.kernel.routes import unit_router
from polytask.api.taskflow.errors import success_response
from polytask.api.taskflow.paging import PageNumber, PerPage, page_request, pagination
from polytask.api.taskflow.paths import PREFIX
from polytask.api.taskflow.policy import allow
from polytask.api.taskflow.schemas import error
from polytask.api.taskflow.shapes import Deleted, RiskIn, RiskList, RiskOne, RiskUpdateIn
from polytask.core.actor import Actor
from polytask.core.clock import isoformat
from polytask.core.errors import NotFound
from polytask.domain.projects.service import get_project_for
from polytask.domain.risks.schemas import RiskCreate, RiskUpdate
from polytask.domain.risks.service import create_risk, delete_risk, get_risk_for, list_risks, update_risk
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=PREFIX, tags=["TaskFlow risks"])

_404_PROJECT = error("No such project in your workspace (NOT_FOUND)")
_404_RISK = error("No such risk in your workspace (NOT_FOUND)")
_CREATE_EXAMPLE = {
    "title": "Technical Complexity Risk",
    "description": "High technical complexity may lead to delays",
    "severity": "high",
    "probability": "medium",
    "impact": "schedule",
    "mitigation_plan": "Engage senior developers and provide additional training",
}
_UPDATE_EXAMPLE = {
    "status": "mitigated",
    "actual_impact": "minimal",
    "resolution_notes": "Risk successfully managed through proactive measures",
}
_FIELDS = ("title", "description", "severity", "probability", "impact", "mitigation_plan", "status")


def risk_payload(risk: Any) -> dict[str, Any]:
    return {
        "id": risk.id,
        "project_id": risk.project_id,
        **{field: getattr(risk, field) for field in _FIELDS},
        "actual_impact": risk.actual_impact,
        "resolution_notes": risk.resolution_notes,
        "created_at": isoformat(risk.created_at),
        "updated_at": isoformat(risk.updated_at),
    }


def _home_project(session: Session, actor: Actor, project_id: int) -> int:
    """The project's id when it is in the caller's home workspace, else NotFound."""
    return get_project_for(session, actor, project_id, workspace_id=home_workspace_id(session, actor)).id


def _home_risk(session: Session, actor: Actor, risk_id: int) -> Any:
    """The risk when its project is in the caller's home workspace, else NotFound."""
    risk = get_risk_for(session, actor, risk_id)
    if risk.workspace_id != home_workspace_id(session, actor):
        raise NotFound.of("risk", risk_id)
    return risk


@router.get(
    "/projects/{project_id}/risks", operation_id="risks.list", response_model=RiskList, responses={404: _404_PROJECT}
)
async def list_all(request: Request, project_id: int, page: PageNumber = 1, per_page: PerPage = 10) -> Response:
    """The project's risks, oldest first."""

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        allow(actor, "risks.list")
        result = list_risks(
            session, actor, project_id=_home_project(session, actor, project_id), page=page_request(page, per_page)
        )
        return [risk_payload(r) for r in result.items], pagination(result, page, per_page)

    items, paging = await run_unit(request, work, scope="projects:read")
    return success_response(request, "Risks retrieved", {"risks": items}, pagination=paging)


@router.post(
    "/projects/{project_id}/risks",
    operation_id="risks.create",
    status_code=201,
    response_model=RiskOne,
    responses={201: {"description": "Created"}, 404: _404_PROJECT},
)
async def create(request: Request, project_id: int, body: RiskIn = Body(examples=[_CREATE_EXAMPLE])) -> Response:
    """Raise a risk on the project (status `active`; you own it)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "risks.create")
        pid = _home_project(session, actor, project_id)
        risk = create_risk(session, actor, project_id=pid, data=RiskCreate.model_validate(body.model_dump()))
        return risk_payload(risk)

    risk = await run_unit(request, work, scope="projects:write")
    return success_response(request, "Risk created successfully", {"risk": risk}, 201)


@router.get("/risks/{id}", operation_id="risks.show", response_model=RiskOne, responses={404: _404_RISK})
async def show(request: Request, id: int) -> Response:
    """One risk (an addition to the doc)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "risks.show")
        return risk_payload(_home_risk(session, actor, id))

    risk = await run_unit(request, work, scope="projects:read")
    return success_response(request, "Risk retrieved", {"risk": risk})


@router.put("/risks/{id}", operation_id="risks.update", response_model=RiskOne, responses={404: _404_RISK})
async def update(request: Request, id: int, body: RiskUpdateIn = Body(examples=[_UPDATE_EXAMPLE])) -> Response:
    """Change the fields given (a partial update): reassess it, or record how it ended."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        allow(actor, "risks.update")
        _home_risk(session, actor, id)
        changes = {field: getattr(body, field) for field in body.model_fields_set}
        risk = update_risk(session, actor, risk_id=id, data=RiskUpdate.model_validate(changes))
        return risk_payload(risk)

    risk = await run_unit(request, work, scope="projects:write")
    return success_response(request, "Risk updated successfully", {"risk": risk})


@router.delete("/risks/{id}", operation_id="risks.delete", response_model=Deleted, responses={404: _404_RISK})
async def delete(request: Request, id: int) -> Response:
    """Delete the risk (an addition to the doc): its creator or a workspace owner/admin."""

    def work(session: Session, actor: Actor) -> None:
        allow(actor, "risks.delete")
        _home_risk(session, actor, id)
        delete_risk(session, actor, risk_id=id)

    await run_unit(request, work, scope="projects:write")
    return success_response(request, "Risk deleted successfully", {})
