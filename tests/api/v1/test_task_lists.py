"""Task lists (/v1/tasks and /v1/projects/{id}/tasks): filters, paging, sorting, fields, includes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def ids(client: httpx.Client, who: Person, path: str = "/v1/tasks", **params: Any) -> list[str]:
    r = client.get(path, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["data"]]


@pytest.fixture
def team(client: httpx.Client, db: Database) -> dict[str, Any]:
    """Alice's workspace with Bob and Carol, two projects and five tasks of varied shape."""
    alice, bob, carol = make_person(db), make_person(db), make_person(db)
    join(db, alice, bob)
    join(db, alice, carol)
    p1, p2 = make_project(client, alice, name="P1"), make_project(client, alice, name="P2")
    tasks = {
        "early": make_task(
            client,
            alice,
            p1,
            name="early",
            assignee_id=bob.id,
            due_date="2024-01-10",
            priority="high",
            labels=["urgent"],
        ),
        "mid": make_task(
            client, alice, p1, name="mid", assignee_ids=[bob.id, carol.id], due_date="2024-01-31T15:00:00Z"
        ),
        "late": make_task(client, alice, p2, name="late", assignee_id=carol.id, due_date="2024-02-10T17:00:00Z"),
        "undated": make_task(client, alice, p2, name="undated", assignee_id=alice.id, priority="low"),
        "done": make_task(client, alice, p1, name="done", status="completed", labels=["client-work"]),
    }
    return {"alice": alice, "bob": bob, "carol": carol, "p1": p1, "p2": p2, **{k: v["id"] for k, v in tasks.items()}}


def test_flat_list_filters_by_project(client: httpx.Client, team: dict[str, Any]) -> None:
    alice = team["alice"]
    assert set(ids(client, alice)) == {team[k] for k in ("early", "mid", "late", "undated", "done")}
    assert ids(client, alice, project_id=team["p2"]) == [team["late"], team["undated"]]
    assert ids(client, alice, f"/v1/projects/{team['p2']}/tasks") == [team["late"], team["undated"]]


