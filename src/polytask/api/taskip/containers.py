"""TaskIP's Container Management group: a project's board columns (core sections) with a
name, a colour and an order. Deleting a container that holds tasks needs a container to move
them to (`move_to`), else it is refused with 409; "move all tasks" empties one into another."""

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
from polytask.api.taskip.outputs import One
from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.shapes import ColorIn, ContainerIn, ContainerOrderIn, MoveAllIn, RenameIn, core_model
from polytask.core.actor import Actor
from polytask.core.errors import ValidationFailed
from polytask.domain.flows.containers import delete_section_with_tasks, move_section_tasks
from polytask.domain.projects.schemas import SectionCreate, SectionUpdate
from polytask.domain.projects.service import (
    create_section,
    get_section_for,
    home_project,
    reorder_sections,
    update_section,
)

router = unit_router(prefix=f"{PREFIX}/project/{{uuid}}/container", tags=["TaskIP containers"])


def _project_id(session: Session, actor: Actor, ref: str) -> int:
    return home_project(session, actor, ref)[0]


@router.post("", operation_id="containers.create", response_model=One[out.Container], status_code=201)
async def create(request: Request, uuid: str, body: ContainerIn) -> Response:
    """Add a container to the project (last, unless `order` is given)."""
    data = core_model(SectionCreate, {"name": body.name, "color": body.color, "position": body.order})

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return render.container(create_section(session, actor, project_id=_project_id(session, actor, uuid), data=data))

    container = await run_unit(request, work, scope="projects:write")
    return ok(request, container, "Container created successfully", 201)


@router.post("/change-order", operation_id="containers.change_order", response_model=One[list[out.Container]])
async def change_order(request: Request, uuid: str, body: ContainerOrderIn) -> Response:
    """Put the project's containers in this order (those not named follow, in their order).
    Answers every container in the new order."""

    def work(session: Session, actor: Actor) -> list[dict[str, Any]]:
        project_id = _project_id(session, actor, uuid)
        try:
            ordered = reorder_sections(session, actor, project_id=project_id, section_ids=body.container_ids)
        except ValidationFailed as exc:
            field = str(exc.details.get("field", "")).replace("order", "container_ids", 1)
            raise ValidationFailed(exc.message, {**exc.details, "field": field}) from exc
        return [render.container(s) for s in ordered]

    containers = await run_unit(request, work, scope="projects:write")
    return ok(request, containers, "Container order updated successfully")


def _section_change(request: Request, uuid: str, container_id: int, fields: dict[str, Any]) -> Any:
    data = core_model(SectionUpdate, fields)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project_id = _project_id(session, actor, uuid)
        return render.container(
            update_section(session, actor, project_id=project_id, section_id=container_id, data=data)
        )

    return run_unit(request, work, scope="projects:write")


@router.put("/{id}/rename", operation_id="containers.rename", response_model=One[out.Container])
async def rename(request: Request, uuid: str, id: int, body: RenameIn) -> Response:
    """Rename the container."""
    container = await _section_change(request, uuid, id, {"name": body.name})
    return ok(request, container, "Container renamed successfully")


@router.post("/{id}/change-color", operation_id="containers.change_color", response_model=One[out.Container])
async def change_color(request: Request, uuid: str, id: int, body: ColorIn) -> Response:
    """Set the container's colour (`#rgb`, `#rrggbb`, or a colour name; null: none)."""
    container = await _section_change(request, uuid, id, {"color": body.color})
    return ok(request, container, "Container color updated successfully")


@router.delete("/{id}/delete", operation_id="containers.delete", status_code=204)
async def delete(request: Request, uuid: str, id: int) -> Response:
    """Delete the container. One that holds tasks needs `?move_to=<container id>` (where its
    tasks go); without it the answer is 409 and nothing changes."""
    raw = request.query_params.get("move_to") or request.query_params.get("target_container_id")
    if raw is not None and not raw.isdigit():
        raise ValidationFailed.field("move_to", "must be a container id", raw)
    move_to = int(raw) if raw is not None else None

    def work(session: Session, actor: Actor) -> None:
        project_id = _project_id(session, actor, uuid)
        delete_section_with_tasks(
            session, actor, project_id=project_id, section_id=id, move_to=move_to, field="move_to"
        )

    await run_unit(request, work, scope="projects:write")
    return no_content()


@router.post("/{id}/move-all-tasks", operation_id="containers.move_all_tasks", response_model=One[out.EmptiedContainer])
async def move_all_tasks(request: Request, uuid: str, id: int, body: MoveAllIn) -> Response:
    """Move every task of this container to `to_container_id` (null: out of every container).
    Answers the emptied container and how many tasks moved."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        project_id = _project_id(session, actor, uuid)
        moved = move_section_tasks(
            session,
            actor,
            project_id=project_id,
            section_id=id,
            to_section_id=body.to_container_id,
            field="to_container_id",
        )
        section = get_section_for(session, actor, project_id=project_id, section_id=id)
        return {**render.container(section), "moved_tasks": moved}

    data = await run_unit(request, work, scope="tasks:write")
    return ok(request, data, "Tasks moved successfully")
