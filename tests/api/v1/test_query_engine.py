"""The query engine through /v1/tasks: every spelling of a filter, expressions, typed custom
fields, relative dates, sorting, and that no filter reaches another workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import Event
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task

Params = list[tuple[str, str]] | dict[str, Any]


def ids(client: httpx.Client, who: Person, params: Params, path: str = "/v1/tasks") -> list[str]:
    r = client.get(path, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["data"]]


def error_field(client: httpx.Client, who: Person, params: Params, path: str = "/v1/tasks") -> str:
    r = client.get(path, params=params, headers=who.headers)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    return str(error["details"]["field"])


@pytest.fixture
def board(client: httpx.Client, db: Database) -> dict[str, Any]:
    """Alice's workspace: Bob and Carol, a project with typed custom fields, and six tasks."""
    alice, bob, carol = make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    join(db, alice, carol)
    project = make_project(client, alice, name="Launch")
    other = make_project(client, alice, name="Ops")
    h = alice.headers
    for body in (
        {"name": "Priority", "type": "dropdown", "options": ["Low", "Medium", "High", "Critical"]},
        {"name": "Estimated Hours", "type": "number"},
        {"name": "Tags", "type": "tags"},
        {"name": "Kickoff", "type": "date"},
    ):
        r = client.post(f"/v1/projects/{project}/custom-fields", json=body, headers=h)
        assert r.status_code == 201, r.text
    t = {
        "a": make_task(
            client,
            alice,
            project,
            name="Write launch plan",
            assignee_id=bob.id,
            due_date="2024-01-10",
            priority="high",
            labels=["urgent"],
            custom_fields={"priority": "High", "estimated_hours": 16, "tags": ["backend"], "kickoff": "2024-01-02"},
        ),
        "b": make_task(
            client,
            alice,
            project,
            name="Review copy",
            assignee_ids=[bob.id, carol.id],
            due_date="2024-01-31T15:00:00Z",
            priority="urgent",
            labels=["client-work"],
            custom_fields={"priority": "Low", "estimated_hours": 8, "tags": ["urgent", "frontend"]},
        ),
        "c": make_task(
            client,
            alice,
            project,
            name="Ship it",
            assignee_id=carol.id,
            due_date="2024-02-10T17:00:00Z",
            priority="low",
            custom_fields={"priority": "Critical", "estimated_hours": 2.5},
        ),
        "d": make_task(client, alice, project, name="Unlabelled and unassigned", custom_fields={"estimated_hours": 40}),
        "e": make_task(
            client,
            alice,
            other,
            name="Rotate keys",
            assignee_id=alice.id,
            priority="medium",
            labels=["urgent", "client-work"],
            custom_fields={"salesforce_id": "006A000001", "estimated_hours": "n/a"},
        ),
        "f": make_task(client, alice, other, name="Done already", status="completed", due_date="2024-01-20"),
    }
    return {"alice": alice, "bob": bob, "carol": carol, "project": project, "other": other} | {
        k: v["id"] for k, v in t.items()
    }


def pick(board: dict[str, Any], *keys: str) -> list[str]:
    return [board[k] for k in keys]


