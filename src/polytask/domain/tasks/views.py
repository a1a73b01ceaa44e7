"""Saved views: a named filter, sort, field selection and layout over a project's tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import NotFound, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey, parse_sort
from polytask.core.query import Node, conjunction, parse_expression, parse_params
from polytask.core.query.fields import Choice, Field, Moment, Ref, Registry, Text, compile_tree, sort_columns
from polytask.core.query.listing import ListSpec, run_list
from polytask.core.query.values import Context
from polytask.domain.events.payloads import ViewSnapshot
from polytask.domain.events.service import record_event, record_update, snapshot_of
from polytask.domain.fields.schemas import Layout, ViewCreate, ViewUpdate
from polytask.domain.fields.service import task_field_resolver
from polytask.domain.projects.service import get_project_and_membership, get_project_for
from polytask.domain.tasks.access import VIEWS
from polytask.domain.tasks.queries import TASK_FIELDS
from polytask.domain.workspaces.access import require_write
from polytask.models import Membership, SavedView

VIEW_FIELDS = tuple(ViewSnapshot.model_fields)  # what its events carry (events/payloads.py)
# Parameters a stored filter may not carry: they shape or page a list, they do not filter it.
NOT_FILTERS = frozenset({"limit", "offset", "page", "per_page", "fields", "include", "sort", "view", "cursor"})

VIEW_REGISTRY = Registry.of(
    "view",
    [
        Field("id", Ref("view"), expr=SavedView.id),
        Field("name", Text(), expr=SavedView.name),
        Field("layout", Choice(get_args(Layout)), expr=SavedView.layout),
        Field("created_by_id", Ref("user"), expr=SavedView.created_by_id),
        Field("created_at", Moment(), expr=SavedView.created_at),
        Field("updated_at", Moment(), expr=SavedView.updated_at),
    ],
)
# Oldest first by default, as the list was before it was paged.
VIEW_LIST: ListSpec[SavedView] = ListSpec("view", VIEW_REGISTRY, SavedView.id)


def _stored_filter(raw: dict[str, Any] | str) -> dict[str, Any]:
    """{"expression": "..."} or {"params": [[name, value], ...]}, in the order given."""
    if isinstance(raw, str):
        return {"expression": raw}
    pairs: list[list[str]] = []
    for name, value in raw.items():
        if name in NOT_FILTERS:
            raise ValidationFailed.field(f"filter.{name}", "is not a filter; use the view's own sort and fields")
        if name == "filter":
            if not isinstance(value, str):
                raise ValidationFailed.field("filter.filter", "must be an expression string")
            pairs.append([name, value])
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            if not isinstance(item, str | int | float):
                raise ValidationFailed.field(f"filter.{name}", "must be a string, a number or a list of them", item)
            pairs.append([name, str(item)])
    return {"params": pairs}


def view_tree(view: SavedView) -> Node | None:
    """The view's filter as a tree, ready to be ANDed with a request's own filters."""
    stored = view.filter
    if "expression" in stored:
        return parse_expression(str(stored["expression"]), "filter")
    params = [(str(k), str(v)) for k, v in stored.get("params", [])]
    nodes: list[Node] = list(parse_params([(k, v) for k, v in params if k != "filter"]))
    nodes.extend(parse_expression(v, "filter") for k, v in params if k == "filter")
    return conjunction(nodes)


def _check(session: Session, actor: Actor, project_id: int, view: SavedView) -> None:
    """Compile the view's filter and sort once, so a view that cannot run is never saved."""
    registry = TASK_FIELDS.with_custom(task_field_resolver(session, actor, project_id))
    try:
        compile_tree(view_tree(view), registry, Context(now=utcnow(), user_id=actor.user_id))
        sort_columns(registry, [k.field for k in parse_sort(view.sort, None)])
    except ValidationFailed as exc:
        field = exc.details.get("field")
        where = "sort" if field == "sort" else "filter"
        raise ValidationFailed(
            f"The view's {where} is invalid: {exc.message}", {**exc.details, "field": where}
        ) from None


def list_views(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
) -> PageResult[SavedView]:
    """The project's saved views, oldest first unless sorted otherwise."""
    project = get_project_for(session, actor, project_id)
    base = select(SavedView).where(SavedView.project_id == project.id)
    return run_list(session, VIEW_LIST, actor=actor, base=base, page=page, sort=sort, tree=tree)


def get_view_for(session: Session, actor: Actor, view_id: int, *, project_id: int | None = None) -> SavedView:
    """The view, if the actor can see its project (and it belongs to `project_id` when given)."""
    return _view_for(session, actor, view_id, project_id=project_id)[0]


def _view_for(session: Session, actor: Actor, view_id: int, *, project_id: int | None) -> tuple[SavedView, Membership]:
    view, membership = VIEWS.get_for(session, actor, view_id)
    if project_id is not None and view.project_id != project_id:
        raise NotFound.of("view", view_id)
    return view, membership


def create_view(session: Session, actor: Actor, *, project_id: int, data: ViewCreate) -> SavedView:
    project, membership = get_project_and_membership(session, actor, project_id)
    require_write(membership)
    view = SavedView(
        workspace_id=project.workspace_id,
        project_id=project.id,
        name=data.name,
        filter=_stored_filter(data.filter),
        sort=data.sort,
        fields=data.fields,
        layout=data.layout,
        created_by_id=actor.user_id,
    )
    _check(session, actor, project.id, view)
    session.add(view)
    session.flush()
    record_event(
        session,
        actor,
        type="view.created",
        resource_type="view",
        resource_id=view.id,
        workspace_id=view.workspace_id,
        snapshot=snapshot_of(view, VIEW_FIELDS),
    )
    return view


def update_view(session: Session, actor: Actor, *, project_id: int, view_id: int, data: ViewUpdate) -> SavedView:
    view, membership = _view_for(session, actor, view_id, project_id=project_id)
    require_write(membership)
    before = snapshot_of(view, VIEW_FIELDS)
    given = data.model_fields_set
    for name in ("name", "layout"):
        if name in given:
            value = getattr(data, name)
            if value is None:
                raise ValidationFailed.field(name, "cannot be null")
            setattr(view, name, value)
    for name in ("sort", "fields"):
        if name in given:
            setattr(view, name, getattr(data, name))
    if "filter" in given:
        view.filter = _stored_filter(data.filter if data.filter is not None else {})
    _check(session, actor, view.project_id, view)
    record_update(
        session,
        actor,
        resource_type="view",
        resource_id=view.id,
        workspace_id=view.workspace_id,
        before=before,
        after=snapshot_of(view, VIEW_FIELDS),
    )
    return view


def delete_view(session: Session, actor: Actor, *, project_id: int, view_id: int) -> None:
    view, membership = _view_for(session, actor, view_id, project_id=project_id)
    require_write(membership)
    snapshot = snapshot_of(view, VIEW_FIELDS)
    session.delete(view)
    record_event(
        session,
        actor,
        type="view.deleted",
        resource_type="view",
        resource_id=view_id,
        workspace_id=membership.workspace_id,
        snapshot=snapshot,
    )
