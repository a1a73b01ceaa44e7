"""How each domain object looks as a native JSON:API resource.

The attributes and relationships of each are declared in outputs.py, which the OpenAPI
schemas come from; these renderers write them out as plain dicts, in the declared order,
and tests/architecture/test_outputs.py holds every one of them to its declaration."""

from __future__ import annotations

from typing import Any

from polytask.api.v1.render import Resource, day, ident, resource, rid, ts
from polytask.core.ids import PREFIXES, render_id
from polytask.core.money import format_minor
from polytask.domain.automations.schemas import shown_actions
from polytask.domain.members.service import Member
from polytask.domain.reports.analytics import Analytics, Bucket, CycleTime, Figures, Group
from polytask.domain.spending.figures import minutes_to_hours
from polytask.domain.tasks.queries import TaskView
from polytask.domain.tasks.records import TaskRecordView


def money(minor: int | None, currency: str) -> dict[str, str] | None:
    return None if minor is None else {"amount": format_minor(minor, currency), "currency": currency}


def workspace(ws: Any) -> Resource:
    return resource(
        "workspace",
        ws.id,
        {
            "name": ws.name,
            "description": ws.description,
            "settings": ws.settings,
            "security": ws.security,
            "created_at": ts(ws.created_at),
            "updated_at": ts(ws.updated_at),
        },
    )


def project(p: Any) -> Resource:
    return resource(
        "project",
        p.id,
        {
            "name": p.name,
            "description": p.description,
            "type": p.type,
            "status": p.status,
            "workspace_id": rid("workspace", p.workspace_id),
            "start_date": day(p.start_date),
            "due_date": day(p.due_date),
            "settings": p.settings,
            "custom_fields": p.custom_fields,
            "custom_field_definitions": p.custom_field_definitions,
            "budget": money(p.budget_minor, p.currency),
            "currency": p.currency,
            "uuid": p.uuid,
            "priority": p.priority,
            "category_id": rid("project_attribute", p.category_id),
            "created_by": rid("user", p.created_by_id),
            "created_at": ts(p.created_at),
            "updated_at": ts(p.updated_at),
        },
        {"workspace": ident("workspace", p.workspace_id)},
    )


def task(view: TaskView | TaskRecordView) -> Resource:
    # Written out flat: list pages render it 50-100 times. No call or comprehension where the
    # value decides (an empty relation, a naive timestamp from SQLite), and the relationship
    # that names nothing is one shared `{"data": None}` (documents are only ever serialised).
    t = view.task
    rel = view.relations
    assignees = rel.assignee_ids
    project_id, section_id, parent_id = t.project_id, t.section_id, t.parent_id
    project = f"project_{project_id}"
    section = None if section_id is None else f"section_{section_id}"
    parent = None if parent_id is None else f"task_{parent_id}"
    if assignees:
        assignee_ids = [f"user_{a}" for a in assignees]
        assignee: str | None = assignee_ids[0]
        to_assignee: dict[str, Any] = {"data": {"id": assignee, "type": "user"}}
        to_assignees: dict[str, Any] = {"data": [{"id": a, "type": "user"} for a in assignee_ids]}
    else:
        assignee_ids, assignee, to_assignee, to_assignees = [], None, _TO_NOTHING, {"data": []}
    deps = rel.dependency_ids
    completed_by, created_by = t.completed_by_id, t.created_by_id
    due, start, completed, created, updated = t.due_date, t.start_date, t.completed_at, t.created_at, t.updated_at
    return {
        "id": f"task_{t.id}",
        "type": "task",
        "attributes": {
            "name": t.name,
            "description": t.description,
            "status": t.status,
            "priority": t.priority,
            "project_id": project,
            "workspace_id": f"workspace_{t.workspace_id}",
            "section_id": section,
            "parent_id": parent,
            "assignee_id": assignee,
            "assignee_ids": assignee_ids,
            "due_date": due if due is None or due.tzinfo is None else ts(due),
            "start_date": start if start is None or start.tzinfo is None else ts(start),
            "progress": t.progress,
            "estimated_hours": t.estimated_hours,
            "completed_at": completed if completed is None or completed.tzinfo is None else ts(completed),
            "completed_by": None if completed_by is None else f"user_{completed_by}",
            "dependencies": [f"task_{d}" for d in deps] if deps else [],
            "labels": list(rel.labels),
            "custom_fields": t.custom_fields,
            "position": t.position,
            "created_by": None if created_by is None else f"user_{created_by}",
            "created_at": created if created is None or created.tzinfo is None else ts(created),
            "updated_at": updated if updated is None or updated.tzinfo is None else ts(updated),
        },
        "relationships": {
            "project": {"data": {"id": project, "type": "project"}},
            "assignee": to_assignee,
            "assignees": to_assignees,
            "section": _TO_NOTHING if section is None else {"data": {"id": section, "type": "section"}},
            "parent": _TO_NOTHING if parent is None else {"data": {"id": parent, "type": "task"}},
        },
    }


