"""Bulk task creation, bulk update/delete by filter and bulk projects (the specs' examples)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import Event, Project, Task
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def count_tasks(db: Database, project: str) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(
            session.scalar(select(func.count(Task.id)).where(Task.project_id == int(project.split("_")[1]))) or 0
        )


def events_of(db: Database, kind: str, ids: list[str]) -> int:
    pks = [int(i.split("_")[1]) for i in ids]
    with db.unit_of_work(readonly=True) as session:
        stmt = select(func.count(Event.id)).where(Event.type == kind, Event.resource_id.in_(pks))
        return int(session.scalar(stmt.where(Event.resource_type == "task")) or 0)


def team(db: Database, n: int) -> list[Person]:
    people = [make_person(db) for _ in range(n)]
    for p in people[1:]:
        join(db, people[0], p)
    return people


def test_developer_api_bulk_create_example(client: httpx.Client, db: Database) -> None:
    alice, u1, u2, u3 = team(db, 4)
    project = make_project(client, alice)
    body = {
        "tasks": [
            {"name": "Task 1", "assignee_id": u1.id},
            {"name": "Task 2", "assignee_id": u2.id},
            {"name": "Task 3", "assignee_id": u3.email},
        ]
    }
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert [d["attributes"]["name"] for d in data] == ["Task 1", "Task 2", "Task 3"]
    assert [d["attributes"]["assignee_id"] for d in data] == [u1.id, u2.id, u3.id]
    assert r.json()["meta"] == {"created": 3}
    positions = [d["attributes"]["position"] for d in data]
    assert positions == sorted(positions)
    assert len(set(positions)) == 3
    assert events_of(db, "task.created", [d["id"] for d in data]) == 3
    listed = client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"]
    assert [t["id"] for t in listed] == [d["id"] for d in data]


def test_guide_bulk_create_example_flat_form(client: httpx.Client, db: Database) -> None:
    alice, u1 = team(db, 2)
    p1, p2 = make_project(client, alice), make_project(client, alice)
    body = {
        "tasks": [
            {"name": "Design mockups", "assignee": u1.id, "project_id": p1},
            {"name": "Write documentation", "assignee": alice.id, "project_id": p2},
            {"name": "Code review", "assignee": u1.id, "project_id": p1, "status": "completed", "labels": ["x"]},
        ]
    }
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert [d["attributes"]["project_id"] for d in data] == [p1, p2, p1]
    assert data[2]["attributes"]["status"] == "completed"
    assert data[2]["attributes"]["completed_at"] is not None
    assert data[2]["attributes"]["labels"] == ["x"]
    assert events_of(db, "task.completed", [data[2]["id"]]) == 1
    got = client.get(f"/v1/tasks/{data[2]['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert got["labels"] == ["x"]
    assert got["assignee_id"] == u1.id


def test_guide_bulk_create_without_projects_is_refused_with_a_pointer(client: httpx.Client, db: Database) -> None:
    """The guide's `api.post('/tasks/bulk', {tasks: [{name, assignee}, ...]})` names no project:
    a 422 pointing at the first task without one, saying where to name it; nothing written."""
    alice, u1 = team(db, 2)
    project = make_project(client, alice)
    body = {
        "tasks": [
            {"name": "Design mockups", "assignee": u1.id, "project_id": project},
            {"name": "Write documentation", "assignee": alice.id},
            {"name": "Code review", "assignee": u1.id},
        ]
    }
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "VALIDATION_ERROR"
    assert err["details"]["source"] == {"pointer": "/tasks/1/project_id"}
    assert err["details"]["field"] == "tasks[1].project_id"
    assert "once at the top level" in err["details"]["issue"]
    assert "once at the top level" in err["message"]
    assert [(e["index"], e["field"]) for e in err["details"]["errors"]] == [(1, "project_id"), (2, "project_id")]
    assert count_tasks(db, project) == 0  # the first task was valid, and is not written either


def test_bulk_create_top_level_project_id_applies_where_a_task_names_none(client: httpx.Client, db: Database) -> None:
    alice, u1 = team(db, 2)
    p1, p2 = make_project(client, alice), make_project(client, alice)
    body = {
        "project_id": p1,
        "tasks": [
            {"name": "Design mockups", "assignee": u1.id},
            {"name": "Write documentation", "assignee_id": alice.id, "project_id": p2},
            {"name": "Code review", "assignee": u1.email},
        ],
    }
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert [d["attributes"]["project_id"] for d in data] == [p1, p2, p1]
    assert [d["attributes"]["assignee_id"] for d in data] == [u1.id, alice.id, u1.id]
    assert count_tasks(db, p1) == 2
    assert count_tasks(db, p2) == 1
    # A top-level project you cannot see is a 422 on `project_id`, and nothing is written.
    mallory = make_person(db)
    foreign = make_project(client, mallory)
    body = {"project_id": foreign, "tasks": [{"name": "a", "project_id": p2}, {"name": "b"}]}
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "project_id"
    assert count_tasks(db, p2) == 1
    assert count_tasks(db, foreign) == 0
    # It goes with `tasks` only; the nested route has its project in the path.
    body = {"project_id": p1, "operations": [{"operation": "delete", "filter": {"project_id": p1}}]}
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"
    assert count_tasks(db, p1) == 2
    r = client.post(
        f"/v1/projects/{p1}/tasks/bulk", json={"project_id": p1, "tasks": [{"name": "x"}]}, headers=alice.headers
    )
    assert r.status_code == 422
    assert r.json()["error"]["details"]["issue"] == "unknown field"
    # /openapi.json shows it (and the test client checks every body above against it).
    spec = client.get("/openapi.json").json()
    ref = spec["paths"]["/v1/tasks/bulk"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "project_id" in schema["properties"]
    assert schema["additionalProperties"] is False


def test_bulk_create_is_all_or_none_and_names_each_index(client: httpx.Client, db: Database) -> None:
    alice, stranger = make_person(db), make_person(db)
    project = make_project(client, alice)
    tasks: list[dict[str, Any]] = [{"name": f"t{i}"} for i in range(6)]
    tasks[1] = {"name": ""}
    tasks[3] = {"name": "x", "assignee_id": stranger.id}
    tasks[5] = {"name": "y", "bogus": 1}
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": tasks}, headers=alice.headers)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "VALIDATION_ERROR"
    errors = err["details"]["errors"]
    assert {e["index"] for e in errors} == {1, 5}  # shape errors first; nothing else checked yet
    assert err["details"]["field"] == "tasks[1].name"
    assert count_tasks(db, project) == 0
    tasks[1] = {"name": "fine"}
    tasks[5] = {"name": "fine"}
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": tasks}, headers=alice.headers)
    assert r.status_code == 422
    assert [(e["index"], e["field"]) for e in r.json()["error"]["details"]["errors"]] == [(3, "assignee_id")]
    assert count_tasks(db, project) == 0


def test_bulk_create_limits_and_foreign_projects(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    project = make_project(client, alice)
    foreign = make_project(client, mallory)
    r = client.post(f"/v1/projects/{foreign}/tasks/bulk", json={"tasks": [{"name": "x"}]}, headers=alice.headers)
    assert r.status_code == 404
    body = {"tasks": [{"name": "a", "project_id": project}, {"name": "b", "project_id": foreign}]}
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["errors"][0]["index"] == 1
    assert count_tasks(db, project) == 0
    assert count_tasks(db, foreign) == 0
    r = client.post("/v1/tasks/bulk", json={"tasks": [{"name": "a"}]}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["errors"][0]["field"] == "project_id"
    assert r.json()["error"]["details"]["source"] == {"pointer": "/tasks/0/project_id"}
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": []}, headers=alice.headers)
    assert r.status_code == 422
    too_many = {"tasks": [{"name": "n"}] * 10_001}
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json=too_many, headers=alice.headers)
    assert r.status_code == 422
    assert "at most 10000" in r.json()["error"]["message"]
    r = client.post("/v1/tasks/bulk", json={"tasks": [], "operations": []}, headers=alice.headers)
    assert r.status_code == 422


def test_bulk_create_needs_write_role_and_scope(client: httpx.Client, db: Database) -> None:
    alice, viewer = make_person(db), make_person(db)
    join(db, alice, viewer, role="viewer")
    reader = make_person(db, scopes=["tasks:read"])
    project = make_project(client, alice)
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": [{"name": "x"}]}, headers=viewer.headers)
    assert r.status_code == 403
    r = client.post("/v1/tasks/bulk", json={"tasks": [{"name": "x", "project_id": project}]}, headers=reader.headers)
    assert r.status_code == 403
    assert count_tasks(db, project) == 0


def test_ten_thousand_tasks_in_one_request(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    body = {"tasks": [{"name": f"Task {i}", "labels": ["bulk"]} for i in range(10_000)]}
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json=body, headers=alice.headers, timeout=60)
    assert r.status_code == 201
    assert r.json()["meta"]["created"] == 10_000
    assert count_tasks(db, project) == 10_000
    listed = client.get(f"/v1/projects/{project}/tasks?labels=bulk&limit=1&total=true", headers=alice.headers)
    assert listed.json()["meta"]["total"] == 10_000


def snapshots_of(db: Database, task_id: str) -> dict[str, dict[str, Any]]:
    """Each event type's snapshot for one task."""
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(
            select(Event.type, Event.snapshot, Event.project_id, Event.client_ip).where(
                Event.resource_type == "task", Event.resource_id == int(task_id.split("_")[1])
            )
        )
        return {kind: {**snap, "_event": [project, ip]} for kind, snap, project, ip in rows}


