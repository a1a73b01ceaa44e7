"""/v1/automations: a trigger, conditions and ordered actions, run by the worker
(docs/compat/native.md, "Automations")."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.kernel.units import run_anonymous
from polytask.api.v1 import outputs, resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import PAGING, filter_tree, list_parameters, page_request
from polytask.api.v1.passwords import NO_CREDENTIALS
from polytask.api.v1.paths import AutomationId, ProjectId, WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, documents
from polytask.core.actor import Actor
from polytask.core.ids import WorkspaceRef
from polytask.core.pagination import parse_sort
from polytask.core.settings import Settings
from polytask.domain.automations import history, service
from polytask.domain.automations.schemas import AutomationCreate, AutomationTest, AutomationUpdate

router = unit_router(tags=["Automations"], responses=ERROR_RESPONSES)

_, AutomationDocument, AutomationListDocument = documents(outputs.AUTOMATION)
_, RunDocument, RunListDocument = documents(outputs.AUTOMATION_RUN)
_, TestDocument, _TestList = documents(outputs.AUTOMATION_TEST)

_LIST = PAGING | {"sort", "filter"}


class WorkspaceAutomationCreate(AutomationCreate):
    workspace_id: WorkspaceRef | None = Field(
        default=None, description="Default: the credential's workspace, else your default workspace."
    )


EXAMPLE_CREATE: dict[str, Any] = {
    "name": "Triage urgent work",
    "trigger": {"kind": "event", "event": "task.created"},
    "conditions": "priority = high",
    "actions": [
        {"type": "add_label", "label": "urgent"},
        {"type": "add_comment", "body": "Picked up by triage."},
    ],
}
EXAMPLE_UPDATE: dict[str, Any] = {"enabled": False}


def _limits(settings: Settings) -> service.Limits:
    return service.Limits(settings.automation_max_per_workspace, settings.automation_max_actions)


def _list(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Settings,
    *,
    workspace_id: int | None = None,
    project_id: int | None = None,
) -> JSONAPIResponse:
    params = request.query_params
    tree = filter_tree(params, reserved=_LIST)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = service.list_automations(
        session,
        actor,
        workspace_id=workspace_id,
        project_id=project_id,
        page=page,
        sort=parse_sort(params.get("sort"), None),
        tree=tree,
    )
    return list_document(request, result, [resources.automation(a) for a in result.items])


def _created(issued: service.Issued) -> JSONAPIResponse:
    a = issued.automation
    return created(resources.automation(a, issued.hook_token), f"/v1/automations/automation_{a.id}")


@router.get(
    "/automations",
    response_model=AutomationListDocument,
    openapi_extra=list_parameters(service.AUTOMATION_FIELDS_REGISTRY),
)
@transactional("automations:read")
def list_automations(request: Request, session: Session, actor: Actor, settings: SettingsDep) -> JSONAPIResponse:
    """Automations of the workspaces you own or administer; filter by `enabled`, `trigger_kind`,
    `event`, `project_id`."""
    return _list(request, session, actor, settings)


@router.post("/automations", response_model=AutomationDocument, status_code=201)
@transactional("automations:write")
def create_automation(
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: WorkspaceAutomationCreate = Body(examples=[EXAMPLE_CREATE]),
) -> JSONAPIResponse:
    """Create an automation (owners and admins of the workspace); its actions run as you.
    An incoming-URL trigger answers with its `hook_url`, once."""
    issued = service.create_automation(
        session,
        actor,
        workspace_id=data.workspace_id,
        project_id=None,
        data=data,
        limits=_limits(settings),
        default_workspace=True,
    )
    return _created(issued)


@router.get(
    "/workspaces/{workspace_id}/automations",
    response_model=AutomationListDocument,
    openapi_extra=list_parameters(service.AUTOMATION_FIELDS_REGISTRY),
)
@transactional("automations:read")
def list_workspace_automations(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """A workspace's automations (its own and its projects')."""
    return _list(request, session, actor, settings, workspace_id=workspace_id)


@router.post("/workspaces/{workspace_id}/automations", response_model=AutomationDocument, status_code=201)
@transactional("automations:write")
def create_workspace_automation(
    workspace_id: WorkspaceId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: AutomationCreate = Body(examples=[EXAMPLE_CREATE]),
) -> JSONAPIResponse:
    """Create an automation in this workspace (owners and admins)."""
    issued = service.create_automation(
        session, actor, workspace_id=workspace_id, project_id=None, data=data, limits=_limits(settings)
    )
    return _created(issued)


@router.get(
    "/projects/{project_id}/automations",
    response_model=AutomationListDocument,
    openapi_extra=list_parameters(service.AUTOMATION_FIELDS_REGISTRY, path=("project_id",)),
)
@transactional("automations:read")
def list_project_automations(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """A project's automations."""
    return _list(request, session, actor, settings, project_id=project_id)