_TO_NOTHING: dict[str, Any] = {"data": None}


def user(u: Any) -> Resource:
    return resource(
        "user",
        u.id,
        {
            "name": u.name,
            "username": u.username,
            "email": u.email,
            "role": u.role,
            "department": u.department,
            "created_at": ts(u.created_at),
        },
    )


def admin_user(u: Any) -> Resource:
    return resource(
        "user",
        u.id,
        {
            "name": u.name,
            "username": u.username,
            "email": u.email,
            "role": u.role,
            "department": u.department,
            "active": bool(u.is_active),
            "has_password": bool(u.password_hash),
            "created_at": ts(u.created_at),
            "updated_at": ts(u.updated_at),
        },
    )


def person(u: Any) -> Resource:
    return resource(
        "user",
        u.id,
        {
            "name": u.name,
            "username": u.username,
            "email": u.email,
            "role": u.role,
            "department": u.department,
            "active": bool(u.is_active),
            "created_at": ts(u.created_at),
        },
    )


def member(m: Member) -> Resource:
    u = m.user
    return resource(
        "user",
        u.id,
        {
            "name": u.name,
            "username": u.username,
            "email": u.email,
            "role": m.membership.role,
            "global_role": u.role,
            "department": m.department,
            "department_id": rid("department", m.membership.department_id),
            "permissions": m.permissions,
            "joined_at": ts(m.membership.created_at),
            "created_at": ts(u.created_at),
        },
        {"workspace": ident("workspace", m.membership.workspace_id)},
    )


def invite(i: Any, token: str | None = None) -> Resource:
    attrs = {
        "email": i.email,
        "role": i.role,
        "message": i.message,
        "status": i.status,
        "workspace_id": rid("workspace", i.workspace_id),
        "invited_by": rid("user", i.invited_by_id),
        "expires_at": ts(i.expires_at),
        "accepted_at": ts(i.accepted_at),
        "created_at": ts(i.created_at),
    }
    if token is not None:
        attrs["token"] = token
    return resource("invite", i.id, attrs, {"workspace": ident("workspace", i.workspace_id)})


def comment(c: Any) -> Resource:
    return resource(
        "comment",
        c.id,
        {
            "body": c.body,
            "task_id": rid("task", c.task_id),
            "author_id": rid("user", c.author_id),
            "created_at": ts(c.created_at),
            "updated_at": ts(c.updated_at),
        },
        {"task": ident("task", c.task_id), "author": ident("user", c.author_id)},
    )


def custom_field(f: Any) -> Resource:
    return resource(
        "custom_field",
        f.id,
        {
            "key": f.key,
            "name": f.name,
            "type": f.type,
            "required": f.required,
            "default_value": f.default_value,
            "options": list(f.options),
            "position": f.position,
            "currency": f.config.get("currency"),
            "project_id": rid("project", f.project_id),
            "workspace_id": rid("workspace", f.workspace_id),
            "created_at": ts(f.created_at),
            "updated_at": ts(f.updated_at),
        },
        {"project": ident("project", f.project_id)},
    )


def view(v: Any) -> Resource:
    stored = v.filter
    if "expression" in stored:
        shown: Any = stored["expression"]
    else:
        shown = {}
        for name, value in stored.get("params", []):
            # Repeated parameters show as a list, single ones as a value.
            shown[name] = (
                [*shown[name], value]
                if isinstance(shown.get(name), list)
                else ([shown[name], value] if name in shown else value)
            )
    return resource(
        "view",
        v.id,
        {
            "name": v.name,
            "filter": shown,
            "sort": v.sort,
            "fields": v.fields,
            "layout": v.layout,
            "project_id": rid("project", v.project_id),
            "created_by": rid("user", v.created_by_id),
            "created_at": ts(v.created_at),
            "updated_at": ts(v.updated_at),
        },
        {"project": ident("project", v.project_id)},
    )


def section(s: Any) -> Resource:
    return resource(
        "section",
        s.id,
        {
            "name": s.name,
            "position": s.position,
            "project_id": rid("project", s.project_id),
            "color": s.color,
            "created_at": ts(s.created_at),
            "updated_at": ts(s.updated_at),
        },
        {"project": ident("project", s.project_id)},
    )


