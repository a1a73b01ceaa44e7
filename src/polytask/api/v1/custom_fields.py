"""Custom fields: definitions under /v1/projects/{project_id}/custom-fields, values on tasks."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from polytask.api.deps import SettingsDep, transactional
from polytask.api.kernel.routes import unit_router
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, created, document, list_document, no_content
from polytask.api.v1.params import list_parameters, reject_unknown, shape, whole_list_query
from polytask.api.v1.paths import CustomFieldId, ProjectId, TaskId, WorkspaceId
from polytask.api.v1.schemas import ERROR_RESPONSES, CustomFieldDocument, CustomFieldListDocument, TaskDocument
from polytask.core.actor import Actor
from polytask.domain.fields import service
from polytask.domain.fields.queries import DEFINITION_REGISTRY
from polytask.domain.fields.schemas import FieldDefinitionCreate, FieldDefinitionUpdate
from polytask.domain.flows import fields as flows
from polytask.domain.tasks import service as tasks
from polytask.domain.tasks.schemas import TaskUpdate

router = unit_router(tags=["Custom fields"], responses=ERROR_RESPONSES)

# The developer API's example, verbatim.
EXAMPLE_CREATE = {
    "name": "Priority",
    "type": "dropdown",
    "options": ["Low", "Medium", "High", "Critical"],
    "required": False,
    "default_value": "Medium",
}
EXAMPLE_VALUES = {"priority": "High", "estimated_hours": 16, "tags": ["urgent", "backend"]}


def _location(project_id: int, field_id: int) -> str:
    return f"/v1/projects/project_{project_id}/custom-fields/field_{field_id}"


@router.get(
    "/projects/{project_id}/custom-fields",
    response_model=CustomFieldListDocument,
    openapi_extra=list_parameters(DEFINITION_REGISTRY),
)
@transactional("projects:read")
def list_custom_fields(
    request: Request, project_id: ProjectId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """The project's custom fields, its workspace's inherited ones included, by position; filter by
    `type`, `key`, `required`, ..."""
    q = whole_list_query(request.query_params, settings.max_page_size)
    shp = shape(request.query_params, "custom_field", {})
    result = service.list_fields(session, actor, project_id, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [resources.custom_field(f) for f in result.items], shape=shp)


@router.post("/projects/{project_id}/custom-fields", response_model=CustomFieldDocument, status_code=201)
@transactional("projects:write")
def create_custom_field(
    project_id: ProjectId,
    session: Session,
    actor: Actor,
    data: FieldDefinitionCreate = Body(examples=[EXAMPLE_CREATE]),
) -> JSONAPIResponse:
    """Define a field. `key` defaults to the name in snake_case ("Estimated Hours" -> `estimated_hours`).

    Types: text, long_text, number, currency, percent, dropdown, multi_select, tags, date,
    datetime, checkbox, url, email, phone, user, rating, duration."""
    defn = service.create_field(session, actor, project_id=project_id, data=data)
    return created(resources.custom_field(defn), _location(project_id, defn.id))


@router.get("/projects/{project_id}/custom-fields/{field_id}", response_model=CustomFieldDocument)
@transactional("projects:read")
def get_custom_field(
    request: Request, project_id: ProjectId, field_id: CustomFieldId, session: Session, actor: Actor
) -> JSONAPIResponse:
    """Get one field definition."""
    reject_unknown(request.query_params, {"fields"})
    _project, defn = service.get_field_for(session, actor, project_id, field_id)
    return document(resources.custom_field(defn), shape=shape(request.query_params, "custom_field", {}))


@router.put("/projects/{project_id}/custom-fields/{field_id}", response_model=CustomFieldDocument)
@router.patch("/projects/{project_id}/custom-fields/{field_id}", response_model=CustomFieldDocument)
@transactional("projects:write")
def update_custom_field(
    project_id: ProjectId,
    field_id: CustomFieldId,
    session: Session,
    actor: Actor,
    data: FieldDefinitionUpdate = Body(
        examples=[{"name": "Urgency", "options": ["Low", "High", "Critical"], "migrate_options": {"Medium": "Low"}}]
    ),
) -> JSONAPIResponse:
    """Change a field. Renaming keeps the key and the values. New `options` must fit every
    value in use, or `migrate_options` maps old options to new ones (null clears them)."""
    defn = flows.update_field(session, actor, project_id=project_id, field_id=field_id, data=data)
    return document(resources.custom_field(defn))


@router.delete("/projects/{project_id}/custom-fields/{field_id}", status_code=204)
@transactional("projects:write")
def delete_custom_field(project_id: ProjectId, field_id: CustomFieldId, session: Session, actor: Actor) -> Response:
    """Delete a field and remove its values from the project's tasks."""
    flows.delete_field(session, actor, project_id=project_id, field_id=field_id)
    return no_content()


