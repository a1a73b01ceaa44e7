"""The runner, one pass at a time: a matching create fires once, a non-matching one never, a
crash between the actions and the commit leaves nothing to double, an automation's own
changes do not retrigger it, chains stop at the depth limit, failures retry then fail."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.automations import runner
from polytask.models import AutomationRun, Event
from polytask.worker.automations import prune_runs_now
from tests.automations.helpers import assignees_of, comments_of, drain, make_automation, runs
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task

TRIAGE = "Picked up by triage"


def _triage(client: httpx.Client, owner: Person, assignee: Person) -> dict[str, Any]:
    return make_automation(
        client,
        owner,
        name="Triage",
        trigger={"kind": "event", "event": "task.created"},
        conditions="priority = high",
        actions=[{"type": "assign", "assignee": assignee.email}, {"type": "add_comment", "body": TRIAGE}],
    )


def test_a_matching_create_fires_once_and_a_non_matching_one_never(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner, x = make_person(db), make_person(db)
    join(db, owner, x)
    automation = _triage(client, owner, x)
    project = make_project(client, owner)
    high = [make_task(client, owner, project, name=f"H{n}", priority="high")["id"] for n in range(2)]
    low = make_task(client, owner, project, name="L", priority="low")["id"]
    # Queued in the transaction of each create, nothing run yet.
    assert [r.status for r in runs(db)] == ["pending"] * 3
    assert drain(db, settings) == 3
    assert drain(db, settings) == 0  # nothing left, and a second pass finds nothing to do again
    for task in high:
        assert assignees_of(client, owner, task) == [x.id]
        assert comments_of(client, owner, task) == [TRIAGE]
    assert assignees_of(client, owner, low) == []
    assert comments_of(client, owner, low) == []
    # The automation's own task.updated and comment.created queued nothing.
    assert sorted(r.status for r in runs(db)) == ["skipped", "succeeded", "succeeded"]
    listed = client.get(f"/v1/automations/{automation['id']}/runs", headers=owner.headers)
    assert listed.status_code == 200, listed.text
    done = [r["attributes"] for r in listed.json()["data"] if r["attributes"]["status"] == "succeeded"]
    assert len(done) == 2
    assert [a["type"] for a in done[0]["actions_done"]] == ["assign", "add_comment"]
    assert (done[0]["event"], done[0]["matched"], done[0]["attempts"]) == ("task.created", True, 1)
    filtered = client.get(
        f"/v1/automations/{automation['id']}/runs", params={"status": "skipped"}, headers=owner.headers
    )
    assert [r["attributes"]["matched"] for r in filtered.json()["data"]] == [False]
    # The actions' events are recorded like any change, by the owner through the automation.
    with db.unit_of_work(readonly=True) as session:
        kinds = session.execute(
            select(Event.type, Event.credential_kind, Event.actor_user_id).where(Event.type == "comment.created")
        ).all()
        succeeded = session.scalars(select(Event.type).where(Event.type.like("automation.run_%"))).all()
    assert kinds == [("comment.created", "automation", owner.user_id)] * 2
    assert succeeded == ["automation.run_succeeded"] * 2


def test_a_crash_between_the_actions_and_the_commit_does_not_double(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner, x = make_person(db), make_person(db)
    join(db, owner, x)
    _triage(client, owner, x)
    project = make_project(client, owner)
    task = make_task(client, owner, project, priority="high")["id"]
    [run] = runs(db)

    class Crash(Exception):
        pass

    try:
        with db.unit_of_work() as session:
            assert runner.execute_run(session, run.id, mail_from=settings.mail_from) == "succeeded"
            raise Crash  # the process dies after the actions, before the commit
    except Crash:
        pass
    assert comments_of(client, owner, task) == []
    assert assignees_of(client, owner, task) == []
    [again] = runs(db)
    assert (again.status, again.attempts) == ("pending", 0)
    assert drain(db, settings) == 1
    assert drain(db, settings) == 0
    assert comments_of(client, owner, task) == [TRIAGE]
    assert assignees_of(client, owner, task) == [x.id]
    # A second worker that had read the run as due finds it done: nothing runs twice.
    with db.unit_of_work() as session:
        assert runner.execute_run(session, run.id, mail_from=settings.mail_from) is None
    assert comments_of(client, owner, task) == [TRIAGE]


def test_an_automation_never_retriggers_itself(client: httpx.Client, db: Database, settings: Settings) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    task = make_task(client, owner, project)["id"]
    make_automation(
        client,
        owner,
        name="Tag every change",
        trigger={"kind": "event", "event": "task.updated"},
        actions=[
            {"type": "update_fields", "fields": {"description": "touched"}},
            {"type": "add_label", "label": "seen"},
        ],
    )
    assert client.patch(f"/v1/tasks/{task}", json={"name": "Renamed"}, headers=owner.headers).status_code == 200
    assert drain(db, settings) == 1
    assert [(r.status, r.depth) for r in runs(db)] == [("succeeded", 0)]
    shown = client.get(f"/v1/tasks/{task}", headers=owner.headers).json()["data"]["attributes"]
    assert (shown["description"], shown["labels"]) == ("touched", ["seen"])


def test_a_chain_of_automations_stops_at_the_depth_limit(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    """A and B each answer every comment with a comment: without a limit they would talk forever."""
    owner = make_person(db)
    project = make_project(client, owner)
    task = make_task(client, owner, project)["id"]
    for name in ("A", "B"):
        make_automation(
            client,
            owner,
            name=name,
            trigger={"kind": "event", "event": "comment.created"},
            actions=[{"type": "add_comment", "body": f"from {name}"}],
        )
    r = client.post(f"/v1/tasks/{task}/comments", json={"body": "hello"}, headers=owner.headers)
    assert r.status_code == 201
    drain(db, settings)
    depths = sorted(r.depth for r in runs(db))
    limit = settings.automation_max_depth
    assert depths == sorted(list(range(limit + 1)) * 2)
    assert len(comments_of(client, owner, task)) == 1 + 2 * (limit + 1)


def test_a_failing_run_keeps_nothing_retries_and_then_fails(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner = make_person(db)
    project = make_project(client, owner)
    r = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=owner.headers)
    assert r.status_code == 201, r.text
    section = r.json()["data"]["id"]
    automation = make_automation(
        client,
        owner,
        f"/v1/projects/{project}/automations",
        name="Comment then move",
        trigger={"kind": "event", "event": "task.created"},
        actions=[{"type": "add_comment", "body": "moving"}, {"type": "move_to_section", "section_id": section}],
    )
    assert client.delete(f"/v1/projects/{project}/sections/{section}", headers=owner.headers).status_code == 204
    task = make_task(client, owner, project)["id"]
    once = settings.model_copy(update={"automation_retry_schedule": "30"})
    drain(db, once)
    [run] = runs(db)
    assert (run.status, run.attempts) == ("pending", 1)
    assert run.error is not None
    assert "section_id" in run.error
    assert run.next_attempt_at.replace(tzinfo=UTC) > utcnow() + timedelta(seconds=20)
    assert comments_of(client, owner, task) == []  # the comment went with the failed transaction
    with db.unit_of_work() as session:  # the retry's time comes (moved back by hand, no sleep)
        session.execute(update(AutomationRun).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    drain(db, once)
    [run] = runs(db)
    assert (run.status, run.attempts) == ("failed", 2)
    assert comments_of(client, owner, task) == []
    shown = client.get(f"/v1/automations/{automation['id']}/runs", headers=owner.headers).json()["data"]
    assert shown[0]["attributes"]["status"] == "failed"
    assert "section_id" in shown[0]["attributes"]["error"]
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(Event.type).where(Event.type.like("automation.run_%"))).all() == [
            "automation.run_failed"
        ]


def test_finished_runs_past_the_retention_are_pruned_and_pending_ones_stay(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    owner, x = make_person(db), make_person(db)
    join(db, owner, x)
    automation = _triage(client, owner, x)
    project = make_project(client, owner)
    for n, priority in enumerate(("high", "low", "high")):
        make_task(client, owner, project, name=f"T{n}", priority=priority)
    assert drain(db, settings) == 3
    first, second, third = (r.id for r in runs(db))
    # Two finished runs grow old (moved back by hand), one is queued again as still pending.
    old = utcnow() - timedelta(days=settings.automation_run_retention_days + 1)
    with db.unit_of_work() as session:
        session.execute(update(AutomationRun).where(AutomationRun.id.in_([first, second])).values(created_at=old))
        session.execute(update(AutomationRun).where(AutomationRun.id == third).values(status="pending", created_at=old))
    assert prune_runs_now(db, settings) == 2
    assert [(r.id, r.status) for r in runs(db)] == [(third, "pending")]
    listed = client.get(f"/v1/automations/{automation['id']}/runs", headers=owner.headers).json()["data"]
    assert [r["id"] for r in listed] == [f"automation_run_{third}"]
    assert prune_runs_now(db, settings) == 0