def test_assignee_filter_forms(client: httpx.Client, team: dict[str, Any]) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    assert ids(client, alice, assignee=bob.id) == [team["early"], team["mid"]]
    assert ids(client, alice, assignee_id=carol.id) == [team["mid"], team["late"]]
    both = [team["early"], team["mid"], team["late"]]
    r = client.get("/v1/tasks", params=[("assignee", bob.id), ("assignee", carol.id)], headers=alice.headers)
    assert set(t["id"] for t in r.json()["data"]) == set(both)
    r = client.get("/v1/tasks", params=[("assignee[]", bob.id), ("assignee[]", carol.id)], headers=alice.headers)
    assert set(t["id"] for t in r.json()["data"]) == set(both)
    assert set(ids(client, alice, assignee=f"{bob.id},{carol.id}")) == set(both)
    assert ids(client, alice, assignee="me") == [team["undated"]]
    assert ids(client, bob, assignee="me", project_id=team["p1"]) == [team["early"], team["mid"]]
    r = client.get("/v1/tasks", params={"assignee": "bob"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "assignee"


def test_the_guides_filter_example(client: httpx.Client, team: dict[str, Any]) -> None:
    params = {"project_id": team["p1"], "assignee": team["bob"].id, "status": "pending", "due_before": "2024-01-31"}
    # A date-only upper bound includes that day.
    assert ids(client, team["alice"], **params) == [team["early"], team["mid"]]
    params["due_before"] = "2024-01-31T00:00:00Z"
    assert ids(client, team["alice"], **params) == [team["early"]]


def test_status_priority_label_and_date_filters(client: httpx.Client, team: dict[str, Any]) -> None:
    alice = team["alice"]
    assert ids(client, alice, status="completed") == [team["done"]]
    assert set(ids(client, alice, status="completed,pending")) == {
        team[k] for k in ("early", "mid", "late", "undated", "done")
    }
    assert ids(client, alice, priority="high") == [team["early"]]
    assert ids(client, alice, labels="urgent,client-work", sort="name") == [team["done"], team["early"]]
    assert ids(client, alice, due_after="2024-01-31") == [team["mid"], team["late"]]
    assert ids(client, alice, due_after="2024-01-11", due_before="2024-02-01") == [team["mid"]]
    # The developer API's dashboard query.
    assert ids(client, alice, status="completed", completed_after="2024-01-01") == [team["done"]]
    assert ids(client, alice, completed_after="2999-01-01") == []


def test_lists_only_what_the_caller_may_see(client: httpx.Client, db: Database, team: dict[str, Any]) -> None:
    stranger = make_person(db)
    own = make_task(client, stranger, make_project(client, stranger))["id"]
    assert ids(client, stranger) == [own]
    r = client.get("/v1/tasks", params={"project_id": team["p1"]}, headers=stranger.headers)
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"due_before": "tomorrow"}, "due_before"),
        ({"due_after": "2024-13-01"}, "due_after"),
        ({"completed_after": "yesterday"}, "completed_after"),
        ({"status": "done"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"project_id": "task_1"}, "project_id"),
        ({"colour": "red"}, "colour"),
        ({"custom_fields.estimate[between]": "1"}, "custom_fields.estimate[between]"),
        ({"due_date[gte]": "next tuesday"}, "due_date[gte]"),
        ({"status[gt]": "pending"}, "status[gt]"),
        ({"status[sorta]": "pending"}, "status[sorta]"),
        ({"labels[exists]": "maybe"}, "labels[exists]"),
        ({"progress[gte]": "half"}, "progress[gte]"),
        ({"filter": "status = pending &&"}, "filter"),
        ({"filter": "(status = pending"}, "filter"),
        ({"filter": "flavour = sweet"}, "filter"),
        ({"sort": "-due_date,budget"}, "sort"),
        ({"include": "project,comments"}, "include"),
        ({"fields": "id,name,flavour"}, "fields"),
        ({"fields[gizmo]": "name"}, "fields[gizmo]"),
        ({"limit": "many"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "2", "limit": "10"}, "page"),
    ],
)
def test_bad_query_parameters(client: httpx.Client, db: Database, params: dict[str, str], field: str) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    for path in ("/v1/tasks", f"/v1/projects/{project}/tasks"):
        r = client.get(path, params=params, headers=alice.headers)
        assert r.status_code == 422, (path, r.text)
        error = r.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"]["field"] == field


