"""Risks: raised on a project by its writers, assessed, mitigated, closed or occurred."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.errors import PermissionDenied, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import RiskSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.projects.access import rows_in_project
from polytask.domain.projects.service import get_project_and_membership
from polytask.domain.risks.access import RISKS
from polytask.domain.risks.schemas import LEVELS, RISK_STATUSES, RiskCreate, RiskUpdate
from polytask.domain.workspaces.access import member_field, require_write
from polytask.models import Membership, Risk

RISK_FIELDS = tuple(RiskSnapshot.model_fields)
RISK_FIELDS_REGISTRY = Registry.of(
    "risk",
    [
        Field("id", Ref("risk"), expr=Risk.id),
        Field("title", Text(), expr=Risk.title),
        # Ordered: `severity[gte]=high` means high or critical.
        Field("severity", Choice(LEVELS, ordered=True), expr=Risk.severity),
        Field("probability", Choice(LEVELS, ordered=True), expr=Risk.probability),
        Field("status", Choice(RISK_STATUSES), expr=Risk.status),
        Field("impact", Text(caseless=True), expr=Risk.impact),
        Field("project_id", Ref("project"), expr=Risk.project_id),
        Field("owner_id", Ref("user"), expr=Risk.owner_id),
        Field("created_at", Moment(), expr=Risk.created_at),
        Field("updated_at", Moment(), expr=Risk.updated_at),
    ],
)
RISK_LIST: ListSpec[Risk] = ListSpec("risk", RISK_FIELDS_REGISTRY, Risk.id)


def _writable(session: Session, actor: Actor, project_id: int) -> Membership:
    _project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    return membership


def get_risk_for(session: Session, actor: Actor, risk_id: int) -> Risk:
    """The risk if the actor may see its project, else NotFound."""
    return RISKS.get_for(session, actor, risk_id)[0]


def list_risks(
    session: Session,
    actor: Actor,
    *,
    project_id: int | None = None,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[Risk]:
    """A project's risks (or those of every project the actor sees), oldest first unless sorted."""
    base = rows_in_project(session, actor, RISKS, project_id=project_id)
    return run_list(session, RISK_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def create_risk(session: Session, actor: Actor, *, project_id: int, data: RiskCreate) -> Risk:
    """Raise a risk on a project (any member who may write)."""
    membership = _writable(session, actor, project_id)
    owner = (
        actor.user_id
        if data.owner_id is None
        else member_field(session, membership.workspace_id, data.owner_id, "owner_id")
    )
    risk = Risk(
        workspace_id=membership.workspace_id,
        project_id=project_id,
        title=data.title,
        description=data.description,
        severity=data.severity,
        probability=data.probability,
        impact=data.impact,
        mitigation_plan=data.mitigation_plan,
        status=data.status,
        owner_id=owner,
        created_by_id=actor.user_id,
    )
    session.add(risk)
    session.flush()
    record_event(
        session,
        actor,
        type="risk.created",
        resource_type="risk",
        resource_id=risk.id,
        workspace_id=risk.workspace_id,
        snapshot=snapshot_of(risk, RISK_FIELDS),
    )
    return risk


_REQUIRED = ("title", "description", "severity", "probability", "impact", "mitigation_plan", "status")


def update_risk(session: Session, actor: Actor, *, risk_id: int, data: RiskUpdate) -> Risk:
    """Reassess a risk or move it through its lifecycle (mitigated, closed, occurred, active again)."""
    risk, membership = RISKS.get_for(session, actor, risk_id)
    require_write(membership)
    before = snapshot_of(risk, RISK_FIELDS)
    given = data.model_fields_set
    for field in _REQUIRED:
        if field in given:
            value = getattr(data, field)
            if value is None:
                raise ValidationFailed.field(field, "cannot be null")
            setattr(risk, field, value)
    for field in ("actual_impact", "resolution_notes"):
        if field in given:
            setattr(risk, field, getattr(data, field))
    if "owner_id" in given:
        risk.owner_id = (
            None if data.owner_id is None else member_field(session, risk.workspace_id, data.owner_id, "owner_id")
        )
    record_update(
        session,
        actor,
        resource_type="risk",
        resource_id=risk.id,
        workspace_id=risk.workspace_id,
        before=before,
        after=snapshot_of(risk, RISK_FIELDS),
    )
    return risk


def delete_risk(session: Session, actor: Actor, *, risk_id: int) -> None:
    """Delete a risk: its creator, or a workspace owner or admin (others close it instead)."""
    risk, membership = RISKS.get_for(session, actor, risk_id)
    require_write(membership)
    if membership.role not in ("owner", "admin") and risk.created_by_id != actor.user_id:
        raise PermissionDenied(
            "Only the risk's creator or a workspace admin can delete it", {"required_role": ["owner", "admin"]}
        )
    snapshot = snapshot_of(risk, RISK_FIELDS)
    workspace_id = risk.workspace_id
    session.execute(delete(Risk).where(Risk.id == risk_id))
    session.expunge(risk)
    record_event(
        session,
        actor,
        type="risk.deleted",
        resource_type="risk",
        resource_id=risk_id,
        workspace_id=workspace_id,
        snapshot=snapshot,
    )