def api_key(k: Any, secret: str | None = None) -> Resource:
    attrs = {
        "name": k.name,
        "prefix": f"ptk_{k.prefix}",
        "workspace_id": rid("workspace", k.workspace_id),
        "scopes": k.scopes,
        "rate_plan": k.rate_plan,
        "expires_at": ts(k.expires_at),
        "last_used_at": ts(k.last_used_at),
        "revoked_at": ts(k.revoked_at),
        "created_at": ts(k.created_at),
    }
    if secret is not None:
        attrs["key"] = secret
    return resource("api_key", k.id, attrs, {"workspace": ident("workspace", k.workspace_id)})


def calendar_feed(f: Any, url: str | None = None) -> Resource:
    attrs = {
        "name": f.name,
        "kind": f.kind,
        "user_id": rid("user", f.user_id),
        "project_id": rid("project", f.project_id),
        "workspace_id": rid("workspace", f.workspace_id),
        "created_at": ts(f.created_at),
        "rotated_at": ts(f.rotated_at),
    }
    if url is not None:
        attrs["url"] = url
    return resource(
        "calendar_feed",
        f.id,
        attrs,
        {"project": ident("project", f.project_id), "workspace": ident("workspace", f.workspace_id)},
    )


def time_entry(e: Any) -> Resource:
    return resource(
        "time_entry",
        e.id,
        {
            "project_id": rid("project", e.project_id),
            "task_id": rid("task", e.task_id),
            "user_id": rid("user", e.user_id),
            "minutes": e.minutes,
            "hours": str(minutes_to_hours(e.minutes)),
            "spent_on": day(e.spent_on),
            "note": e.note,
            "workspace_id": rid("workspace", e.workspace_id),
            "created_by": rid("user", e.created_by_id),
            "created_at": ts(e.created_at),
            "updated_at": ts(e.updated_at),
        },
        {
            "project": ident("project", e.project_id),
            "task": ident("task", e.task_id),
            "user": ident("user", e.user_id),
        },
    )


def expense(x: Any) -> Resource:
    return resource(
        "expense",
        x.id,
        {
            "project_id": rid("project", x.project_id),
            "amount": format_minor(x.amount_minor, x.currency),
            "currency": x.currency,
            "spent_on": day(x.spent_on),
            "category": x.category,
            "note": x.note,
            "workspace_id": rid("workspace", x.workspace_id),
            "created_by": rid("user", x.created_by_id),
            "created_at": ts(x.created_at),
            "updated_at": ts(x.updated_at),
        },
        {"project": ident("project", x.project_id)},
    )


def risk(r: Any) -> Resource:
    return resource(
        "risk",
        r.id,
        {
            "title": r.title,
            "description": r.description,
            "severity": r.severity,
            "probability": r.probability,
            "impact": r.impact,
            "mitigation_plan": r.mitigation_plan,
            "status": r.status,
            "actual_impact": r.actual_impact,
            "resolution_notes": r.resolution_notes,
            "owner_id": rid("user", r.owner_id),
            "project_id": rid("project", r.project_id),
            "workspace_id": rid("workspace", r.workspace_id),
            "created_by": rid("user", r.created_by_id),
            "created_at": ts(r.created_at),
            "updated_at": ts(r.updated_at),
        },
        {"project": ident("project", r.project_id), "owner": ident("user", r.owner_id)},
    )


def template(t: Any, *, content: bool = True) -> Resource:
    """A template; `content=False` (lists) leaves its document out."""
    attrs: dict[str, Any] = {
        "name": t.name,
        "description": t.description,
        "workspace_id": rid("workspace", t.workspace_id),
        "source_project_id": rid("project", t.source_project_id),
        "task_count": t.task_count,
        "content_version": int(t.content.get("version", 1)),
    }
    if content:
        attrs["content"] = t.content
    attrs["created_by"] = rid("user", t.created_by_id)
    attrs["created_at"] = ts(t.created_at)
    attrs["updated_at"] = ts(t.updated_at)
    return resource("template", t.id, attrs, {"workspace": ident("workspace", t.workspace_id)})


def department(d: Any) -> Resource:
    return resource(
        "department",
        d.id,
        {
            "name": d.name,
            "description": d.description,
            "head_user_id": rid("user", d.head_user_id),
            "workspace_id": rid("workspace", d.workspace_id),
            "created_at": ts(d.created_at),
            "updated_at": ts(d.updated_at),
        },
        {"workspace": ident("workspace", d.workspace_id), "head": ident("user", d.head_user_id)},
    )


def _cycle_time(c: CycleTime) -> dict[str, Any]:
    return {"count": c.count, "average_seconds": c.average, "p50_seconds": c.p50, "p90_seconds": c.p90}


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "created": f.created,
        "completed": f.completed,
        "completion_rate": float(f.completion_rate),
        "overdue": f.overdue,
        "throughput": float(f.throughput),
        "cycle_time": _cycle_time(f.cycle_time),
    }