def test_the_guides_advanced_filter_example(client: httpx.Client, board: dict[str, Any]) -> None:
    """taskade-api-guide.md, "Advanced Querying and Filtering", as axios + qs sends it."""
    bob, carol = board["bob"], board["carol"]
    params = [
        ("project_id", board["project"]),
        ("assignee[]", bob.id),
        ("assignee[]", carol.id),
        ("due_date[$gte]", "2024-01-01"),
        ("due_date[$lte]", "2024-01-31"),
        ("priority", "high"),
        ("labels[$in][]", "urgent"),
        ("labels[$in][]", "client-work"),
        ("sort", "-due_date"),
        ("limit", "50"),
        ("include[]", "assignee"),
        ("include[]", "project"),
    ]
    r = client.get("/v1/tasks", params=params, headers=board["alice"].headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [t["id"] for t in body["data"]] == pick(board, "a")
    assert {(i["type"], i["id"]) for i in body["included"]} >= {("project", board["project"]), ("user", bob.id)}
    # Without the priority condition both January tasks match, latest due date first.
    params = [p for p in params if p[0] != "priority"]
    assert ids(client, board["alice"], params) == pick(board, "b", "a")


def test_the_developer_apis_custom_field_queries(client: httpx.Client, board: dict[str, Any]) -> None:
    alice = board["alice"]
    # Dropdowns compare by option, whatever the case the client writes.
    assert ids(client, alice, {"custom_fields.priority": "High"}) == pick(board, "a")
    assert ids(client, alice, {"custom_fields.priority": "high"}) == pick(board, "a")
    # Numbers compare as numbers: 16 >= 8 although "16" < "8" as text.
    assert ids(client, alice, {"custom_fields.estimated_hours[gte]": "8"}) == pick(board, "a", "b", "d")
    both = {"custom_fields.priority": "High", "custom_fields.estimated_hours[gte]": 8}
    assert ids(client, alice, both) == pick(board, "a")
    # The CRM sync lookup, on a key no field defines.
    assert ids(client, alice, {"custom_fields.salesforce_id": "006A000001"}) == pick(board, "e")
    # qs's nested-object spelling of the same filters.
    assert ids(client, alice, {"custom_fields[priority]": "High"}) == pick(board, "a")


def test_every_spelling_means_the_same(client: httpx.Client, board: dict[str, Any]) -> None:
    alice, bob, carol = board["alice"], board["bob"], board["carol"]
    january = [
        {"due_date[gte]": "2024-01-01", "due_date[lte]": "2024-01-31"},
        {"due_date[$gte]": "2024-01-01", "due_date[$lte]": "2024-01-31"},
        {"due_date[between]": "2024-01-01,2024-01-31"},
        [("due_date[between][]", "2024-01-01"), ("due_date[between][]", "2024-01-31")],
        {"filter": "due_date >= 2024-01-01 && due_date <= 2024-01-31"},
        {"filter": "due_date >= '2024-01-01' and due_date <= \"2024-01-31\""},
    ]
    expected = pick(board, "a", "f", "b")
    for params in january:
        pairs = list(params.items()) if isinstance(params, dict) else params
        assert ids(client, alice, [*pairs, ("sort", "due_date")]) == expected, params
    either = [
        [("labels[$in][]", "urgent"), ("labels[$in][]", "client-work")],
        {"labels[in]": "urgent,client-work"},
        {"labels": "urgent,client-work"},
        [("labels", "urgent"), ("labels", "client-work")],
        {"filter": "labels in (urgent, 'client-work')"},
    ]
    for params in either:
        assert sorted(ids(client, alice, params)) == sorted(pick(board, "a", "b", "e")), params
    people = [
        [("assignee", bob.id), ("assignee", carol.id)],
        [("assignee[]", bob.id), ("assignee[]", carol.id)],
        {"assignee": f"{bob.id},{carol.id}"},
        {"assignee[in]": f"{bob.id},{carol.id}"},
        {"filter": f"assignee in ({bob.id}, {carol.id})"},
    ]
    for params in people:
        assert sorted(ids(client, alice, params)) == sorted(pick(board, "a", "b", "c")), params
    assert ids(client, alice, {"priority[ne]": "low", "project_id": board["project"]}) == pick(board, "a", "b", "d")
    assert ids(client, alice, {"status": "completed"}) == pick(board, "f")


def test_sets_are_exact(client: httpx.Client, board: dict[str, Any]) -> None:
    """`labels = X` never returns unlabelled tasks; absence is asked for explicitly."""
    alice = board["alice"]
    assert ids(client, alice, {"labels": "urgent"}) == pick(board, "a", "e")
    assert ids(client, alice, {"labels[ne]": "urgent"}) == pick(board, "b", "c", "d", "f")
    assert ids(client, alice, {"labels[contains]": "urgent,client-work"}) == pick(board, "e")
    assert ids(client, alice, {"labels[exists]": "false"}) == pick(board, "c", "d", "f")
    assert ids(client, alice, {"assignee[exists]": "false"}) == pick(board, "d", "f")
    assert ids(client, alice, {"labels[nin]": "urgent,client-work"}) == pick(board, "c", "d", "f")
    assert ids(client, alice, {"custom_fields.tags": "urgent"}) == pick(board, "b")
    assert ids(client, alice, {"custom_fields.tags[exists]": "true"}) == pick(board, "a", "b")
    assert ids(client, alice, {"filter": "priority = null && due_date != null"}) == pick(board, "f")


def test_the_issues_expression(client: httpx.Client, board: dict[str, Any]) -> None:
    bob, alice = board["bob"], board["alice"]
    expression = (
        f"(custom_fields.priority = High || priority = urgent) && due_date <= 2024-02-01 && assignee in (me, {bob.id})"
    )
    assert ids(client, alice, {"filter": expression}) == pick(board, "a", "b")
    assert ids(client, bob, {"filter": "assignee in (me) && name like 'launch'"}) == pick(board, "a")
    assert ids(client, alice, {"filter": "name like 'ship*'"}) == pick(board, "c")
    assert ids(client, alice, {"filter": "priority not in (low, urgent) && project_id = " + board["project"]}) == pick(
        board, "a", "d"
    )
    # An expression and bracket filters combine with AND.
    assert ids(client, alice, {"filter": "priority = urgent || priority = high", "labels": "urgent"}) == pick(
        board, "a"
    )


def test_ordered_choices_and_numbers(client: httpx.Client, board: dict[str, Any]) -> None:
    alice = board["alice"]
    assert ids(client, alice, {"priority[gte]": "high"}) == pick(board, "a", "b")
    assert ids(client, alice, {"custom_fields.priority[gt]": "Medium"}) == pick(board, "a", "c")
    assert ids(client, alice, {"custom_fields.estimated_hours[between]": "2,10"}) == pick(board, "b", "c")
    assert ids(client, alice, {"custom_fields.kickoff[lt]": "2024-01-05"}) == pick(board, "a")
    # A value that is not a number never matches a numeric comparison (task e holds "n/a").
    assert board["e"] not in ids(client, alice, {"custom_fields.estimated_hours[lt]": "1000"})


def test_relative_dates(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    now = datetime.now(UTC)
    soon = make_task(client, alice, project, name="soon", due_date=(now + timedelta(days=3)).isoformat())["id"]
    later = make_task(client, alice, project, name="later", due_date=(now + timedelta(days=20)).isoformat())["id"]
    past = make_task(client, alice, project, name="past", due_date=(now - timedelta(days=10)).isoformat())["id"]
    today = make_task(client, alice, project, name="today", due_date=now.date().isoformat())["id"]
    assert ids(client, alice, {"due_date[lte]": "now+7d", "due_date[gte]": "now"}) == [soon]
    assert ids(client, alice, {"filter": "due_date <= now+7d && due_date >= now-1w"}) == [soon, today]
    assert ids(client, alice, {"due_date": "today"}) == [today]
    assert ids(client, alice, {"due_date[gt]": "today+1w"}) == [later]
    assert ids(client, alice, {"due_date[lt]": "today-1w"}) == [past]
    assert ids(client, alice, {"due_date[between]": "today-2w,today"}) == [past, today]


def test_sorting_by_custom_fields_is_typed_and_stable(client: httpx.Client, board: dict[str, Any]) -> None:
    alice, project = board["alice"], board["project"]
    path = f"/v1/projects/{project}/tasks"
    assert ids(client, alice, {"sort": "-custom_fields.estimated_hours"}, path) == pick(board, "d", "a", "b", "c")
    assert ids(client, alice, {"sort": "custom_fields.estimated_hours"}, path) == pick(board, "c", "b", "a", "d")
    # Dropdowns sort by option order (Low < Medium < High < Critical), empty last.
    assert ids(client, alice, {"sort": "custom_fields.priority"}, path) == pick(board, "b", "a", "c", "d")
    # Equal keys fall back to id order, so paging never repeats or skips.
    assert ids(client, alice, {"sort": "status", "limit": 2}, path) == pick(board, "a", "b")
    assert ids(client, alice, {"sort": "status", "limit": 2, "offset": 2}, path) == pick(board, "c", "d")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"custom_fields.priority": "Urgent"}, "custom_fields.priority"),
        ({"custom_fields.estimated_hours[gte]": "lots"}, "custom_fields.estimated_hours[gte]"),
        ({"custom_fields.tags[gt]": "a"}, "custom_fields.tags[gt]"),
        ({"due_date[$near]": "2024-01-01"}, "due_date[$near]"),
        ({"due_date[gte][lte]": "2024-01-01"}, "due_date[gte][lte]"),
        ({"assignee": "user_x"}, "assignee"),
        ({"filter": "priority == "}, "filter"),
        ({"filter": "priority > null"}, "filter"),
        ({"filter": "name ~ x"}, "filter"),
        ({"sort": "-custom_fields.tags"}, "sort"),
        ({"due_before": "yesterday"}, "due_before"),
        ({"due_before[gte]": "2024-01-01"}, "due_before[gte]"),
        # Past what an integer column holds: PostgreSQL would refuse to bind it (a 500 once).
        ({"progress": "228704199770"}, "progress"),
        ({"progress[gt]": "-2147483649"}, "progress[gt]"),
    ],
)
def test_bad_filters_name_the_parameter(
    client: httpx.Client, board: dict[str, Any], params: dict[str, str], field: str
) -> None:
    assert error_field(client, board["alice"], params, f"/v1/projects/{board['project']}/tasks") == field


