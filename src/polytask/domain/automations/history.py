"""An automation's run history, and a dry run (`test`) that changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.ids import parse_id
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Number, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.automations import conditions as cond
from polytask.domain.automations.access import AUTOMATIONS
from polytask.domain.automations.actions import parse_actions
from polytask.domain.automations.schemas import TASK_ACTIONS, AutomationTest
from polytask.domain.events.catalog import CATALOG, matches
from polytask.models import AutomationRun, Event

RUN_STATUSES = ("pending", "succeeded", "skipped", "failed")
RUN_FIELDS_REGISTRY = Registry.of(
    "automation_run",
    [
        Field("id", Ref("automation_run"), expr=AutomationRun.id),
        Field("status", Choice(RUN_STATUSES), expr=AutomationRun.status),
        Field("trigger_kind", Choice(("event", "schedule", "webhook")), expr=AutomationRun.trigger_kind),
        Field("event", Text(), expr=AutomationRun.event_type),
        Field("event_id", Ref("event"), expr=AutomationRun.event_id),
        Field("attempts", Number(integer=True), expr=AutomationRun.attempts),
        Field("depth", Number(integer=True), expr=AutomationRun.depth),
        Field("created_at", Moment(), expr=AutomationRun.created_at),
        Field("finished_at", Moment(), expr=AutomationRun.finished_at),
    ],
)
RUN_LIST: ListSpec[AutomationRun] = ListSpec("automation_run", RUN_FIELDS_REGISTRY, AutomationRun.id)


def list_runs(
    session: Session,
    actor: Actor,
    *,
    automation_id: int,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[AutomationRun]:
    """An automation's runs, newest first unless sorted."""
    automation, _membership = AUTOMATIONS.get_for(session, actor, automation_id)
    base = select(AutomationRun).where(AutomationRun.automation_id == automation.id)
    return run_list(
        session, RUN_LIST, actor=actor, base=base, page=page, sort=sort or [SortKey("id", descending=True)], tree=tree
    )


@dataclass(slots=True)
class Evaluation:
    """What a run would do for one event: nothing is changed to find out."""

    event_type: str | None
    event_id: int | None
    resource_type: str | None
    resource_id: int | None
    trigger_matched: bool
    conditions: str | None
    conditions_matched: bool | None
    would_run: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _given_resource(body: dict[str, Any], event_type: str) -> tuple[str, int | None]:
    resource = event_type.partition(".")[0]
    raw = body.get("resource_id")
    if raw is None:
        data = body.get("data")
        inner = data.get(resource) if isinstance(data, dict) else None
        raw = inner.get("id") if isinstance(inner, dict) else None
    if raw is None:
        return resource, None
    pk = parse_id(resource, raw) if resource in ("task", "project", "risk") else None
    if pk is None:
        raise ValidationFailed.field("event.resource_id", f"must be a {resource} id", str(raw))
    return resource, pk


def evaluate_automation(session: Session, actor: Actor, *, automation_id: int, data: AutomationTest) -> Evaluation:
    """Evaluate the trigger and conditions against an event (given, named, or the most recent
    matching one of the workspace) and list the actions that would run; changes nothing."""
    automation, _membership = AUTOMATIONS.get_for(session, actor, automation_id)
    notes: list[str] = []
    event_type: str | None = None
    event_id: int | None = None
    resource: str | None = None
    resource_id: int | None = None
    task_id: int | None = None
    if data.event_id is not None and data.event is not None:
        raise ValidationFailed.field("event", "give either event or event_id, not both")
    if data.event is not None:
        raw_type = data.event.get("event")
        if not isinstance(raw_type, str) or raw_type not in CATALOG:
            raise ValidationFailed.field("event.event", "must be an event type of the catalogue", str(raw_type))
        event_type = raw_type
        resource, resource_id = _given_resource(data.event, raw_type)
    else:
        query = select(Event).where(Event.workspace_id == automation.workspace_id)
        if data.event_id is not None:
            pk = parse_id("event", data.event_id)
            if pk is None:
                raise ValidationFailed.field("event_id", "must be an event id", data.event_id)
            query = query.where(Event.id == pk)
        elif automation.event_type is not None:
            prefix, _, action = automation.event_type.partition(".")
            query = query.where(Event.resource_type == prefix if action == "*" else Event.type == automation.event_type)
            if automation.project_id is not None:
                query = query.where(Event.project_id == automation.project_id)
        found = session.scalar(query.order_by(Event.id.desc()).limit(1))
        if found is None and data.event_id is not None:
            raise NotFound.of("event", data.event_id)
        if found is None:
            notes.append("no event of the workspace matches the trigger yet")
        else:
            event_type, event_id = found.type, found.id
            resource, resource_id = found.resource_type, found.resource_id
            if resource == "comment" and isinstance(found.snapshot.get("task_id"), int):
                task_id = found.snapshot["task_id"]
    if resource == "task":
        task_id = resource_id
    if automation.trigger_kind != "event":
        trigger_matched = event_type is None
        notes.append(f"a {automation.trigger_kind} trigger does not react to events")
    else:
        trigger_matched = event_type is not None and matches([automation.event_type], event_type)
    conditions_matched: bool | None = None
    if automation.conditions is not None and automation.event_type is not None:
        if resource_id is not None and resource == cond.resource_of(automation.event_type):
            conditions_matched = cond.matches(
                session, automation.conditions, automation.event_type, resource_id, user_id=automation.owner_id
            )
        else:
            notes.append("no resource to evaluate the conditions against")
    would = trigger_matched and conditions_matched is not False
    planned: list[dict[str, Any]] = []
    if would:
        for planned_action in parse_actions(automation.actions):
            step: dict[str, Any] = {"type": planned_action.type}
            if planned_action.type in TASK_ACTIONS and task_id is None and automation.trigger_kind == "event":
                step["skipped"] = "no task in the trigger"
            planned.append(step)
    return Evaluation(
        event_type,
        event_id,
        resource,
        resource_id,
        trigger_matched,
        automation.conditions,
        conditions_matched,
        planned,
        notes,
    )
