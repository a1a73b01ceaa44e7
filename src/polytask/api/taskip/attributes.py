"""TaskIP's Project Attributes group: the workspace's vocabularies of project tags and
categories (create, rename, delete), and bulk changes of which projects carry them."""

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
from polytask.api.taskip.projects import projects_data
from polytask.api.taskip.query import list_args, parameters
from polytask.api.taskip.shapes import AttributeIn, AttributeUpdateIn, CategoriesUpdateIn, TagsUpdateIn, core_model
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.projects.attributes import (
    change_category,
    change_tags,
    create_attribute,
    delete_attribute,
    list_attributes,
    update_attribute,
)
from polytask.domain.projects.schemas import AttributeCreate, AttributeUpdate
from polytask.domain.projects.service import home_project, projects_by_ids
from polytask.domain.workspaces.service import home_workspace_id

router = unit_router(prefix=f"{PREFIX}/project/attribute", tags=["TaskIP project attributes"])

_FILTERS = {"type": "kind"}
_SORTS = {"name": "name", "type": "kind", "created_at": "created_at", "id": "id"}


@router.get(
    "/all",
    operation_id="attributes.list",
    response_model=Page[out.Attribute],
    openapi_extra={"parameters": parameters({"type": "tag or category"})},
)
async def list_all(request: Request) -> Response:
    """The workspace's project tags and categories, by type and name unless sorted."""
    args = list_args(request.query_params, filters=_FILTERS, sortable=_SORTS)
    if args.search is not None:
        raise ValidationFailed.field("search", "is not taken by this list; filter by `type`")

    def work(session: Session, actor: Actor) -> tuple[list[dict[str, Any]], dict[str, int]]:
        result = list_attributes(
            session,
            actor,
            workspace_id=home_workspace_id(session, actor),
            page=args.request,
            sort=args.sort,
            tree=args.tree,
        )
        return [render.attribute(a) for a in result.items], meta_of(result, args.page, args.limit)

    items, meta = await run_unit(request, work, scope="projects:read")
    return ok(request, items, "Project attributes retrieved successfully", meta=meta)


@router.post("", operation_id="attributes.create", response_model=One[out.Attribute], status_code=201)
async def create(request: Request, body: AttributeIn) -> Response:
    """Add a tag or a category; a name its type already has (in any case) is a 409."""
    data = core_model(AttributeCreate, body.model_dump())

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        attribute = create_attribute(session, actor, workspace_id=home_workspace_id(session, actor), data=data)
        return render.attribute(attribute)

    attribute = await run_unit(request, work, scope="projects:write")
    return ok(request, attribute, "Project attribute created successfully", 201)


@router.post("/tags/update", operation_id="attributes.update_tags", response_model=One[list[out.Project]])
async def update_tags(request: Request, body: TagsUpdateIn) -> Response:
    """Set (`action: set`, the default), add or remove tags on one or many projects; tag
    names not yet in the vocabulary are added. Answers the projects."""
    refs = _refs(body)

    def work(session: Session, actor: Actor) -> list[dict[str, Any]]:
        workspace_id = home_workspace_id(session, actor)
        ids = [home_project(session, actor, r)[0] for r in refs]
        change_tags(session, actor, project_ids=ids, workspace_id=workspace_id, tags=body.tags, action=body.action)
        return projects_data(session, projects_by_ids(session, actor, ids))

    projects = await run_unit(request, work, scope="projects:write")
    return ok(request, projects, "Project tags updated successfully")


@router.post("/categories/update", operation_id="attributes.update_categories", response_model=One[list[out.Project]])
async def update_categories(request: Request, body: CategoriesUpdateIn) -> Response:
    """Give one or many projects a category (by id or name; a new name is added), or none."""
    refs = _refs(body)

    def work(session: Session, actor: Actor) -> list[dict[str, Any]]:
        workspace_id = home_workspace_id(session, actor)
        ids = [home_project(session, actor, r)[0] for r in refs]
        change_category(session, actor, project_ids=ids, workspace_id=workspace_id, category=body.category_id)
        return projects_data(session, projects_by_ids(session, actor, ids))

    projects = await run_unit(request, work, scope="projects:write")
    return ok(request, projects, "Project categories updated successfully")


def _refs(body: TagsUpdateIn | CategoriesUpdateIn) -> list[str | int]:
    try:
        return body.project_refs()
    except ValueError as exc:
        raise ValidationFailed.field("projects", str(exc)) from None


@router.put("/{id}/update", operation_id="attributes.update", response_model=One[out.Attribute])
async def update(request: Request, id: int, body: AttributeUpdateIn) -> Response:
    """Rename the attribute or change its colour; every project carrying it shows the new name."""
    if "name" in body.model_fields_set and body.name is None:
        raise ValidationFailed.field("name", "cannot be null")
    data = core_model(AttributeUpdate, body.model_dump(exclude_unset=True))

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        workspace_id = home_workspace_id(session, actor)
        return render.attribute(update_attribute(session, actor, attribute_id=id, workspace_id=workspace_id, data=data))

    attribute = await run_unit(request, work, scope="projects:write")
    return ok(request, attribute, "Project attribute updated successfully")


@router.delete("/{id}/delete", operation_id="attributes.delete", status_code=204)
async def delete(request: Request, id: int) -> Response:
    """Delete the attribute; projects lose it (their category becomes none, the tag goes)."""

    def work(session: Session, actor: Actor) -> None:
        delete_attribute(session, actor, attribute_id=id, workspace_id=home_workspace_id(session, actor))

    await run_unit(request, work, scope="projects:write")
    return no_content()
