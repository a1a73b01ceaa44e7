"""/v1 task analytics (workspace and project): exact figures from fixed timestamps, bucket edges
in UTC and across a daylight-saving change, breakdowns, filters, bad input, isolation, permission
and scope. Tasks are created over HTTP; their created_at/completed_at are then set in the database
(the figures are about the past, which no request can write)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import update

from polytask.core.db import Database
from polytask.core.ids import parse_id
from polytask.models import Task
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _stamp(db: Database, task: dict[str, Any], created: str, completed: str | None = None) -> None:
    values: dict[str, Any] = {"created_at": _at(created)}
    if completed is not None:
        values |= {"completed_at": _at(completed), "status": "completed"}
    with db.engine.begin() as conn:
        conn.execute(update(Task).where(Task.id == parse_id("task", task["id"])).values(**values))


def _get(client: httpx.Client, url: str, who: Person, **params: str) -> dict[str, Any]:
    r = client.get(url, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    attrs: dict[str, Any] = r.json()["data"]["attributes"]
    return attrs


def _cycles(count: int, average: int | None = None, p50: int | None = None, p90: int | None = None) -> dict[str, Any]:
    return {"count": count, "average_seconds": average, "p50_seconds": p50, "p90_seconds": p90}


def _bucket(
    start: str,
    end: str,
    created: int = 0,
    rate: float = 0.0,
    cycle: dict[str, Any] | None = None,
    overdue: int = 0,
) -> dict[str, Any]:
    cycle = cycle or _cycles(0)
    return {
        "start": start,
        "end": end,
        "created": created,
        "completed": cycle["count"],
        "completion_rate": rate,
        "overdue": overdue,
        "cycle_time": cycle,
    }


def _seed(client: httpx.Client, db: Database) -> dict[str, Any]:
    """Two projects of Alice's workspace; Bob is a member. Period: 2026-03-02 (Mon) to 03-15 (Sun)."""
    alice = make_person(db, name="Alice")
    bob = make_person(db, name="Bob")
    join(db, alice, bob)
    p = make_project(client, alice, name="P")
    q = make_project(client, alice, name="Q")
    r = client.post(f"/v1/projects/{p}/sections", json={"name": "Doing"}, headers=alice.headers)
    assert r.status_code == 201, r.text
    section = r.json()["data"]["id"]
    t1 = make_task(client, alice, p, assignee_ids=[alice.id], labels=["x"], section_id=section)
    t2 = make_task(client, alice, p, assignee_ids=[bob.id], labels=["x", "y"], due_date="2026-03-02T13:00:00Z")
    t3 = make_task(client, alice, p, due_date="2026-03-05T00:00:00Z")
    t4 = make_task(client, alice, q, assignee_ids=[alice.id, bob.id])
    t5 = make_task(client, alice, p, assignee_ids=[bob.id])
    t6 = make_task(client, alice, p, due_date="2026-03-01T00:00:00Z")
    t7 = make_task(client, alice, p, due_date="2026-03-12T00:00:00Z")
    # A completion at 23:59:59 and one at 00:00:01 the next day fall in different days.
    _stamp(db, t1, "2026-03-02 10:00:00", "2026-03-02 23:59:59")  # 50399 s
    # Overdue from 13:00 until one second past midnight: at the end of 03-02, not of 03-03.
    _stamp(db, t2, "2026-03-02 12:00:00", "2026-03-03 00:00:01")  # 43201 s
    _stamp(db, t3, "2026-03-03 08:00:00")  # open, overdue since 03-05
    # Created on the first week's Sunday, completed on the second week's Monday.
    _stamp(db, t4, "2026-03-08 23:30:00", "2026-03-09 00:30:00")  # 3600 s
    _stamp(db, t5, "2026-02-28 12:00:00", "2026-03-04 12:00:00")  # created before the period: 345600 s (4 days)
    _stamp(db, t6, "2026-03-16 00:00:00")  # created just after the period: in nothing
    _stamp(db, t7, "2026-03-10 09:00:00", "2026-03-20 09:00:00")  # completed after it: overdue at its end
    return {"alice": alice, "bob": bob, "p": p, "q": q, "section": section}


PERIOD = {"from": "2026-03-02", "to": "2026-03-15"}
ALL_CYCLES = _cycles(4, 110700, 43201, 345600)  # 3600, 43201, 50399, 345600


