"""The automation outbox and its runs.

Every commit that records events queues one `automation_runs` row per (enabled event-triggered
automation, matching event) in the same transaction (`queue_runs`, a fan-out hook like the
webhook outbox): a run exists exactly when its event committed, whatever order concurrent
transactions commit their ids in, and the unique (automation_id, event_id) makes it once.

The worker (worker/automations.py) runs a pending run in ONE transaction: it locks the row
(FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's writer lock), evaluates the conditions, does
the actions through the ordinary domain operations as the automation's owner, and marks the
row succeeded (or skipped) with `automation.run_succeeded`. A crash or an error before the
commit leaves nothing of the actions and the row still pending, so a retry never doubles an
action; errors are retried on a schedule, then the run is marked failed in a transaction of
its own, with `automation.run_failed`.

Loops: events made by a run carry the automation as their credential
(credential_kind "automation"); an automation never reacts to its own events, and a run's
events queue runs one level deeper, up to POLYTASK_AUTOMATION_MAX_DEPTH.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import isoformat, utcnow
from polytask.core.db import after_commit
from polytask.core.errors import DomainError
from polytask.core.settings import get_settings
from polytask.core.statements import Prepared
from polytask.domain.automations import conditions as cond
from polytask.domain.automations import schedules
from polytask.domain.automations.actions import Trigger, owner_actor, parse_actions, run_action
from polytask.domain.events.catalog import matches
from polytask.domain.events.service import record_event
from polytask.domain.workspaces.service import workspace_zone
from polytask.models import Automation, AutomationRun, Event

# The depth of the run whose actions this unit of work is doing (set by `execute_run`).
DEPTH_KEY = "polytask.automation_depth"
AUTOMATION_CREDENTIAL = "automation"

_ANY_ENABLED = Prepared(
    select(Automation.id)
    .where(
        Automation.workspace_id.in_(bindparam("ids", expanding=True)),
        Automation.trigger_kind == "event",
        Automation.enabled.is_(True),
    )
    .limit(1),
    expanding="ids",
)


def _max_depth() -> int:
    return get_settings().automation_max_depth


def enqueue_runs(session: Session, events: list[Event]) -> int:
    """One pending run per (event, enabled automation triggered by it); returns how many."""
    workspace_ids = {e.workspace_id for e in events if e.workspace_id is not None}
    if not workspace_ids or not _ANY_ENABLED.rows(session, {"ids": sorted(workspace_ids)}):
        return 0
    by_workspace: dict[int, list[Automation]] = defaultdict(list)
    for automation in session.scalars(
        select(Automation)
        .where(
            Automation.workspace_id.in_(workspace_ids),
            Automation.trigger_kind == "event",
            Automation.enabled.is_(True),
        )
        .order_by(Automation.id)
    ):
        by_workspace[automation.workspace_id].append(automation)
    current = session.info.get(DEPTH_KEY)
    limit = _max_depth()
    now = utcnow()
    count = 0
    for event in events:
        by_automation = event.credential_kind == AUTOMATION_CREDENTIAL
        depth = (current if current is not None else 0) + 1 if by_automation else 0
        for automation in by_workspace.get(event.workspace_id or 0, []):
            if not matches([automation.event_type], event.type):
                continue
            if automation.project_id is not None and automation.project_id != event.project_id:
                continue
            # An automation never reacts to its own changes; chains stop past the depth limit.
            if by_automation and (event.credential_id == automation.id or depth > limit):
                continue
            session.add(
                AutomationRun(
                    automation_id=automation.id,
                    workspace_id=automation.workspace_id,
                    trigger_kind="event",
                    event_id=event.id,
                    event_type=event.type,
                    payload={},
                    depth=depth,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    actions_done=[],
                    created_at=now,
                )
            )
            count += 1
    return count


def queue_runs(session: Session, events: list[Event], written: list[int], workspaces: set[int] | None) -> int:
    """The automations' part in every commit that recorded events (events/service.py `fan_out_to`):
    runs for the new events, and for a bulk writer's rows, loaded in chunks only when an enabled
    automation may hear them."""
    queued = enqueue_runs(session, events) if events else 0
    if written and _automations_listen(session, written, workspaces):
        for start in range(0, len(written), 1000):
            chunk = list(session.scalars(select(Event).where(Event.id.in_(written[start : start + 1000]))))
            queued += enqueue_runs(session, chunk)
            for event in chunk:
                session.expunge(event)
    if queued:
        session.flush()
        after_commit(session, _wake_runners)
    return 0  # no webhook deliveries


def _automations_listen(session: Session, event_ids: list[int], known: set[int] | None) -> bool:
    """Whether an enabled event automation belongs to a workspace of these events (one cheap
    query, or one per 1,000 ids when the writers did not name the workspaces)."""
    if known is not None:
        return bool(known) and bool(_ANY_ENABLED.rows(session, {"ids": sorted(known)}))
    for start in range(0, len(event_ids), 1000):
        in_workspaces = select(Event.workspace_id).where(Event.id.in_(event_ids[start : start + 1000])).distinct()
        found = session.scalar(
            select(Automation.id)
            .where(
                Automation.trigger_kind == "event",
                Automation.enabled.is_(True),
                Automation.workspace_id.in_(in_workspaces),
            )
            .limit(1)
        )
        if found is not None:
            return True
    return False


_listeners: set[Callable[[], None]] = set()
_listeners_lock = threading.Lock()


def subscribe(wake: Callable[[], None]) -> None:
    """Call `wake()` (from any thread) after each commit in this process that queued runs."""
    with _listeners_lock:
        _listeners.add(wake)


def unsubscribe(wake: Callable[[], None]) -> None:
    with _listeners_lock:
        _listeners.discard(wake)


def _wake_runners() -> None:
    with _listeners_lock:
        listeners = list(_listeners)
    for wake in listeners:
        wake()


# --- running ----------------------------------------------------------------------------------------


def due_run_ids(session: Session, *, limit: int = 50) -> list[int]:
    """Pending runs whose time has come, oldest first."""
    now = utcnow()
    return list(
        session.scalars(
            select(AutomationRun.id)
            .where(AutomationRun.status == "pending", AutomationRun.next_attempt_at <= now)
            .order_by(AutomationRun.id)
            .limit(limit)
        )
    )


def _lock(session: Session, run_id: int) -> AutomationRun | None:
    query = select(AutomationRun).where(
        AutomationRun.id == run_id,
        AutomationRun.status == "pending",
        AutomationRun.next_attempt_at <= utcnow(),
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def _trigger_of(session: Session, run: AutomationRun) -> Trigger:
    if run.event_id is None:
        return Trigger(run.trigger_kind, None, None, None, None, None, dict(run.payload))
    event = session.get(Event, run.event_id)
    if event is None:
        raise DomainError("The triggering event is no longer in the log")
    task_id: int | None = None
    if event.resource_type == "task":
        task_id = event.resource_id
    elif event.resource_type == "comment" and isinstance(event.snapshot.get("task_id"), int):
        task_id = event.snapshot["task_id"]
    return Trigger("event", event.id, event.type, event.resource_type, event.resource_id, task_id, {})


def _result(run: AutomationRun) -> dict[str, Any]:
    return {
        "automation_id": run.automation_id,
        "run_id": run.id,
        "trigger_kind": run.trigger_kind,
        "event_id": run.event_id,
        "event_type": run.event_type,
        "depth": run.depth,
        "attempts": run.attempts,
        "actions_done": list(run.actions_done),
        "error": run.error,
    }


def _finish(run: AutomationRun, started: float) -> None:
    run.finished_at = utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)


def execute_run(session: Session, run_id: int, *, mail_from: str) -> str | None:
    """Run one pending run in the caller's transaction; the caller commits (or a crash rolls
    everything back, the row still pending). Returns the new status, or None when the run was
    not due, already done, or locked by another worker."""
    run = _lock(session, run_id)
    if run is None:
        return None
    started = time.monotonic()
    run.started_at = utcnow()
    run.attempts += 1
    automation = session.get(Automation, run.automation_id)
    assert automation is not None  # runs go with their automation (ON DELETE CASCADE)
    if not automation.enabled:
        run.status, run.matched, run.error = "skipped", None, "the automation is disabled"
        _finish(run, started)
        return "skipped"
    session.info[DEPTH_KEY] = run.depth
    actor = owner_actor(session, automation)
    trigger = _trigger_of(session, run)
    matched = True
    if trigger.resource_id is not None and automation.conditions is not None and automation.event_type:
        matched = cond.matches(
            session, automation.conditions, automation.event_type, trigger.resource_id, user_id=actor.user_id
        )
    run.matched = matched
    if not matched:
        run.status = "skipped"
        _finish(run, started)
        return "skipped"
    done = [
        run_action(session, actor, automation, action, trigger, mail_from=mail_from)
        for action in parse_actions(automation.actions)
    ]
    run.actions_done = done
    run.status = "succeeded"
    run.error = None
    _finish(run, started)
    record_event(
        session,
        actor,
        type="automation.run_succeeded",
        resource_type="automation",
        resource_id=automation.id,
        workspace_id=automation.workspace_id,
        snapshot=_result(run),
    )
    return "succeeded"


def record_failure(session: Session, run_id: int, *, error: str, retry_seconds: list[float]) -> str | None:
    """After a run's transaction rolled back: count the attempt, and schedule a retry or give up
    (`automation.run_failed`). Returns the new status, or None when the run is not pending."""
    run = session.scalar(select(AutomationRun).where(AutomationRun.id == run_id, AutomationRun.status == "pending"))
    if run is None:
        return None
    run.attempts += 1
    run.error = error[:2000]
    now = utcnow()
    if run.attempts <= len(retry_seconds):
        run.next_attempt_at = now + timedelta(seconds=retry_seconds[run.attempts - 1])
        return "pending"
    run.status = "failed"
    run.finished_at = now
    automation = session.get(Automation, run.automation_id)
    assert automation is not None
    actor: Actor | None
    try:
        actor = owner_actor(session, automation)
    except DomainError:
        actor = None
    record_event(
        session,
        actor,
        type="automation.run_failed",
        resource_type="automation",
        resource_id=automation.id,
        workspace_id=automation.workspace_id,
        snapshot=_result(run),
    )
    return "failed"


# --- schedules and incoming URLs -----------------------------------------------------------------


def fire_due_schedules(session: Session, *, limit: int = 100) -> int:
    """Queue a run for each enabled schedule that is due, and move it to its next time."""
    now = utcnow()
    query = (
        select(Automation)
        .where(
            Automation.trigger_kind == "schedule",
            Automation.enabled.is_(True),
            Automation.next_run_at.is_not(None),
            Automation.next_run_at <= now,
        )
        .order_by(Automation.next_run_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    count = 0
    for automation in session.scalars(query).all():
        due: datetime | None = automation.next_run_at
        session.add(_manual_run(automation, "schedule", {"due_at": isoformat(due) if due else None}, now))
        zone = workspace_zone(session, automation.workspace_id)[1]
        automation.next_run_at = schedules.next_after(automation.trigger, now, zone)
        count += 1
    return count


def _manual_run(automation: Automation, kind: str, payload: dict[str, Any], now: datetime) -> AutomationRun:
    return AutomationRun(
        automation_id=automation.id,
        workspace_id=automation.workspace_id,
        trigger_kind=kind,
        event_id=None,
        event_type=None,
        payload=payload,
        depth=0,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        actions_done=[],
        created_at=now,
    )


def queue_hook_run(session: Session, automation: Automation, payload: dict[str, Any]) -> AutomationRun:
    """A run for a POST to the automation's incoming URL (the body kept as its payload)."""
    run = _manual_run(automation, "webhook", payload, utcnow())
    session.add(run)
    session.flush()
    after_commit(session, _wake_runners)
    return run


FINISHED = ("succeeded", "skipped", "failed")


def prune_runs(session: Session, *, before: datetime, limit: int) -> int:
    """Delete up to `limit` finished runs queued before `before` (the oldest first); pending
    ones stay whatever their age. A run is the idempotency record of its (automation, event)
    only while that event can still queue it, which is in the event's own transaction."""
    ids = session.scalars(
        select(AutomationRun.id)
        .where(AutomationRun.status.in_(FINISHED), AutomationRun.created_at < before)
        .order_by(AutomationRun.id)
        .limit(limit)
    ).all()
    if ids:
        session.execute(delete(AutomationRun).where(AutomationRun.id.in_(ids)))
    return len(ids)