@router.post("/projects/{project_id}/automations", response_model=AutomationDocument, status_code=201)
@transactional("automations:write")
def create_project_automation(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: AutomationCreate = Body(examples=[EXAMPLE_CREATE]),
) -> JSONAPIResponse:
    """Create an automation for this project's events (owners and admins of its workspace)."""
    issued = service.create_automation(
        session, actor, workspace_id=None, project_id=project_id, data=data, limits=_limits(settings)
    )
    return _created(issued)


@router.get("/automations/{automation_id}", response_model=AutomationDocument)
@transactional("automations:read")
def get_automation(automation_id: AutomationId, session: Session, actor: Actor) -> JSONAPIResponse:
    """One automation (never its incoming URL's token)."""
    return document(resources.automation(service.get_automation_for(session, actor, automation_id)))


@router.patch("/automations/{automation_id}", response_model=AutomationDocument)
@router.put("/automations/{automation_id}", response_model=AutomationDocument)
@transactional("automations:write")
def update_automation(
    automation_id: AutomationId,
    session: Session,
    actor: Actor,
    settings: SettingsDep,
    data: AutomationUpdate = Body(examples=[EXAMPLE_UPDATE]),
) -> JSONAPIResponse:
    """Change the given fields (PUT and PATCH alike); `enabled` switches it on or off."""
    issued = service.update_automation(session, actor, automation_id=automation_id, data=data, limits=_limits(settings))
    return document(resources.automation(issued.automation, issued.hook_token))


@router.delete("/automations/{automation_id}", status_code=204)
@transactional("automations:write")
def delete_automation(automation_id: AutomationId, session: Session, actor: Actor) -> Response:
    """Delete an automation with its run history."""
    service.delete_automation(session, actor, automation_id=automation_id)
    return no_content()


@router.post("/automations/{automation_id}/enable", response_model=AutomationDocument)
@transactional("automations:write")
def enable_automation(
    automation_id: AutomationId, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """Switch an automation on (the same as PATCH `{"enabled": true}`)."""
    issued = service.update_automation(
        session, actor, automation_id=automation_id, data=AutomationUpdate(enabled=True), limits=_limits(settings)
    )
    return document(resources.automation(issued.automation))


@router.post("/automations/{automation_id}/disable", response_model=AutomationDocument)
@transactional("automations:write")
def disable_automation(
    automation_id: AutomationId, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """Switch an automation off (the same as PATCH `{"enabled": false}`); pending runs are skipped."""
    issued = service.update_automation(
        session, actor, automation_id=automation_id, data=AutomationUpdate(enabled=False), limits=_limits(settings)
    )
    return document(resources.automation(issued.automation))


@router.get(
    "/automations/{automation_id}/runs",
    response_model=RunListDocument,
    openapi_extra=list_parameters(history.RUN_FIELDS_REGISTRY),
)
@transactional("automations:read")
def list_runs(
    request: Request, automation_id: AutomationId, session: Session, actor: Actor, settings: SettingsDep
) -> JSONAPIResponse:
    """The automation's runs, newest first: trigger, actions done, error, attempts and timings;
    filter by `status`, `trigger_kind`, `event`."""
    params = request.query_params
    tree = filter_tree(params, reserved=_LIST)
    page = page_request(params, default=settings.default_page_size, maximum=settings.max_page_size)
    result = history.list_runs(
        session, actor, automation_id=automation_id, page=page, sort=parse_sort(params.get("sort"), None), tree=tree
    )
    return list_document(request, result, [resources.automation_run(r) for r in result.items])


@router.post("/automations/{automation_id}/test", response_model=TestDocument)
@transactional("automations:write")
def try_automation(
    automation_id: AutomationId,
    session: Session,
    actor: Actor,
    data: AutomationTest = Body(examples=[{}, {"event_id": "event_42"}]),
) -> JSONAPIResponse:
    """Evaluate the trigger and conditions against an event (`event`, `event_id`, or else the
    workspace's most recent matching event) and list the actions a run would do. Changes nothing."""
    evaluation = history.evaluate_automation(session, actor, automation_id=automation_id, data=data)
    return document(resources.automation_test(automation_id, evaluation))


class HookAccepted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: dict[str, str] = Field(description="`{id, type}` of the queued run.")


@router.post(
    "/automations/hooks/{token}",
    status_code=202,
    response_model=HookAccepted,
    responses={k: v for k, v in ERROR_RESPONSES.items() if k in (404, 413, 422, 429)},
    openapi_extra=NO_CREDENTIALS,
)
async def trigger_hook(
    request: Request,
    token: str,
    payload: dict[str, Any] | None = Body(default=None, examples=[{"order": "A-1042", "status": "paid"}]),
) -> Response:
    """An automation's incoming URL: no credentials, the token is the secret. The JSON body
    (an object, or none) becomes the run's payload; the run is queued (202)."""

    def work(session: Session) -> int:
        return service.fire_hook(session, token, payload or {})

    run_id = await run_anonymous(request, work)
    return JSONAPIResponse({"data": {"id": f"automation_run_{run_id}", "type": "automation_run"}}, status_code=202)