def test_bulk_created_tasks_read_back_like_single_creates(client: httpx.Client, db: Database) -> None:
    """Rows written by the bulk path (raw multi-row inserts or COPY) are indistinguishable from
    a single create's: the rendered resource, the stored values read back, the events'
    snapshots, the search index, and the ids a later create gets."""
    alice, bob = team(db, 2)
    project = make_project(client, alice)
    fields: dict[str, Any] = {
        "description": "Tab\there, a backslash \\ and a newline\nin \u00e9t\u00e9 text",
        "status": "completed",
        "priority": "high",
        "assignee_ids": [bob.id, alice.id],
        "due_date": "2031-02-03T04:05:06.789Z",
        "start_date": "2031-01-02",
        "estimated_hours": 2.5,
        "progress": 40,
        "labels": ["one", "two"],
    }
    single = make_task(client, alice, project, name="Quarterly zebra review", **fields)
    r = client.post(
        f"/v1/projects/{project}/tasks/bulk",
        json={"tasks": [{"name": "Quarterly zebra bulk", **fields}, {"name": "Plain bulk task"}]},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    bulk, plain = r.json()["data"]
    # The response is what a later read returns.
    for created in (bulk, plain):
        got = client.get(f"/v1/tasks/{created['id']}", headers=alice.headers).json()["data"]
        assert got["attributes"] == created["attributes"]
        assert got["relationships"] == created["relationships"]
    moving = {"name", "position", "created_at", "updated_at", "completed_at"}
    same = {k: v for k, v in single["attributes"].items() if k not in moving}
    assert {k: v for k, v in bulk["attributes"].items() if k not in moving} == same
    assert bulk["attributes"]["completed_at"] is not None
    # The same events with the same snapshots (the webhooks and the changes feed send these).
    one, many = snapshots_of(db, single["id"]), snapshots_of(db, bulk["id"])
    assert set(one) == set(many) == {"task.created", "task.completed"}
    for kind in one:
        for snap in (one[kind], many[kind]):
            assert snap.pop("name").startswith("Quarterly zebra")
            assert snap.pop("position") > 0
            assert snap.pop("completed_at").endswith("Z")
        assert many[kind] == one[kind]
    # The search index knows the bulk-created tasks.
    found = client.get(f"/v1/projects/{project}/tasks", params={"search": "zebra"}, headers=alice.headers)
    assert sorted(t["id"] for t in found.json()["data"]) == sorted([single["id"], bulk["id"]])
    found = client.get("/v1/tasks", params={"search": "plain"}, headers=alice.headers)
    assert [t["id"] for t in found.json()["data"]] == [plain["id"]]
    # Ids reserved by the bulk write are never handed out again.
    later = make_task(client, alice, project, name="After the bulk")
    assert int(later["id"].split("_")[1]) > int(plain["id"].split("_")[1])
    with db.unit_of_work(readonly=True) as session:
        newest = session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
    assert (newest.type, newest.resource_id) == ("task.created", int(later["id"].split("_")[1]))


# --- update / delete by filter ------------------------------------------------------------------


def test_developer_api_bulk_operations_example(client: httpx.Client, db: Database) -> None:
    alice, old, new = team(db, 3)
    project = make_project(client, alice)
    mine = [make_task(client, alice, project, assignee_id=old.id)["id"] for _ in range(3)]
    other = make_task(client, alice, project, assignee_id=alice.id)["id"]
    cancelled = make_task(client, alice, project, status="cancelled")["id"]
    body = {
        "operations": [
            {"operation": "update", "filter": {"assignee_id": old.id}, "data": {"assignee_id": new.id}},
            {"operation": "delete", "filter": {"status": "cancelled", "updated_before": "2999-01-01"}},
        ]
    }
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    update, delete = r.json()["data"]
    assert update["matched"] == 3
    assert update["updated"] == 3
    assert sorted(update["task_ids"]) == sorted(mine)
    assert delete["matched"] == 1
    assert delete["deleted"] == 1
    assert delete["task_ids"] == [cancelled]
    for task in mine:
        assert (
            client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["assignee_id"] == new.id
        )
    assert (
        client.get(f"/v1/tasks/{other}", headers=alice.headers).json()["data"]["attributes"]["assignee_id"] == alice.id
    )
    assert client.get(f"/v1/tasks/{cancelled}", headers=alice.headers).status_code == 404
    assert events_of(db, "task.updated", mine) == 3
    assert events_of(db, "task.deleted", [cancelled]) == 1
    # The spec's literal date: nothing was updated before 2023, so nothing matches.
    spec = {"operations": [{"operation": "delete", "filter": {"status": "cancelled", "updated_before": "2023-01-01"}}]}
    assert client.post("/v1/tasks/bulk", json=spec, headers=alice.headers).json()["data"][0]["matched"] == 0


def test_bulk_filters_use_the_query_engine_and_stay_in_visible_workspaces(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    project = make_project(client, alice)
    theirs = make_project(client, mallory)
    early = make_task(client, alice, project, due_date="2024-01-05", priority="high")["id"]
    make_task(client, alice, project, due_date="2024-03-05", priority="low")
    foreign = make_task(client, mallory, theirs, due_date="2024-01-05", priority="high")["id"]
    ops = [
        {"operation": "update", "filter": {"due_date": {"lt": "2024-02-01"}}, "data": {"status": "blocked"}},
        {
            "operation": "update",
            "filter": {"filter": "priority = high && due_date < 2024-02-01"},
            "data": {"progress": 10},
        },
        {"operation": "update", "filter": {"priority": ["high", "urgent"]}, "data": {"labels": ["hot"]}},
    ]
    r = client.post("/v1/tasks/bulk", json={"operations": ops}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert [res["task_ids"] for res in r.json()["data"]] == [[early], [early], [early]]
    attrs = client.get(f"/v1/tasks/{early}", headers=alice.headers).json()["data"]["attributes"]
    assert (attrs["status"], attrs["progress"], attrs["labels"]) == ("blocked", 10, ["hot"])
    assert (
        client.get(f"/v1/tasks/{foreign}", headers=mallory.headers).json()["data"]["attributes"]["status"] == "pending"
    )
    # Naming a foreign project in a filter is a 404, as in a list's query string.
    r = client.post(
        "/v1/tasks/bulk",
        json={"operations": [{"operation": "delete", "filter": {"project_id": theirs}}]},
        headers=alice.headers,
    )
    assert r.status_code == 404
    assert client.get(f"/v1/tasks/{foreign}", headers=mallory.headers).status_code == 200


def test_bulk_operations_dry_run_and_bad_input(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    ids = [make_task(client, alice, project, priority="low")["id"] for _ in range(2)]
    body: dict[str, Any] = {
        "operations": [
            {"operation": "update", "filter": {"priority": "low"}, "data": {"priority": "high"}},
            {"operation": "delete", "filter": {"priority": "high"}},
        ],
        "dry_run": True,
    }
    r = client.post("/v1/tasks/bulk", json=body, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert r.json()["meta"] == {"dry_run": True}
    update, delete = r.json()["data"]
    assert (update["matched"], update["updated"]) == (2, 2)
    assert (delete["matched"], delete["deleted"]) == (2, 2)  # sees the update before it
    assert count_tasks(db, project) == 2
    for task in ids:
        assert client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["priority"] == "low"
    assert events_of(db, "task.updated", ids) == 0
    bad: list[tuple[dict[str, Any], str]] = [
        ({"operation": "update", "filter": {"priority": "low"}}, "operations[0].data"),
        (
            {"operation": "update", "filter": {"priority": "low"}, "data": {"status": "nope"}},
            "operations[0].data.status",
        ),
        ({"operation": "delete", "filter": {"nosuchfield": "x"}}, "operations[0].filter"),
        ({"operation": "delete", "filter": {"due_date": {"lt": "someday"}}}, "operations[0].filter"),
    ]
    for op, field in bad:
        r = client.post("/v1/tasks/bulk", json={"operations": [op]}, headers=alice.headers)
        assert r.status_code == 422, (op, r.text)
        assert r.json()["error"]["details"]["field"].startswith(field), r.text
    r = client.post(
        "/v1/tasks/bulk", json={"operations": [{"operation": "delete", "filter": {}}]}, headers=alice.headers
    )
    assert r.status_code == 422
    # A failing later operation undoes the earlier ones.
    body = {
        "operations": [
            {"operation": "update", "filter": {"priority": "low"}, "data": {"priority": "urgent"}},
            {"operation": "update", "filter": {"priority": "urgent"}, "data": {"section_id": "section_999999"}},
        ]
    }
    assert client.post("/v1/tasks/bulk", json=body, headers=alice.headers).status_code == 422
    for task in ids:
        assert client.get(f"/v1/tasks/{task}", headers=alice.headers).json()["data"]["attributes"]["priority"] == "low"


def test_bulk_delete_counts_subtasks_once(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    parent = make_task(client, alice, project, labels=["old"])["id"]
    make_task(client, alice, project, parent_id=parent, labels=["old"])
    make_task(client, alice, project, parent_id=parent)
    body = {"operations": [{"operation": "delete", "filter": {"labels": "old"}}]}
    [result] = client.post("/v1/tasks/bulk", json=body, headers=alice.headers).json()["data"]
    assert (result["matched"], result["deleted"]) == (2, 3)
    assert count_tasks(db, project) == 0


# --- bulk projects ------------------------------------------------------------------------------


def test_developer_api_bulk_projects_example(client: httpx.Client, db: Database) -> None:
    alice, u1, u2, u3, u4 = team(db, 5)
    body = {
        "projects": [
            {
                "name": "Q1 Marketing",
                "type": "kanban",
                "tasks": [
                    {"name": "Social Media Campaign", "assignee_id": u1.id},
                    {"name": "Email Newsletter", "assignee_id": u2.id},
                ],
            },
            {
                "name": "Q1 Sales",
                "type": "list",
                "tasks": [
                    {"name": "Lead Generation", "assignee_id": u3.id},
                    {"name": "CRM Cleanup", "assignee_id": u4.id},
                ],
            },
        ]
    }
    r = client.post("/v1/workspaces/bulk/projects", json=body, headers=alice.headers)
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert [(p["attributes"]["name"], p["attributes"]["type"]) for p in data] == [
        ("Q1 Marketing", "kanban"),
        ("Q1 Sales", "list"),
    ]
    assert all(p["attributes"]["workspace_id"] == alice.workspace for p in data)
    tasks = client.get(f"/v1/projects/{data[1]['id']}/tasks", headers=alice.headers).json()["data"]
    assert [(t["attributes"]["name"], t["attributes"]["assignee_id"]) for t in tasks] == [
        ("Lead Generation", u3.id),
        ("CRM Cleanup", u4.id),
    ]


def test_bulk_projects_atomic_and_workspace_choice(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)

    def projects() -> int:
        with db.unit_of_work(readonly=True) as session:
            return int(
                session.scalar(select(func.count(Project.id)).where(Project.workspace_id == alice.workspace_pk)) or 0
            )

    before = projects()
    body = {"projects": [{"name": "ok", "tasks": [{"name": "a"}]}, {"name": "bad", "tasks": [{"name": ""}]}]}
    r = client.post("/v1/workspaces/bulk/projects", json=body, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["errors"][0]["index"] == 1
    assert projects() == before
    body = {"workspace_id": mallory.workspace, "projects": [{"name": "sneaky"}]}
    assert client.post("/v1/workspaces/bulk/projects", json=body, headers=alice.headers).status_code == 404
    body = {"workspace_id": alice.workspace, "projects": [{"name": "p1"}, {"name": "p2"}]}
    r = client.post("/v1/workspaces/bulk/projects", json=body, headers=alice.headers)
    assert r.status_code == 201
    assert r.json()["meta"] == {"created": 2}
    assert projects() == before + 2


def test_a_task_written_alone_reads_back_as_one_written_in_bulk(client: httpx.Client, db: Database) -> None:
    """A one-task create writes its rows with a multi-row INSERT on PostgreSQL, a large bulk
    create with COPY (core/rowwriter.py): the same task comes back the same either way,
    text that COPY would have to escape included."""
    alice, bob = team(db, 2)
    project = make_project(client, alice)
    task = {
        "name": 'Tab\there, back\\slash, "quotes", newline\nand ünïcödé ✓ \\N',
        "description": "line one\r\nline two\\.\n",
        "priority": "high",
        "due_date": "2027-03-04T05:06:07.123456Z",
        "estimated_hours": 2.5,
        "progress": 40,
        "labels": ["copy\tlabel", "insert"],
        "assignee_id": bob.id,
    }
    alone = client.post(f"/v1/projects/{project}/tasks", json=task, headers=alice.headers)
    assert alone.status_code == 201, alone.text
    many = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": [task] * 300}, headers=alice.headers)
    assert many.status_code == 201, many.text
    varying = {"position", "created_at", "updated_at"}

    def read(task_id: str) -> dict[str, Any]:
        r = client.get(f"/v1/tasks/{task_id}", headers=alice.headers)
        assert r.status_code == 200, r.text
        return {k: v for k, v in r.json()["data"]["attributes"].items() if k not in varying}

    first = read(alone.json()["data"]["id"])
    assert first["name"] == task["name"]
    assert first["description"] == task["description"]
    assert first["labels"] == task["labels"]
    for created in (many.json()["data"][0], many.json()["data"][-1]):
        assert read(created["id"]) == first
    assert events_of(db, "task.created", [alone.json()["data"]["id"]]) == 1


def test_bulk_create_checks_sections_parents_dependencies_and_custom_fields(client: httpx.Client, db: Database) -> None:
    """Each item's references and custom field values are checked as a single create checks
    them, every failing item named by its index; then the same references, valid, are kept."""
    alice = make_person(db)
    h = alice.headers
    body = {"name": "Fields", "custom_fields": {"budget": {"type": "number", "required": True}}}
    r = client.post(f"/v1/workspaces/{alice.workspace}/projects", json=body, headers=h)
    assert r.status_code == 201, r.text
    project = r.json()["data"]["id"]
    other = make_project(client, alice)
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "Doing"}, headers=h).json()["data"]["id"]
    elsewhere = client.post(f"/v1/projects/{other}/sections", json={"name": "No"}, headers=h).json()["data"]["id"]
    parent = make_task(client, alice, project, name="Parent", custom_fields={"budget": 1})["id"]
    outside = make_task(client, alice, other, name="Outside")["id"]
    items: list[dict[str, Any]] = [
        {"name": "fine", "custom_fields": {"budget": 5}, "section_id": section},
        {"name": "bad section", "custom_fields": {"budget": 1}, "section_id": elsewhere},
        {"name": "no budget"},  # "required" forbids clearing a value, not creating without one
        {"name": "bad budget", "custom_fields": {"budget": "lots"}},
        {"name": "bad parent", "custom_fields": {"budget": 2}, "parent_id": outside},
        {"name": "bad dependency", "custom_fields": {"budget": 3}, "dependencies": ["task_99999999"]},
    ]
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": items}, headers=h)
    assert r.status_code == 422, r.text
    errors = r.json()["error"]["details"]["errors"]
    assert [e["index"] for e in errors] == [1, 3, 4, 5], errors
    assert [e["field"] for e in errors if e["index"] in (1, 4, 5)] == ["section_id", "parent_id", "dependencies"]
    assert "budget" in errors[1]["field"], errors
    assert count_tasks(db, project) == 1  # the parent alone

    items = [
        {"name": "in section", "custom_fields": {"budget": 5}, "section_id": section},
        {"name": "child", "custom_fields": {"budget": 6}, "parent_id": parent, "dependencies": [parent]},
        {"name": "plain", "custom_fields": {"budget": 7}},
    ]
    r = client.post(f"/v1/projects/{project}/tasks/bulk", json={"tasks": items}, headers=h)
    assert r.status_code == 201, r.text
    shown = [t["attributes"] for t in r.json()["data"]]
    assert [(a["section_id"], a["parent_id"], a["dependencies"]) for a in shown] == [
        (section, None, []),
        (None, parent, [parent]),
        (None, None, []),
    ]
    assert [a["custom_fields"]["budget"] for a in shown] == [5, 6, 7]
    stored = client.get(f"/v1/tasks/{r.json()['data'][1]['id']}", headers=h).json()["data"]["attributes"]
    assert (stored["parent_id"], stored["dependencies"], stored["custom_fields"]) == (parent, [parent], {"budget": 6})