def test_nested_list_refuses_project_id_and_show_refuses_filters(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)["id"]
    r = client.get(f"/v1/projects/{project}/tasks", params={"project_id": project}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "project_id"
    r = client.get(f"/v1/tasks/{task}", params={"status": "pending"}, headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "status"


def test_paging_is_capped_and_linked(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    seed = [{"name": f"t{i:03d}"} for i in range(130)]
    project = client.post("/v1/projects", json={"name": "Big", "tasks": seed}, headers=alice.headers).json()["data"][
        "id"
    ]
    r = client.get(f"/v1/projects/{project}/tasks", params={"limit": 500, "total": "true"}, headers=alice.headers)
    body = r.json()
    assert len(body["data"]) == 100
    assert body["meta"]["limit"] == 100
    assert body["meta"]["total"] == 130
    assert body["links"]["prev"] is None
    nxt = client.get(body["links"]["next"], headers=alice.headers).json()
    assert [t["attributes"]["name"] for t in nxt["data"]] == [f"t{i:03d}" for i in range(100, 130)]
    assert nxt["links"]["next"] is None
    assert nxt["meta"]["offset"] == 100
    back = client.get(nxt["links"]["prev"], headers=alice.headers).json()
    assert back["data"][0]["attributes"]["name"] == "t000"
    r = client.get("/v1/tasks", params={"page": 3, "per_page": 25, "total": "true"}, headers=alice.headers).json()
    assert [t["attributes"]["name"] for t in r["data"]][:2] == ["t050", "t051"]
    assert r["meta"] | {} == {"total": 130, "limit": 25, "offset": 50, "page": 3, "per_page": 25}
    r = client.get("/v1/tasks", params={"per_page": 1000}, headers=alice.headers).json()
    assert r["meta"]["per_page"] == 100
    assert len(r["data"]) == 100
    r = client.get("/v1/tasks", params={"offset": 125, "limit": 10}, headers=alice.headers).json()
    assert len(r["data"]) == 5
    assert r["links"]["next"] is None
    # The developer API's "read pages until a short one" loop ends with every task once.
    seen: list[str] = []
    offset = 0
    while True:
        page = client.get(
            f"/v1/projects/{project}/tasks", params={"offset": offset, "limit": 100}, headers=alice.headers
        ).json()
        seen += [t["id"] for t in page["data"]]
        offset += 100
        if len(page["data"]) < 100:
            break
    assert len(seen) == len(set(seen)) == 130


def test_multi_key_sort_with_stable_ties(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    make = [("b", "2024-03-01"), ("a", "2024-03-01"), ("c", None), ("a", "2024-01-01"), ("a", "2024-03-01")]
    t = [make_task(client, alice, project, name=n, due_date=d)["id"] for n, d in make]
    assert ids(client, alice, sort="-due_date,name") == [t[1], t[4], t[0], t[3], t[2]]
    assert ids(client, alice, sort="due_date,-name") == [t[3], t[0], t[1], t[4], t[2]]
    assert ids(client, alice, sort="name") == [t[1], t[3], t[4], t[0], t[2]]
    # Without sort: manual order (creation order here).
    assert ids(client, alice, f"/v1/projects/{project}/tasks") == t
    r = client.get("/v1/tasks", params={"sort": "-due_date,name", "limit": 2}, headers=alice.headers).json()
    assert [x["id"] for x in r["data"]] == [t[1], t[4]]
    assert [x["id"] for x in client.get(r["links"]["next"], headers=alice.headers).json()["data"]] == [t[0], t[3]]


def test_priority_sorts_by_rank(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    t = {p: make_task(client, alice, project, priority=p)["id"] for p in ("medium", "urgent", "low", "high")}
    assert ids(client, alice, sort="-priority") == [t["urgent"], t["high"], t["medium"], t["low"]]


def test_sparse_fieldsets(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project, name="Sparse", assignee_id=alice.id)["id"]
    r = client.get("/v1/tasks", params={"fields": "id,name,status"}, headers=alice.headers)
    [doc] = r.json()["data"]
    assert doc == {"id": task, "type": "task", "attributes": {"name": "Sparse", "status": "pending"}}
    r = client.get(f"/v1/tasks/{task}", params={"fields[task]": "name"}, headers=alice.headers)
    assert r.json()["data"]["attributes"] == {"name": "Sparse"}
    spec = "id,name,status,assignee_id,due_date"
    r = client.get("/v1/tasks", params={"fields": spec, "limit": 100, "sort": "due_date"}, headers=alice.headers)
    assert set(r.json()["data"][0]["attributes"]) == {"name", "status", "assignee_id", "due_date"}
    r = client.get(
        f"/v1/projects/{project}/tasks",
        params={"fields[task]": "name,project_id", "include": "project", "fields[project]": "name"},
        headers=alice.headers,
    )
    body = r.json()
    assert body["data"][0]["attributes"] == {"name": "Sparse", "project_id": project}
    assert body["included"] == [{"id": project, "type": "project", "attributes": {"name": "A project"}}]
    r = client.get(f"/v1/tasks/{task}", params={"fields[task]": "name,project,assignee"}, headers=alice.headers)
    data = r.json()["data"]
    assert data["attributes"] == {"name": "Sparse"}
    assert data["relationships"] == {
        "project": {"data": {"id": project, "type": "project"}},
        "assignee": {"data": {"id": alice.id, "type": "user"}},
    }


def test_include_project_and_assignees(client: httpx.Client, db: Database) -> None:
    alice, bob = make_person(db, name="Alice Johnson"), make_person(db)
    join(db, alice, bob)
    p1, p2 = make_project(client, alice, name="One"), make_project(client, alice, name="Two")
    make_task(client, alice, p1, assignee_ids=[alice.id, bob.id])
    make_task(client, alice, p2, assignee_id=alice.id)
    r = client.get("/v1/tasks", params={"include": "project,assignees"}, headers=alice.headers)
    included = r.json()["included"]
    assert sorted((i["type"], i["id"]) for i in included) == sorted(
        [("project", p1), ("project", p2), ("user", alice.id), ("user", bob.id)]
    )
    alice_doc = next(i for i in included if i["id"] == alice.id)
    assert alice_doc["attributes"]["name"] == "Alice Johnson"
    assert alice_doc["attributes"]["email"] == alice.email
    r = client.get("/v1/tasks", params=[("include[]", "assignee")], headers=alice.headers)
    assert [i["id"] for i in r.json()["included"]] == [alice.id]
    r = client.get("/v1/tasks", params={"sort": "name"}, headers=alice.headers)
    assert "included" not in r.json()


@pytest.mark.parametrize("bound", [False, True], ids=["user-wide keys", "workspace-bound keys"])
def test_lists_of_one_shape_answer_each_caller_with_their_own_tasks(
    client: httpx.Client, db: Database, bound: bool
) -> None:
    """A list's statement is built once per shape (who is bound, which filters are set) and
    shared by every caller of that shape, their values bound per request: callers of the same
    shape, one after another, each get their own tasks and pages, never the last caller's."""
    people = [make_person(db, bind_workspace=bound) for _ in range(3)]
    mine: dict[str, list[str]] = {}
    projects: dict[str, str] = {}
    for n, who in enumerate(people):
        project = projects[who.id] = make_project(client, who, name=f"P{n}")
        mine[who.id] = [
            make_task(client, who, project, name=f"{who.id} task {k}", due_date=f"2030-0{n + 1}-1{k}")["id"]
            for k in range(3)
        ]
    make_task(client, people[0], projects[people[0].id], name="done", status="completed")
    for _round in range(2):
        for who in people:
            assert ids(client, who, sort="due_date", limit=50) == mine[who.id] + (
                [] if who is not people[0] else ids(client, who, status="completed")
            )
            assert (
                ids(client, who, f"/v1/projects/{projects[who.id]}/tasks", sort="-due_date", status="pending")
                == (mine[who.id][::-1])
            )
            assert ids(client, who, sort="due_date", limit=1, offset=1) == mine[who.id][1:2]
            assert ids(client, who, sort="due_date", limit=1, offset=1, status="pending") == mine[who.id][1:2]
            # One filter shape, each caller's own values (their tasks are due in month n + 1).
            n = people.index(who)
            after = {"due_date[gte]": f"2030-0{n + 1}-11", "status[in]": "pending,in_progress"}
            assert ids(client, who, sort="due_date", **after) == mine[who.id][1:]
            assert ids(client, who, sort="due_date", **{"due_date[gte]": f"2030-0{n + 1}-12"}) == mine[who.id][2:]
            others = [p for p in people if p is not who]
            for other in others:
                r = client.get(f"/v1/projects/{projects[other.id]}/tasks", headers=who.headers)
                assert r.status_code == 404, r.text


def test_a_project_page_is_404_to_a_stranger_whatever_it_asks(client: httpx.Client, db: Database) -> None:
    """A page of a project's tasks proves the caller sees the project only when it holds tasks
    (domain/tasks/service.py list_tasks_for): an empty one looks the project up. A stranger gets
    the 404 of a path id for every filter, sort, page, search and custom field."""
    owner, stranger = make_person(db, name="Owner"), make_person(db, name="Stranger")
    project = make_project(client, owner)
    make_task(client, owner, project, name="Pending work", priority="high")
    for query in (
        "",
        "?status=pending",
        "?priority=high&sort=-due_date",
        "?limit=1&offset=5",
        "?search=work",
        "?custom_fields.size=3",
        "?sort=custom_fields.size",
        "?include=assignees",
    ):
        r = client.get(f"/v1/projects/{project}/tasks{query}", headers=stranger.headers)
        assert r.status_code == 404, (query, r.text)
        assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND", query
    # The owner's page past its end, and the stranger's own empty project: empty pages, 200.
    r = client.get(f"/v1/projects/{project}/tasks?offset=10", headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == []
    own = make_project(client, stranger)
    r = client.get(f"/v1/projects/{own}/tasks?status=pending", headers=stranger.headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == []
    # A project that does not exist at all.
    r = client.get("/v1/projects/project_999999/tasks?status=pending", headers=stranger.headers)
    assert r.status_code == 404, r.text