def test_workspace_figures_by_day_and_week(client: httpx.Client, db: Database) -> None:
    s = _seed(client, db)
    alice = s["alice"]
    url = f"/v1/workspaces/{alice.workspace}/analytics"
    r = client.get(url, params=PERIOD, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["type"], r.json()["data"]["id"]) == ("analytics", alice.workspace)
    again = client.get(url, params=PERIOD, headers={**alice.headers, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304, again.text
    days = r.json()["data"]["attributes"]
    totals = {"created": 5, "completed": 4, "completion_rate": 60.0, "overdue": 2, "cycle_time": ALL_CYCLES}
    assert days["totals"] == {**totals, "throughput": 0.29}
    assert {k: days[k] for k in ("from", "to", "interval", "group_by", "time_zone", "as_of", "groups")} == {
        "from": "2026-03-02",
        "to": "2026-03-15",
        "interval": "day",
        "group_by": "none",
        "time_zone": "UTC",
        "as_of": "2026-03-16T00:00:00Z",
        "groups": [],
    }
    assert (days["workspace_id"], days["project_id"], days["assignee_id"]) == (alice.workspace, None, None)
    # Overdue at each day's end: t2 on 03-02 only; t3 (due 03-05 00:00) from 03-05; t7 from 03-12.
    late = {d: (d == 2) + (d >= 5) + (d >= 12) for d in range(2, 16)}
    expected = {d: _bucket(f"2026-03-{d:02d}", f"2026-03-{d:02d}", overdue=late[d]) for d in range(2, 16)}
    expected[2] = _bucket("2026-03-02", "2026-03-02", 2, 100.0, _cycles(1, 50399, 50399, 50399), late[2])
    expected[3] = _bucket("2026-03-03", "2026-03-03", 1, 0.0, _cycles(1, 43201, 43201, 43201), late[3])
    expected[4] = _bucket("2026-03-04", "2026-03-04", 0, 0.0, _cycles(1, 345600, 345600, 345600), late[4])
    expected[8] = _bucket("2026-03-08", "2026-03-08", 1, 100.0, overdue=late[8])
    expected[9] = _bucket("2026-03-09", "2026-03-09", 0, 0.0, _cycles(1, 3600, 3600, 3600), late[9])
    expected[10] = _bucket("2026-03-10", "2026-03-10", 1, 0.0, overdue=late[10])
    assert days["series"] == list(expected.values())

    weeks = _get(client, url, alice, **PERIOD, interval="week")
    assert weeks["totals"] == {**totals, "throughput": 2.0}
    assert weeks["series"] == [
        _bucket("2026-03-02", "2026-03-08", 4, 75.0, _cycles(3, 146400, 50399, 345600), overdue=1),
        _bucket("2026-03-09", "2026-03-15", 1, 0.0, _cycles(1, 3600, 3600, 3600), overdue=2),
    ]
    # A period starting mid-week: its first and last weeks are clipped to it.
    clipped = _get(client, url, alice, **{"from": "2026-03-04", "to": "2026-03-10", "interval": "week"})
    assert [(b["start"], b["end"], b["created"], b["completed"]) for b in clipped["series"]] == [
        ("2026-03-04", "2026-03-08", 1, 1),
        ("2026-03-09", "2026-03-10", 1, 1),
    ]
    # An empty period is zero-filled.
    empty = _get(client, url, alice, **{"from": "2025-01-01", "to": "2025-01-03"})
    assert empty["series"] == [_bucket(f"2025-01-0{d}", f"2025-01-0{d}") for d in (1, 2, 3)]
    assert empty["totals"] == {
        "created": 0,
        "completed": 0,
        "completion_rate": 0.0,
        "overdue": 0,
        "throughput": 0.0,
        "cycle_time": _cycles(0),
    }

    # Filters: a project of the workspace, an assignee; the project's own route.
    only_q = _get(client, url, alice, **PERIOD, project_id=s["q"])
    assert (only_q["project_id"], only_q["totals"]["created"], only_q["totals"]["completed"]) == (s["q"], 1, 1)
    bobs = _get(client, url, alice, **PERIOD, assignee_id=s["bob"].id)
    assert (bobs["assignee_id"], bobs["totals"]["created"], bobs["totals"]["completed"]) == (s["bob"].id, 2, 3)
    r = client.get(f"/v1/projects/{s['p']}/analytics", params={**PERIOD, "interval": "week"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["id"] == s["p"]
    project = r.json()["data"]["attributes"]
    assert project["totals"] == {
        "created": 4,
        "completed": 3,
        "completion_rate": 50.0,
        "overdue": 2,
        "throughput": 1.5,
        "cycle_time": _cycles(3, 146400, 50399, 345600),
    }


def test_breakdowns_by_assignee_section_and_label(client: httpx.Client, db: Database) -> None:
    s = _seed(client, db)
    alice, bob = s["alice"], s["bob"]
    url = f"/v1/workspaces/{alice.workspace}/analytics"
    by_person = _get(client, url, alice, **PERIOD, interval="week", group_by="assignee")
    # A task with two assignees counts for each; the totals count it once.
    assert by_person["totals"]["created"] == 5
    groups = {(g["key"], g["name"]): g for g in by_person["groups"]}
    assert list(groups) == [(alice.id, "Alice"), (bob.id, "Bob"), (None, None)]
    assert groups[(alice.id, "Alice")]["totals"] == {
        "created": 2,
        "completed": 2,
        "completion_rate": 100.0,
        "overdue": 0,
        "throughput": 1.0,
        "cycle_time": _cycles(2, 27000, 3600, 50399),  # (3600 + 50399) / 2 = 26999.5, half up
    }
    assert [b["completed"] for b in groups[(alice.id, "Alice")]["series"]] == [1, 1]
    assert groups[(bob.id, "Bob")]["totals"]["cycle_time"] == _cycles(3, 130800, 43201, 345600)
    assert [b["created"] for b in groups[(bob.id, "Bob")]["series"]] == [2, 0]
    unassigned = groups[(None, None)]["totals"]
    assert (unassigned["created"], unassigned["completed"], unassigned["overdue"]) == (2, 0, 2)

    by_label = _get(client, url, alice, **PERIOD, group_by="label")
    assert [(g["key"], g["name"], g["totals"]["created"], g["totals"]["completed"]) for g in by_label["groups"]] == [
        ("x", "x", 2, 2),
        ("y", "y", 1, 1),
        (None, None, 3, 2),
    ]
    assert len(by_label["groups"][0]["series"]) == 14

    by_section = _get(client, url, alice, **PERIOD, group_by="section")
    assert [(g["key"], g["name"], g["totals"]["created"]) for g in by_section["groups"]] == [
        (s["section"], "Doing", 1),
        (None, None, 4),
    ]


def test_days_follow_the_workspace_time_zone_across_daylight_saving(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}",
        json={"settings": {"timezone": "America/New_York"}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    project = make_project(client, alice)
    # New York: EST (UTC-5) until 2026-03-08 07:00 UTC, then EDT (UTC-4).
    for created in (
        "2026-03-07 04:59:59",  # 03-06 23:59:59 EST: before the period
        "2026-03-08 04:59:59",  # 03-07 23:59:59 EST
        "2026-03-08 05:00:00",  # 03-08 00:00:00 EST
        "2026-03-09 03:59:59",  # 03-08 23:59:59 EDT
        "2026-03-09 04:00:00",  # 03-09 00:00:00 EDT
        "2026-03-10 04:00:00",  # 03-10 00:00:00 EDT: after the period
    ):
        _stamp(db, make_task(client, alice, project), created)
    attrs = _get(client, f"/v1/projects/{project}/analytics", alice, **{"from": "2026-03-07", "to": "2026-03-09"})
    assert attrs["time_zone"] == "America/New_York"
    assert attrs["as_of"] == "2026-03-10T04:00:00Z"
    assert [(b["start"], b["created"]) for b in attrs["series"]] == [
        ("2026-03-07", 1),
        ("2026-03-08", 2),
        ("2026-03-09", 1),
    ]
    # The default period: the last 30 days of the workspace's calendar, today included.
    before = datetime.now(ZoneInfo("America/New_York")).date()
    default = _get(client, f"/v1/projects/{project}/analytics", alice)
    after = datetime.now(ZoneInfo("America/New_York")).date()
    assert (default["from"], default["to"]) in {
        ((d - timedelta(days=29)).isoformat(), d.isoformat()) for d in (before, after)
    }
    assert len(default["series"]) == 30


def test_bad_input_isolation_permission_and_scope(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    bob = make_person(db)
    join(db, alice, bob)
    carol = make_person(db)
    project = make_project(client, alice)
    carols = make_project(client, carol)
    url = f"/v1/workspaces/{alice.workspace}/analytics"

    def refused(params: dict[str, str], field: str) -> None:
        r = client.get(url, params=params, headers=alice.headers)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["error"]["details"]["field"] == field, r.text

    refused({"from": "2026-03-10", "to": "2026-03-01"}, "from")
    refused({"from": "2025-01-01", "to": "2026-01-02"}, "to")  # 366 days is the most by day
    refused({"from": "2023-01-01", "to": "2026-01-01", "interval": "week"}, "to")
    refused({"group_by": "team"}, "group_by")
    refused({"interval": "month"}, "interval")
    refused({"from": "2026-02-30"}, "from")
    refused({"to": "yesterday"}, "to")
    refused({"to": "9999-12-31"}, "to")
    refused({"from": "0001-01-01"}, "from")
    refused({"from": "\uff12\uff10\uff12\uff16-01-01"}, "from")  # fullwidth digits
    refused({"assignee_id": "nobody"}, "assignee_id")
    refused({"project_id": "task_1"}, "project_id")
    refused({"colour": "red"}, "colour")
    r = client.get(f"/v1/projects/{project}/analytics", params={"project_id": project}, headers=alice.headers)
    assert r.status_code == 422, r.text
    # The most a week series may span is accepted.
    assert (
        client.get(
            url, params={"from": "2025-01-01", "to": "2026-01-01", "interval": "week"}, headers=alice.headers
        ).status_code
        == 200
    )

    # Another workspace, its project, or one named as a filter: 404, as for a missing one.
    assert client.get(url, headers=carol.headers).status_code == 404
    assert client.get(f"/v1/projects/{project}/analytics", headers=carol.headers).status_code == 404
    assert client.get(url, params={"project_id": carols}, headers=alice.headers).status_code == 404
    assert client.get("/v1/projects/project_999999/analytics", headers=alice.headers).status_code == 404
    assert client.get(url).status_code == 401
    # A member without the view_analytics permission: 403; given it, 200.
    r = client.get(f"/v1/projects/{project}/analytics", headers=bob.headers)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["details"]["required_permission"] == "view_analytics"
    r = client.patch(
        f"/v1/workspaces/{alice.workspace}/users/{bob.id}",
        json={"permissions": {"view_analytics": True}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    assert client.get(url, headers=bob.headers).status_code == 200
    # A key without tasks:read: 403 naming the scope.
    narrow = make_person(db, scopes=["projects:read"])
    r = client.get(f"/v1/workspaces/{narrow.workspace}/analytics", headers=narrow.headers)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["details"]["required_scope"] == "tasks:read"
    reader = make_person(db, scopes=["tasks:read"])
    assert client.get(f"/v1/workspaces/{reader.workspace}/analytics", headers=reader.headers).status_code == 200


def test_subtasks_and_archived_projects_count_deleted_ones_do_not(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    archived = make_project(client, alice, name="Old")
    parent = make_task(client, alice, archived)
    make_task(client, alice, archived, parent_id=parent["id"])
    r = client.patch(f"/v1/projects/{archived}", json={"status": "archived"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    gone = make_project(client, alice, name="Gone")
    make_task(client, alice, gone)
    url = f"/v1/workspaces/{alice.workspace}/analytics"
    assert _get(client, url, alice)["totals"]["created"] == 3
    assert client.delete(f"/v1/projects/{gone}", headers=alice.headers).status_code == 204
    assert _get(client, url, alice)["totals"]["created"] == 2
    assert _get(client, f"/v1/projects/{archived}/analytics", alice)["totals"]["created"] == 2


def test_overdue_in_buckets_past_now_is_the_count_now(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    today = datetime.now(UTC).date()
    due = today - timedelta(days=3)
    task = make_task(client, alice, project, due_date=f"{due.isoformat()}T00:00:00Z")
    _stamp(db, task, f"{today - timedelta(days=5)} 12:00:00")
    first = today - timedelta(days=7)
    attrs = _get(
        client, f"/v1/projects/{project}/analytics", alice, **{"from": str(first), "to": str(today + timedelta(days=7))}
    )
    # Overdue from the end of its due day on, and in the days still to come as it is now.
    assert [b["overdue"] for b in attrs["series"]] == [0] * 4 + [1] * 11
    assert attrs["totals"]["overdue"] == 1
    assert attrs["as_of"] < f"{today + timedelta(days=8)}T00:00:00Z"