def _series(buckets: tuple[Bucket, ...]) -> list[dict[str, Any]]:
    return [
        {
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "created": b.created,
            "completed": b.completed,
            "completion_rate": float(b.completion_rate),
            "overdue": b.overdue,
            "cycle_time": _cycle_time(b.cycle_time),
        }
        for b in buckets
    ]


_GROUP_KINDS = {"assignee": "user", "section": "section"}


def _group_key(g: Group) -> str | None:
    kind = _GROUP_KINDS.get(g.kind)
    if kind is None or g.key is None:
        return None if g.key is None else str(g.key)
    return rid(kind, int(g.key))


def analytics(a: Analytics) -> Resource:
    """One document per scope: its id is the workspace's or the project's."""
    return {
        "id": rid("project", a.project_id) if a.project_id is not None else rid("workspace", a.workspace_id),
        "type": "analytics",
        "attributes": {
            "workspace_id": rid("workspace", a.workspace_id),
            "project_id": rid("project", a.project_id),
            "assignee_id": rid("user", a.assignee_id),
            "from": a.start.isoformat(),
            "to": a.end.isoformat(),
            "interval": a.interval,
            "group_by": a.group_by,
            "time_zone": a.time_zone,
            "as_of": ts(a.as_of),
            "totals": _figures(a.totals),
            "series": _series(a.series),
            "groups": [
                {"key": _group_key(g), "name": g.name, "totals": _figures(g.totals), "series": _series(g.series)}
                for g in a.groups
            ],
        },
    }


def import_job(j: Any) -> Resource:
    return resource(
        "import",
        j.id,
        {
            "format": j.format,
            "filename": j.filename,
            "status": j.status,
            "total": j.total,
            "done": j.done,
            "project_ids": [
                rid("project", pid)
                for _i, pid in sorted(j.created.items(), key=lambda kv: int(kv[0]))
                if pid is not None
            ],
            "error_count": len(j.errors),
            "errors": list(j.errors),
            "warnings": list(j.warnings),
            "workspace_id": rid("workspace", j.workspace_id),
            "created_by": rid("user", j.created_by_id),
            "started_at": ts(j.started_at),
            "finished_at": ts(j.finished_at),
            "created_at": ts(j.created_at),
            "updated_at": ts(j.updated_at),
        },
        {"workspace": ident("workspace", j.workspace_id)},
    )


def automation(a: Any, hook_token: str | None = None) -> Resource:
    attrs: dict[str, Any] = {
        "name": a.name,
        "enabled": a.enabled,
        "workspace_id": rid("workspace", a.workspace_id),
        "project_id": rid("project", a.project_id),
        "owner": rid("user", a.owner_id),
        "trigger": a.trigger,
        "conditions": a.conditions,
        "actions": shown_actions(a.actions),
        "next_run_at": ts(a.next_run_at) if a.enabled else None,
        "created_at": ts(a.created_at),
        "updated_at": ts(a.updated_at),
    }
    if hook_token is not None:
        attrs["hook_url"] = f"/v1/automations/hooks/{hook_token}"
    return resource(
        "automation",
        a.id,
        attrs,
        {
            "workspace": ident("workspace", a.workspace_id),
            "project": ident("project", a.project_id),
            "owner": ident("user", a.owner_id),
        },
    )


def automation_run(r: Any) -> Resource:
    return resource(
        "automation_run",
        r.id,
        {
            "status": r.status,
            "trigger_kind": r.trigger_kind,
            "event": r.event_type,
            "event_id": rid("event", r.event_id),
            "payload": r.payload,
            "depth": r.depth,
            "attempts": r.attempts,
            "next_attempt_at": ts(r.next_attempt_at) if r.status == "pending" else None,
            "matched": r.matched,
            "actions_done": r.actions_done,
            "error": r.error,
            "created_at": ts(r.created_at),
            "started_at": ts(r.started_at),
            "finished_at": ts(r.finished_at),
            "duration_ms": r.duration_ms,
        },
        {"automation": ident("automation", r.automation_id)},
    )


def automation_test(automation_id: int, e: Any) -> Resource:
    kind = e.resource_type
    return {
        "id": render_id("automation", automation_id),
        "type": "automation_test",
        "attributes": {
            "event": e.event_type,
            "event_id": rid("event", e.event_id),
            "resource_type": kind,
            "resource_id": (
                None
                if e.resource_id is None
                else (render_id(kind, e.resource_id) if kind in PREFIXES else str(e.resource_id))
            ),
            "trigger_matched": e.trigger_matched,
            "conditions": e.conditions,
            "conditions_matched": e.conditions_matched,
            "would_run": e.would_run,
            "notes": e.notes,
        },
        "relationships": {"automation": ident("automation", automation_id)},
    }