@router.put("/tasks/{task_id}/custom-fields", response_model=TaskDocument)
@router.patch("/tasks/{task_id}/custom-fields", response_model=TaskDocument)
@transactional("tasks:write")
def set_task_custom_fields(
    task_id: TaskId,
    session: Session,
    actor: Actor,
    values: dict[str, Any] = Body(examples=[EXAMPLE_VALUES]),
) -> JSONAPIResponse:
    """Set custom field values by key (null removes one); other keys keep their values.
    Defined fields are checked against their type; undefined keys are stored as given."""
    view = tasks.update_task(session, actor, task_id=task_id, data=TaskUpdate(custom_fields=values))
    return document(resources.task(view))


def _workspace_location(workspace_id: int, field_id: int) -> str:
    return f"/v1/workspaces/workspace_{workspace_id}/custom-fields/field_{field_id}"


@router.get(
    "/workspaces/{workspace_id}/custom-fields",
    response_model=CustomFieldListDocument,
    openapi_extra=list_parameters(DEFINITION_REGISTRY),
)
@transactional("workspaces:read")
def list_workspace_custom_fields(
    request: Request, workspace_id: WorkspaceId, session: Session, actor: Actor, settings: SettingsDep
) -> Response:
    """The workspace's own custom fields, which every project of it inherits, by position."""
    q = whole_list_query(request.query_params, settings.max_page_size)
    shp = shape(request.query_params, "custom_field", {})
    result = service.list_workspace_fields(session, actor, workspace_id, page=q.page, sort=q.sort, tree=q.tree)
    return list_document(request, result, [resources.custom_field(f) for f in result.items], shape=shp)


@router.post("/workspaces/{workspace_id}/custom-fields", response_model=CustomFieldDocument, status_code=201)
@transactional("workspaces:write")
def create_workspace_custom_field(
    workspace_id: WorkspaceId,
    session: Session,
    actor: Actor,
    data: FieldDefinitionCreate = Body(examples=[{"name": "Customer ID", "type": "text"}]),
) -> JSONAPIResponse:
    """Define a field for every project of the workspace (owners and admins). Its key must not
    be in use by the workspace or any of its projects."""
    defn = service.create_workspace_field(session, actor, workspace_id=workspace_id, data=data)
    return created(resources.custom_field(defn), _workspace_location(workspace_id, defn.id))


@router.get("/workspaces/{workspace_id}/custom-fields/{workspace_field_id}", response_model=CustomFieldDocument)
@transactional("workspaces:read")
def get_workspace_custom_field(
    request: Request, workspace_id: WorkspaceId, workspace_field_id: CustomFieldId, session: Session, actor: Actor
) -> JSONAPIResponse:
    """Get one workspace field."""
    reject_unknown(request.query_params, {"fields"})
    defn = service.get_workspace_field_for(session, actor, workspace_id, workspace_field_id)
    return document(resources.custom_field(defn), shape=shape(request.query_params, "custom_field", {}))


@router.put("/workspaces/{workspace_id}/custom-fields/{workspace_field_id}", response_model=CustomFieldDocument)
@router.patch("/workspaces/{workspace_id}/custom-fields/{workspace_field_id}", response_model=CustomFieldDocument)
@transactional("workspaces:write")
def update_workspace_custom_field(
    workspace_id: WorkspaceId,
    workspace_field_id: CustomFieldId,
    session: Session,
    actor: Actor,
    data: FieldDefinitionUpdate = Body(examples=[{"name": "CRM customer id", "required": True}]),
) -> JSONAPIResponse:
    """Change a workspace field; the rules are those of project fields, across all its projects."""
    defn = flows.update_workspace_field(
        session, actor, workspace_id=workspace_id, field_id=workspace_field_id, data=data
    )
    return document(resources.custom_field(defn))


@router.delete("/workspaces/{workspace_id}/custom-fields/{workspace_field_id}", status_code=204)
@transactional("workspaces:write")
def delete_workspace_custom_field(
    workspace_id: WorkspaceId, workspace_field_id: CustomFieldId, session: Session, actor: Actor
) -> Response:
    """Delete a workspace field and its values in every project."""
    flows.delete_workspace_field(session, actor, workspace_id=workspace_id, field_id=workspace_field_id)
    return no_content()