def test_no_filter_reaches_another_workspace(client: httpx.Client, db: Database, board: dict[str, Any]) -> None:
    mallory = make_person(db)
    own = make_project(client, mallory, name="Mine")
    mine = make_task(client, mallory, own, name="Write launch plan", custom_fields={"salesforce_id": "006A000001"})
    everything = [
        {"custom_fields.salesforce_id": "006A000001"},
        {"name[icontains]": "launch"},
        {"filter": "name like launch || priority = high || labels in (urgent)"},
        {"labels": "urgent"},
        {"assignee": board["bob"].id},
        {"custom_fields.estimated_hours[gte]": "0"},
    ]
    for params in everything:
        found = ids(client, mallory, params)
        assert set(found) <= {mine["id"]}, params
    # Naming another workspace's containers is a 404, as in a path.
    for params in (
        {"project_id": board["project"]},
        {"workspace_id": board["alice"].workspace},
        {"filter": f"project_id = {board['project']}"},
        {"project_id[in]": f"{own},{board['project']}"},
    ):
        r = client.get("/v1/tasks", params=params, headers=mallory.headers)
        assert r.status_code == 404, (params, r.text)


def test_custom_field_definitions(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    h = alice.headers
    base = f"/v1/projects/{project}/custom-fields"
    spec = {
        "name": "Priority",
        "type": "dropdown",
        "options": ["Low", "Medium", "High", "Critical"],
        "required": False,
        "default_value": "Medium",
    }
    r = client.post(base, json=spec, headers=h)
    assert r.status_code == 201, r.text
    field = r.json()["data"]
    assert field["type"] == "custom_field"
    assert field["attributes"]["key"] == "priority"
    assert r.headers["location"] == f"{base}/{field['id']}"
    r = client.post(base, json={"name": "Estimated Hours", "type": "number"}, headers=h)
    assert r.json()["data"]["attributes"]["key"] == "estimated_hours"
    assert client.post(base, json={"name": "priority", "type": "text"}, headers=h).status_code == 409
    r = client.post(base, json={"name": "Mood", "type": "emoji"}, headers=h)
    assert r.status_code == 422
    r = client.post(base, json={"name": "Pick", "type": "dropdown"}, headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "options"

    # Defaults fill new tasks; the spec's value update works; wrong types name the field.
    task = make_task(client, alice, project)
    assert task["attributes"]["custom_fields"] == {"priority": "Medium"}
    values = {"priority": "High", "estimated_hours": 16, "tags": ["urgent", "backend"]}
    r = client.put(f"/v1/tasks/{task['id']}/custom-fields", json=values, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["custom_fields"] == values
    for bad, name in (({"estimated_hours": "16"}, "estimated_hours"), ({"priority": "Someday"}, "priority")):
        r = client.put(f"/v1/tasks/{task['id']}/custom-fields", json=bad, headers=h)
        assert r.status_code == 422
        assert r.json()["error"]["details"]["field"] == f"custom_fields.{name}"

    # Renaming keeps the key and the values.
    r = client.put(f"{base}/{field['id']}", json={"name": "Urgency"}, headers=h)
    assert r.status_code == 200
    assert r.json()["data"]["attributes"]["key"] == "priority"
    # Dropping an option in use is refused unless the values are migrated explicitly.
    r = client.put(f"{base}/{field['id']}", json={"options": ["Low", "Medium"]}, headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["task_ids"] == [task["id"]]
    r = client.put(
        f"{base}/{field['id']}", json={"options": ["Low", "Medium"], "migrate_options": {"High": "Medium"}}, headers=h
    )
    assert r.status_code == 200, r.text
    attrs = client.get(f"/v1/tasks/{task['id']}", headers=h).json()["data"]["attributes"]
    assert attrs["custom_fields"]["priority"] == "Medium"
    # Deleting a field removes its values; other keys stay.
    assert client.delete(f"{base}/{field['id']}", headers=h).status_code == 204
    attrs = client.get(f"/v1/tasks/{task['id']}", headers=h).json()["data"]["attributes"]
    assert attrs["custom_fields"] == {"estimated_hours": 16, "tags": ["urgent", "backend"]}
    listed = client.get(base, headers=h).json()["data"]
    assert [f["attributes"]["key"] for f in listed] == ["estimated_hours"]
    assert client.get(f"{base}/{field['id']}", headers=h).status_code == 404


def test_redefining_a_field_rewrites_the_values_first(client: httpx.Client, db: Database) -> None:
    """Migrated and removed values get their task.updated before the definition's own event."""
    alice = make_person(db)
    project = make_project(client, alice)
    base = f"/v1/projects/{project}/custom-fields"
    spec = {"name": "Priority", "type": "dropdown", "options": ["Low", "High"]}
    field = client.post(base, json=spec, headers=alice.headers).json()["data"]
    task = make_task(client, alice, project, custom_fields={"priority": "High"})
    with db.unit_of_work(readonly=True) as session:
        mark = session.scalar(select(func.max(Event.id)))
    body = {"options": ["Low", "Top"], "migrate_options": {"High": "Top"}}
    assert client.patch(f"{base}/{field['id']}", json=body, headers=alice.headers).status_code == 200
    assert client.delete(f"{base}/{field['id']}", headers=alice.headers).status_code == 204
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(select(Event.type, Event.resource_id).where(Event.id > mark).order_by(Event.id)).all()
    task_pk, field_pk = int(task["id"].split("_")[1]), int(field["id"].split("_")[1])
    assert [tuple(row) for row in rows] == [
        ("task.updated", task_pk),
        ("custom_field.updated", field_pk),
        ("task.updated", task_pk),
        ("custom_field.deleted", field_pk),
    ]


@pytest.mark.parametrize(
    ("definition", "good", "bad"),
    [
        ({"type": "currency", "currency": "EUR"}, 12.5, 12.345),
        ({"type": "percent"}, 55, 150),
        ({"type": "rating"}, 4, 6),
        ({"type": "checkbox"}, True, "yes"),
        ({"type": "date"}, "2024-02-29", "29/02/2024"),
        ({"type": "datetime"}, "2024-02-29T10:00:00Z", "soon"),
        ({"type": "url"}, "https://example.com/x", "example"),
        ({"type": "email"}, "ann@example.com", "ann@"),
        ({"type": "phone"}, "+1 (555) 010-9999", "call me"),
        ({"type": "multi_select", "options": ["A", "B"]}, ["A", "B"], ["C"]),
        ({"type": "duration"}, 90, -5),
        ({"type": "long_text"}, "x" * 5000, 12),
    ],
)
def test_each_type_checks_its_values(
    client: httpx.Client, db: Database, definition: dict[str, Any], good: Any, bad: Any
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.post(
        f"/v1/projects/{project}/custom-fields", json={"name": "Value", **definition}, headers=alice.headers
    )
    assert r.status_code == 201, r.text
    task = make_task(client, alice, project, custom_fields={"value": good})
    assert task["attributes"]["custom_fields"]["value"] is not None
    r = client.put(f"/v1/tasks/{task['id']}/custom-fields", json={"value": bad}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "custom_fields.value"


def test_project_lists_use_the_same_engine(client: httpx.Client, db: Database) -> None:
    alice, mallory = make_person(db), make_person(db)
    h = alice.headers
    board = make_project(client, alice, name="Board", type="board", custom_fields={"customer_id": "cust_42"})
    make_project(client, alice, name="List", type="list", due_date="2024-03-01")
    archived = make_project(client, alice, name="Old board", type="board", status="archived")
    make_project(client, mallory, name="Foreign board", type="board", custom_fields={"customer_id": "cust_42"})

    def names(params: Params, who: Person = alice) -> list[str]:
        r = client.get("/v1/projects", params=params, headers=who.headers)
        assert r.status_code == 200, r.text
        return [p["attributes"]["name"] for p in r.json()["data"]]

    # The guide's project list filter, and its customer dashboard lookup.
    assert names({"workspace_id": alice.workspace, "type": "board"}) == ["Board", "Old board"]
    assert names({"custom_fields.customer_id": "cust_42"}) == ["Board"]
    assert names({"filter": "type = board && status != archived"}) == ["Board"]
    assert names({"due_date[lte]": "2024-03-01"}) == ["List"]
    assert names({"name[icontains]": "BOARD", "sort": "-name"}) == ["Old board", "Board"]
    assert names({"custom_fields.customer_id": "cust_42"}, mallory) == ["Foreign board"]
    r = client.get(f"/v1/workspaces/{alice.workspace}/projects", params={"status": "archived"}, headers=h)
    assert [p["id"] for p in r.json()["data"]] == [archived]
    assert board != archived
    for params, field in (({"type": "scrum"}, "type"), ({"colour": "red"}, "colour"), ({"sort": "budget"}, "sort")):
        assert error_field(client, alice, params, "/v1/projects") == field
    r = client.get("/v1/projects", params={"workspace_id": alice.workspace}, headers=mallory.headers)
    assert r.status_code == 404


def test_workspace_lists_use_the_same_engine(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    for name in ("Marketing", "Engineering", "Market research"):
        r = client.post("/v1/workspaces", json={"name": name}, headers=alice.headers)
        assert r.status_code == 201, r.text

    def names(params: Params) -> list[str]:
        r = client.get("/v1/workspaces", params=params, headers=alice.headers)
        assert r.status_code == 200, r.text
        return [w["attributes"]["name"] for w in r.json()["data"]]

    assert names({"name[startswith]": "Market", "sort": "-name"}) == ["Marketing", "Market research"]
    assert names({"filter": "name like 'eng*' || name = 'Market research'"}) == ["Engineering", "Market research"]
    assert names({"created_at[gte]": "today", "name[icontains]": "RESEARCH"}) == ["Market research"]
    assert error_field(client, alice, {"budget[gt]": "5"}, "/v1/workspaces") == "budget[gt]"


def test_saved_views(client: httpx.Client, db: Database, board: dict[str, Any]) -> None:
    alice, bob, project = board["alice"], board["bob"], board["project"]
    base = f"/v1/projects/{project}/views"
    body = {
        "name": "Bob's heavy work",
        "filter": {"assignee": bob.id, "custom_fields.estimated_hours[gte]": 8},
        "sort": "-custom_fields.estimated_hours",
        "fields": "name,custom_fields",
        "layout": "board",
    }
    r = client.post(base, json=body, headers=alice.headers)
    assert r.status_code == 201, r.text
    view = r.json()["data"]
    assert view["attributes"]["layout"] == "board"
    assert view["attributes"]["filter"] == {"assignee": bob.id, "custom_fields.estimated_hours[gte]": "8"}
    # Any task list reuses it; its sort and fields apply unless the request gives its own.
    r = client.get("/v1/tasks", params={"view": view["id"]}, headers=alice.headers)
    assert [t["id"] for t in r.json()["data"]] == pick(board, "a", "b")
    assert set(r.json()["data"][0]["attributes"]) == {"name", "custom_fields"}
    assert ids(client, alice, {"view": view["id"], "sort": "name"}) == pick(board, "b", "a")
    assert ids(client, alice, {"view": view["id"], "labels": "urgent"}) == pick(board, "a")
    assert ids(client, alice, {"view": view["id"]}, f"{base.rsplit('/', 1)[0]}/tasks") == pick(board, "a", "b")
    # An expression view, updated in place.
    r = client.put(
        f"{base}/{view['id']}", json={"filter": "priority = urgent || name like ship"}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["attributes"]["filter"] == "priority = urgent || name like ship"
    assert ids(client, alice, {"view": view["id"]}) == pick(board, "b", "c")
    # A view that could not run is refused when saved.
    for bad in ({"filter": {"colour": "red"}}, {"filter": "priority ="}, {"sort": "flavour"}, {"filter": {"limit": 5}}):
        r = client.post(base, json={"name": "Broken", **bad}, headers=alice.headers)
        assert r.status_code == 422, (bad, r.text)
    assert [v["id"] for v in client.get(base, headers=alice.headers).json()["data"]] == [view["id"]]
    # Other workspaces cannot use or see it.
    mallory = make_person(db)
    r = client.get("/v1/tasks", params={"view": view["id"]}, headers=mallory.headers)
    assert r.status_code == 404
    assert client.get(f"{base}/{view['id']}", headers=mallory.headers).status_code == 404
    assert error_field(client, alice, {"view": "sideways"}) == "view"
    assert client.delete(f"{base}/{view['id']}", headers=alice.headers).status_code == 204
    assert client.get("/v1/tasks", params={"view": view["id"]}, headers=alice.headers).status_code == 404


def test_full_text_search(client: httpx.Client, db: Database, board: dict[str, Any]) -> None:
    alice, project = board["alice"], board["project"]
    h = alice.headers
    r = client.post(f"/v1/tasks/{board['d']}/comments", json={"body": "Blocked on the launch vendor"}, headers=h)
    assert r.status_code == 201, r.text
    r = client.put(f"/v1/tasks/{board['c']}", json={"description": "Launch checklist and the release notes"}, headers=h)
    assert r.status_code == 200, r.text
    # Name, description and comments all count; a name match ranks first.
    assert ids(client, alice, {"search": "launch"}) == pick(board, "a", "c", "d")
    # Prefixes match; every word must match; filters combine; an explicit sort wins over rank.
    assert ids(client, alice, {"search": "laun"}) == pick(board, "a", "c", "d")
    assert ids(client, alice, {"search": "launch vendor"}) == pick(board, "d")
    assert ids(client, alice, {"search": "launch", "custom_fields.estimated_hours[lt]": 20}) == pick(board, "a", "c")
    assert ids(client, alice, {"search": "launch", "sort": "-name"}) == pick(board, "a", "d", "c")
    r = client.get(f"/v1/projects/{project}/tasks", params={"search": "launch", "limit": 1, "total": "true"}, headers=h)
    assert r.json()["meta"]["total"] == 3
    # Cursor pages follow the ranking too.
    walked, url, params = [], "/v1/tasks", {"search": "launch", "limit": 1, "cursor": ""}
    while url:
        body = client.get(url, params=params, headers=h).json()
        walked.extend(t["id"] for t in body["data"])
        url, params = body["links"]["next"], None
    assert walked == pick(board, "a", "c", "d")
    # Edits and deletions reach the index.
    r = client.put(f"/v1/tasks/{board['a']}", json={"name": "Write the plan"}, headers=h)
    assert r.status_code == 200
    assert ids(client, alice, {"search": "launch"}) == pick(board, "c", "d")
    # Editing a task with comments keeps its comments in the index.
    r = client.put(f"/v1/tasks/{board['d']}", json={"description": "Waiting on a quote"}, headers=h)
    assert r.status_code == 200
    assert ids(client, alice, {"search": "vendor quote"}) == pick(board, "d")
    comment = client.get(f"/v1/tasks/{board['d']}/comments", headers=h).json()["data"][0]["id"]
    assert client.delete(f"/v1/tasks/{board['d']}/comments/{comment}", headers=h).status_code == 204
    assert ids(client, alice, {"search": "vendor"}) == []
    assert client.delete(f"/v1/tasks/{board['c']}", headers=h).status_code == 204
    assert ids(client, alice, {"search": "launch"}) == []
    # Projects: name and description.
    r = client.get("/v1/projects", params={"search": "laun"}, headers=h)
    assert [p["id"] for p in r.json()["data"]] == [project]
    # Punctuation alone is not a search; another workspace's words are never found.
    assert error_field(client, alice, {"search": "!!!"}) == "search"
    mallory = make_person(db)
    assert ids(client, mallory, {"search": "plan"}) == []
    r = client.get("/v1/projects", params={"search": "launch"}, headers=mallory.headers)
    assert r.json()["data"] == []


def test_cursor_pages_survive_inserts_and_deletes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    h = alice.headers
    tasks = [
        make_task(client, alice, project, name=f"t{i:02}", due_date=None if i % 4 == 0 else f"2024-01-{i % 7 + 1:02}")
        for i in range(23)
    ]
    expected_order = [
        t["id"]
        for t in sorted(
            tasks,
            key=lambda t: (
                t["attributes"]["due_date"] is None,
                t["attributes"]["due_date"] or "",
                int(t["id"].split("_")[1]),
            ),
        )
    ]

    def walk(params: dict[str, Any], mutate: Any = None) -> list[str]:
        seen: list[str] = []
        url: str | None = "/v1/tasks"
        first = True
        while url is not None:
            r = client.get(url, params={**params, "cursor": "", "limit": 5} if first else None, headers=h)
            assert r.status_code == 200, r.text
            body = r.json()
            seen.extend(t["id"] for t in body["data"])
            assert len(seen) <= 100
            url = body["links"]["next"]
            if first and mutate is not None:
                mutate()
            first = False
        return seen

    assert walk({"sort": "due_date"}) == expected_order
    # Rows inserted before the cursor and deleted after it change nothing for the rest of the walk.
    early = expected_order[0]

    def mutate() -> None:
        make_task(client, alice, project, name="new early", due_date="2023-12-31")
        assert client.delete(f"/v1/tasks/{early}", headers=h).status_code == 204

    walked = walk({"sort": "due_date"}, mutate)
    assert walked == expected_order
    r = client.get("/v1/tasks", params={"cursor": "", "limit": 5, "total": "true"}, headers=h).json()
    assert r["meta"]["total"] == 23
    assert r["meta"]["next_cursor"]
    # A cursor belongs to its sort; a damaged one is refused.
    token = r["meta"]["next_cursor"]
    for params in ({"cursor": token, "sort": "name"}, {"cursor": "not-a-cursor"}, {"cursor": "", "offset": "5"}):
        r = client.get("/v1/tasks", params=params, headers=h)
        assert r.status_code == 422, (params, r.text)


def test_member_lists_use_the_same_engine(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, name="Alice Owner")
    bob = make_person(db, name="Bob Builder", department="Engineering")
    carol = make_person(db, name="Carol Viewer")
    join(db, alice, bob, role="admin")
    join(db, alice, carol, role="viewer")
    url = f"/v1/workspaces/{alice.workspace}/users"

    def names(params: Params) -> list[str]:
        r = client.get(url, params=params, headers=alice.headers)
        assert r.status_code == 200, r.text
        return [u["attributes"]["name"] for u in r.json()["data"]]

    assert names({"role[in]": "admin,viewer", "sort": "-name"}) == ["Carol Viewer", "Bob Builder"]
    assert names({"department": "engineering"}) == ["Bob Builder"]
    assert names({"filter": "role = viewer || name like owner", "sort": "role"}) == ["Alice Owner", "Carol Viewer"]
    assert names({"email[icontains]": bob.email.upper()}) == ["Bob Builder"]
    assert error_field(client, alice, {"role": "boss"}, url) == "role"


def test_sparse_fields_on_every_list_and_get(client: httpx.Client, board: dict[str, Any]) -> None:
    alice, project, task = board["alice"], board["project"], board["a"]
    h = alice.headers
    assert client.post(f"/v1/tasks/{task}/comments", json={"body": "hi"}, headers=h).status_code == 201
    assert client.post(f"/v1/projects/{project}/sections", json={"name": "Todo"}, headers=h).status_code == 201
    assert client.post(f"/v1/projects/{project}/views", json={"name": "All"}, headers=h).status_code == 201
    lists = {
        f"/v1/tasks/{task}/comments": "body",
        f"/v1/projects/{project}/sections": "name",
        f"/v1/projects/{project}/custom-fields": "key",
        f"/v1/projects/{project}/views": "layout",
    }
    for path, attribute in lists.items():
        r = client.get(path, params={"fields": attribute}, headers=h)
        assert r.status_code == 200, (path, r.text)
        first = r.json()["data"][0]
        assert set(first["attributes"]) == {attribute}, path
        r = client.get(f"{path}/{first['id']}", params={"fields": attribute}, headers=h)
        assert r.status_code == 200, (path, r.text)
        assert set(r.json()["data"]["attributes"]) == {attribute}, path
        assert client.get(path, params={"fields": "flavour"}, headers=h).status_code == 422


def test_workspace_fields_are_inherited(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob, role="member")
    h = alice.headers
    one, two = make_project(client, alice, name="One"), make_project(client, alice, name="Two")
    base = f"/v1/workspaces/{alice.workspace}/custom-fields"
    body = {"name": "Deal Size", "type": "currency", "currency": "EUR"}
    assert client.post(base, json=body, headers=bob.headers).status_code == 403  # owners and admins only
    r = client.post(base, json=body, headers=h)
    assert r.status_code == 201, r.text
    field = r.json()["data"]
    assert field["attributes"]["key"] == "deal_size"
    assert field["attributes"]["project_id"] is None
    # Every project sees it, checks values against it, and filters by it.
    for project in (one, two):
        keys = [
            f["attributes"]["key"]
            for f in client.get(f"/v1/projects/{project}/custom-fields", headers=h).json()["data"]
        ]
        assert keys == ["deal_size"]
        attrs = client.get(f"/v1/projects/{project}", headers=h).json()["data"]["attributes"]
        assert attrs["custom_field_definitions"]["deal_size"]["inherited"] is True
    small = make_task(client, alice, one, custom_fields={"deal_size": 1200})["id"]
    big = make_task(client, alice, two, custom_fields={"deal_size": {"amount": 99000.5, "currency": "USD"}})["id"]
    r = client.post(f"/v1/projects/{one}/tasks", json={"name": "x", "custom_fields": {"deal_size": "lots"}}, headers=h)
    assert r.status_code == 422
    assert ids(client, alice, {"custom_fields.deal_size[gt]": "5000"}) == [big]
    assert ids(client, alice, {"sort": "-custom_fields.deal_size"}) == [big, small]
    # A project cannot redefine an inherited key; nor can the workspace take a project's key.
    assert (
        client.post(
            f"/v1/projects/{one}/custom-fields", json={"name": "Deal size", "type": "number"}, headers=h
        ).status_code
        == 409
    )
    assert (
        client.post(f"/v1/projects/{one}/custom-fields", json={"name": "Stage", "type": "text"}, headers=h).status_code
        == 201
    )
    assert client.post(base, json={"name": "Stage", "type": "text"}, headers=h).status_code == 409
    # Workspace fields change on the workspace, not through a project.
    r = client.put(f"/v1/projects/{one}/custom-fields/{field['id']}", json={"name": "Size"}, headers=h)
    assert r.status_code == 422
    assert client.put(f"{base}/{field['id']}", json={"name": "Contract value"}, headers=h).status_code == 200
    # Deleting it removes the values in every project.
    assert client.delete(f"{base}/{field['id']}", headers=h).status_code == 204
    for task in (small, big):
        assert (
            "deal_size" not in client.get(f"/v1/tasks/{task}", headers=h).json()["data"]["attributes"]["custom_fields"]
        )
    assert client.get(base, headers=h).json()["data"] == []
