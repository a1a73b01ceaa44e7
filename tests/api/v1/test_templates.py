"""/v1 templates beyond the CRUD contract (TestTemplates in test_crud_contracts.py): a project
made into a template and back (the same structure, dates shifted, variables filled), the
guide's `template_id` example, written documents refused by path, isolation, roles, the size
bound, and a template of thousands of tasks made into a project all or nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.templates.content import MAX_TASKS
from polytask.models import Event, Project
from tests.automations.helpers import drain
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project


def _post(client: httpx.Client, path: str, body: dict[str, Any], who: Person, status: int = 201) -> dict[str, Any]:
    r = client.post(path, json=body, headers=who.headers)
    assert r.status_code == status, r.text
    data: dict[str, Any] = r.json()
    return data


def _error_field(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    return str(r.json()["error"]["details"]["field"])


def _event_types(db: Database, since: int = 0) -> Counter[str]:
    with db.unit_of_work(readonly=True) as session:
        return Counter(session.scalars(select(Event.type).where(Event.id > since)))


def _last_event(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.max(Event.id))) or 0)


def _project_count(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count(Project.id))) or 0)


def _tasks(client: httpx.Client, project: str, who: Person) -> list[dict[str, Any]]:
    r = client.get(f"/v1/projects/{project}/tasks", params={"limit": 100}, headers=who.headers)
    assert r.status_code == 200, r.text
    return [t["attributes"] | {"id": t["id"]} for t in r.json()["data"]]


def _build_source(client: httpx.Client, alice: Person) -> str:
    """A project with sections, fields, a view, labels, values and three levels of tasks."""
    project = make_project(
        client,
        alice,
        type="board",
        description="Onboarding for {{client}}",
        start_date="2026-03-02",
        due_date="2026-03-31",
        custom_fields={
            "stage": {"type": "dropdown", "options": ["intake", "setup", "live"]},
            "effort": {"type": "number"},
        },
    )
    todo = _post(client, f"/v1/projects/{project}/sections", {"name": "To do"}, alice)["data"]["id"]
    done = _post(client, f"/v1/projects/{project}/sections", {"name": "Done", "color": "#22c55e"}, alice)["data"]["id"]
    _post(client, f"/v1/projects/{project}/views", {"name": "Setup", "filter": {"custom_fields.stage": "setup"}}, alice)
    kickoff = _post(
        client,
        f"/v1/projects/{project}/tasks",
        {
            "name": "Kickoff with {{client}}",
            "section_id": todo,
            "labels": ["meeting", "client"],
            "priority": "high",
            "due_date": "2026-03-03T15:00:00Z",
            "custom_fields": {"stage": "intake", "effort": 2},
        },
        alice,
    )["data"]["id"]
    agenda = _post(
        client,
        f"/v1/projects/{project}/tasks",
        {"name": "Agenda", "parent_id": kickoff, "start_date": "2026-03-02T09:00:00Z"},
        alice,
    )["data"]["id"]
    _post(client, f"/v1/projects/{project}/tasks", {"name": "Book the room", "parent_id": agenda}, alice)
    _post(
        client,
        f"/v1/projects/{project}/tasks",
        {"name": "Go live", "section_id": done, "due_date": "2026-03-30T12:00:00Z", "status": "completed"},
        alice,
    )
    return project


def test_project_to_template_to_project_round_trip(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    source = _build_source(client, alice)
    made = _post(client, "/v1/templates", {"name": "Onboarding", "project_id": source}, alice)["data"]
    attrs = made["attributes"]
    assert made["id"].startswith("template_")
    assert (attrs["task_count"], attrs["source_project_id"], attrs["workspace_id"]) == (4, source, alice.workspace)
    content = attrs["content"]
    assert content["version"] == attrs["content_version"] == 1
    assert content["anchor_date"] == "2026-03-02"
    assert [s["name"] for s in content["sections"]] == ["To do", "Done"]
    assert {f["key"] for f in content["fields"]} == {"stage", "effort"}
    assert [v["name"] for v in content["views"]] == ["Setup"]
    [kickoff, live] = content["tasks"]
    assert kickoff["due_offset_minutes"] == 24 * 60 + 15 * 60
    assert kickoff["subtasks"][0]["subtasks"][0]["name"] == "Book the room"
    assert (live["status"], live["section"]) == ("completed", content["sections"][1]["key"])
    assert client.get(f"/v1/templates/{made['id']}", headers=alice.headers).json()["data"] == made

    since = _last_event(db)
    # The guide's example, with a start date a week later and a variable.
    body = {
        "name": "New Project",
        "template_id": made["id"],
        "workspace_id": alice.workspace,
        "start_date": "2026-03-09",
        "variables": {"client": "Acme"},
    }
    project = _post(client, "/v1/projects", body, alice)["data"]
    p = project["attributes"]
    assert (p["name"], p["type"], p["description"]) == ("New Project", "board", "Onboarding for Acme")
    assert (p["start_date"], p["due_date"]) == ("2026-03-09", "2026-04-07")
    assert p["settings"]["template_id"] == made["id"]
    assert set(p["custom_field_definitions"]) == {"stage", "effort"}
    pid = project["id"]

    sections = client.get(f"/v1/projects/{pid}/sections", headers=alice.headers).json()["data"]
    assert [(s["attributes"]["name"], s["attributes"]["color"]) for s in sections] == [
        ("To do", None),
        ("Done", "#22c55e"),
    ]
    views = client.get(f"/v1/projects/{pid}/views", headers=alice.headers).json()["data"]
    assert [v["attributes"]["name"] for v in views] == ["Setup"]
    tasks = {t["name"]: t for t in _tasks(client, pid, alice)}
    assert set(tasks) == {"Kickoff with Acme", "Agenda", "Book the room", "Go live"}
    top = tasks["Kickoff with Acme"]
    assert top["due_date"].startswith("2026-03-10T15:00:00")
    assert sorted(top["labels"]) == ["client", "meeting"]
    assert top["custom_fields"] == {"stage": "intake", "effort": 2}
    assert (top["priority"], top["section_id"]) == ("high", sections[0]["id"])
    assert tasks["Agenda"]["parent_id"] == top["id"]
    assert tasks["Agenda"]["start_date"].startswith("2026-03-09T09:00:00")
    assert tasks["Book the room"]["parent_id"] == tasks["Agenda"]["id"]
    assert (tasks["Go live"]["status"], tasks["Go live"]["section_id"]) == ("completed", sections[1]["id"])
    assert tasks["Go live"]["due_date"].startswith("2026-04-06T12:00:00")
    # An ordinary project: the ordinary events, one per thing made.
    events = _event_types(db, since)
    assert events["project.created"] == 1
    assert events["section.created"] == 2
    assert events["custom_field.created"] == 2
    assert events["view.created"] == 1
    assert events["task.created"] == 4
    assert events["task.completed"] == 1
    assert not any(t.startswith("template.") for t in events)

    # The nested route takes it too; without a start date the dates count from today.
    r = client.post(
        f"/v1/workspaces/{alice.workspace}/projects",
        json={"name": "Today", "template_id": made["id"]},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["attributes"]["start_date"] is not None
    assert r.json()["data"]["attributes"]["description"] == "Onboarding for {{client}}"  # no variable: left as is


def test_written_template_and_its_refusals(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    content = {
        "project": {"type": "kanban", "due_offset_days": 14},
        "sections": [{"key": "a", "name": "Backlog"}],
        "fields": [{"key": "size", "name": "Size", "type": "dropdown", "options": ["S", "M", "L"]}],
        "tasks": [
            {"name": "Epic {{n}}", "section": "a", "custom_fields": {"size": "M"}, "subtasks": [{"name": "Story"}]}
        ],
    }
    made = _post(client, "/v1/templates", {"name": "Sprint", "content": content}, alice)["data"]
    assert made["attributes"]["workspace_id"] == alice.workspace  # the personal one by default
    assert made["attributes"]["task_count"] == 2
    assert made["attributes"]["source_project_id"] is None
    body = {"name": "S1", "template_id": made["id"], "start_date": "2027-01-04", "variables": {"n": "1"}}
    project = _post(client, "/v1/projects", body, alice)["data"]
    assert (project["attributes"]["type"], project["attributes"]["due_date"]) == ("kanban", "2027-01-18")
    names = sorted(t["name"] for t in _tasks(client, project["id"], alice))
    assert names == ["Epic 1", "Story"]

    refused = [
        ({"name": "x", "content": {"tasks": [{"name": ""}]}}, "content.tasks[0].name"),
        (
            {"name": "x", "content": {"tasks": [{"name": "a", "subtasks": [{"name": "b", "nme": "c"}]}]}},
            "content.tasks[0].subtasks[0].nme",
        ),
        ({"name": "x", "content": {"version": 2}}, "content.version"),
        ({"name": "x", "content": {"tasks": [{"name": "a", "section": "nope"}]}}, "content.tasks[0].section"),
        (
            {"name": "x", "content": {"sections": [{"key": "a", "name": "A"}, {"key": "a", "name": "B"}]}},
            "content.sections[1].key",
        ),
        (
            {"name": "x", "content": {"fields": [{"key": "k", "name": "K", "type": "dropdown"}]}},
            "content.fields[0].options",
        ),
        (
            {"name": "x", "content": {"tasks": [{"name": "a", "due_offset_minutes": 10**9}]}},
            "content.tasks[0].due_offset_minutes",
        ),
        ({"name": "x", "content": {"tasks": [{"name": "t"}] * (MAX_TASKS + 1)}}, "content.tasks"),
        ({"name": "x", "project_id": "project_1", "content": {}}, "content"),
        ({"name": "x", "project_id": "project_999999"}, "project_id"),
        ({"name": "x", "workspace_id": "workspace_999999"}, None),
    ]
    deep: dict[str, Any] = {"name": "leaf"}
    for _ in range(8):
        deep = {"name": "level", "subtasks": [deep]}
    refused.append(({"name": "x", "content": {"tasks": [deep]}}, "content.tasks[0]" + ".subtasks[0]" * 8))
    before = _last_event(db)
    for body, field in refused:
        r = client.post("/v1/templates", json=body, headers=alice.headers)
        if field is None:
            assert r.status_code == 404, r.text
        else:
            assert _error_field(r) == field, body
    assert _last_event(db) == before

    # Project creation's own refusals; nothing is written.
    projects = _project_count(db)
    for body, field in [
        ({"name": "p", "template_id": "project_1"}, "template_id"),
        ({"name": "p", "template_id": made["id"], "variables": {"bad name": "x"}}, "variables.bad name"),
        ({"name": "p", "variables": {"n": "1"}}, "variables"),
        ({"name": "p", "template_id": made["id"], "variables": {"n": "x" * 600}}, "variables"),
    ]:
        r = client.post("/v1/projects", json=body, headers=alice.headers)
        assert _error_field(r).startswith(field), r.text
    assert _project_count(db) == projects
    assert _last_event(db) == before


def test_a_template_that_cannot_be_applied_leaves_nothing(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    # A view sorted by no field: found only when applied.
    content = {"tasks": [{"name": "a"}], "views": [{"name": "Broken", "sort": "no_such_field"}]}
    made = _post(client, "/v1/templates", {"name": "Broken", "content": content}, alice)["data"]
    before, projects = _last_event(db), _project_count(db)
    r = client.post("/v1/projects", json={"name": "p", "template_id": made["id"]}, headers=alice.headers)
    assert _error_field(r) == "template_id"
    assert (_last_event(db), _project_count(db)) == (before, projects)


def test_isolation_and_roles(client: httpx.Client, db: Database) -> None:
    alice, mallory, viewer, member = make_person(db), make_person(db), make_person(db), make_person(db)
    join(db, alice, viewer, role="viewer")
    join(db, alice, member, role="member")
    made = _post(client, "/v1/templates", {"name": "T", "workspace_id": alice.workspace}, alice)["data"]
    tid = made["id"]
    # Another workspace's person: 404 everywhere, and cannot make a project from it.
    for method, path, body in [
        ("GET", f"/v1/templates/{tid}", None),
        ("PATCH", f"/v1/templates/{tid}", {"name": "mine"}),
        ("DELETE", f"/v1/templates/{tid}", None),
        ("POST", "/v1/projects", {"name": "p", "template_id": tid}),
        ("POST", f"/v1/workspaces/{mallory.workspace}/projects", {"name": "p", "template_id": tid}),
    ]:
        r = client.request(method, path, json=body, headers=mallory.headers)
        assert r.status_code == 404, f"{method} {path}: {r.text}"
    assert client.get("/v1/templates", headers=mallory.headers).json()["data"] == []
    # A member of both workspaces still cannot use it in another workspace: 404.
    r = client.post(
        f"/v1/workspaces/{member.workspace}/projects", json={"name": "p", "template_id": tid}, headers=member.headers
    )
    assert r.status_code == 404, r.text
    # A template of another workspace's project: refused like a missing one (a body's reference).
    foreign = make_project(client, mallory)
    r = client.post("/v1/templates", json={"name": "x", "project_id": foreign}, headers=alice.headers)
    assert _error_field(r) == "project_id"
    assert r.json()["error"]["message"] == client.post(
        "/v1/templates", json={"name": "x", "project_id": "project_999999"}, headers=alice.headers
    ).json()["error"]["message"].replace("project_999999", foreign)
    # Viewers read templates but neither make them nor make projects from them.
    assert client.get(f"/v1/templates/{tid}", headers=viewer.headers).status_code == 200
    listed = client.get("/v1/templates", params={"workspace_id": alice.workspace}, headers=viewer.headers).json()
    assert [t["id"] for t in listed["data"]] == [tid]
    assert "content" not in listed["data"][0]["attributes"]
    r = client.post("/v1/templates", json={"name": "v", "workspace_id": alice.workspace}, headers=viewer.headers)
    assert r.status_code == 403, r.text
    r = client.post(
        f"/v1/workspaces/{alice.workspace}/projects", json={"name": "p", "template_id": tid}, headers=viewer.headers
    )
    assert r.status_code == 403, r.text
    # Members make projects from it.
    r = client.post(
        f"/v1/workspaces/{alice.workspace}/projects", json={"name": "p", "template_id": tid}, headers=member.headers
    )
    assert r.status_code == 201, r.text


def test_list_search_sort_and_update(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    for name, tasks in (("Sprint plan", 3), ("Client onboarding", 1), ("Sprint retro", 0)):
        content = {"tasks": [{"name": f"t{i}"} for i in range(tasks)]}
        _post(client, "/v1/templates", {"name": name, "content": content}, alice)

    def names(**params: Any) -> list[str]:
        r = client.get("/v1/templates", params=params, headers=alice.headers)
        assert r.status_code == 200, r.text
        return [t["attributes"]["name"] for t in r.json()["data"]]

    assert names() == ["Client onboarding", "Sprint plan", "Sprint retro"]
    assert names(search="sprint") == ["Sprint plan", "Sprint retro"] or names(search="sprint") == [
        "Sprint retro",
        "Sprint plan",
    ]
    assert names(search="sprint retro") == ["Sprint retro"]
    assert names(**{"task_count[gte]": "1"}, sort="-task_count") == ["Sprint plan", "Client onboarding"]
    assert names(limit=1, sort="-name") == ["Sprint retro"]
    # Past what the column holds: a 422, not PostgreSQL's out-of-range error (schemathesis found it).
    r = client.get("/v1/templates", params={"task_count": "228704199770"}, headers=alice.headers)
    assert _error_field(r) == "task_count"
    tid = client.get("/v1/templates", params={"name": "Sprint retro"}, headers=alice.headers).json()["data"][0]["id"]
    since = _last_event(db)
    r = client.patch(
        f"/v1/templates/{tid}",
        json={"description": "After each sprint", "content": {"tasks": [{"name": "What went well"}]}},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    attrs = r.json()["data"]["attributes"]
    assert (attrs["description"], attrs["task_count"]) == ("After each sprint", 1)
    assert attrs["content"]["tasks"][0]["name"] == "What went well"
    with db.unit_of_work(readonly=True) as session:
        [changes] = session.scalars(select(Event.changes).where(Event.id > since, Event.type == "template.updated"))
    assert set(changes) == {"description", "task_count", "content"}
    r = client.patch(f"/v1/templates/{tid}", json={"content": {"tasks": [{"name": ""}]}}, headers=alice.headers)
    assert _error_field(r) == "content.tasks[0].name"


def test_a_large_template_makes_a_project(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    # 2,000 tasks: 400 parents with four subtasks each, every one with a label, a due date and
    # a value of the template's field.
    tasks = [
        {
            "name": f"Parent {p}",
            "labels": ["phase-1"],
            "custom_fields": {"points": p % 8},
            "due_offset_minutes": p * 60,
            "subtasks": [
                {
                    "name": f"Child {p}.{c}",
                    "labels": ["child"],
                    "due_offset_minutes": p * 60 + c,
                    "custom_fields": {"points": c},
                }
                for c in range(4)
            ],
        }
        for p in range(400)
    ]
    content = {"fields": [{"key": "points", "name": "Points", "type": "number"}], "tasks": tasks}
    made = _post(client, "/v1/templates", {"name": "Big", "content": content}, alice)["data"]
    assert made["attributes"]["task_count"] == 2000
    since = _last_event(db)
    project = _post(
        client, "/v1/projects", {"name": "Big one", "template_id": made["id"], "start_date": "2027-05-01"}, alice
    )
    pid = project["data"]["id"]
    assert _event_types(db, since)["task.created"] == 2000
    r = client.get(
        f"/v1/projects/{pid}/tasks",
        params={"name": "Child 399.3", "total": "true"},
        headers=alice.headers,
    )
    [child] = r.json()["data"]
    assert child["attributes"]["due_date"].startswith("2027-05-17T15:03:00")
    assert child["attributes"]["labels"] == ["child"]
    assert child["attributes"]["custom_fields"] == {"points": 3}
    parent = client.get(f"/v1/tasks/{child['attributes']['parent_id']}", headers=alice.headers).json()["data"]
    assert parent["attributes"]["name"] == "Parent 399"


def test_a_projects_automations_travel_with_its_template(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    alice, bo = make_person(db), make_person(db)
    join(db, alice, bo)  # a member: no automations for them to see, copy or own
    source = make_project(client, alice)
    sections = {
        name: _post(client, f"/v1/projects/{source}/sections", {"name": name}, alice)["data"]["id"]
        for name in ("Backlog", "Hot")
    }
    on_create = {"kind": "event", "event": "task.created"}
    triage = {
        "name": "Triage",
        "trigger": on_create,
        "conditions": "priority = high",
        "actions": [
            {"type": "move_to_section", "section_id": sections["Hot"]},
            {"type": "add_label", "label": "hot"},
        ],
    }
    _post(client, f"/v1/projects/{source}/automations", triage, alice)
    hook = {"name": "Hook", "trigger": {"kind": "webhook"}, "actions": [{"type": "add_comment", "body": "x"}]}
    _post(client, f"/v1/projects/{source}/automations", hook, alice)

    made = _post(client, "/v1/templates", {"name": "Triaged", "project_id": source}, alice)["data"]
    template = client.get(f"/v1/templates/{made['id']}", headers=alice.headers).json()["data"]
    [copied] = template["attributes"]["content"]["automations"]  # the incoming URL is not copied
    assert copied["actions"][0] == {"type": "move_to_section", "section": "s2"}
    # A member copying the same project sees no automations, so copies none.
    theirs = _post(client, "/v1/templates", {"name": "Member's", "project_id": source}, bo)["data"]
    theirs = client.get(f"/v1/templates/{theirs['id']}", headers=bo.headers).json()["data"]
    assert theirs["attributes"]["content"]["automations"] == []

    project = _post(client, "/v1/projects", {"name": "New", "template_id": made["id"]}, alice)["data"]["id"]
    [automation] = client.get(f"/v1/projects/{project}/automations", headers=alice.headers).json()["data"]
    new_sections = {
        s["attributes"]["name"]: s["id"]
        for s in client.get(f"/v1/projects/{project}/sections", headers=alice.headers).json()["data"]
    }
    assert automation["attributes"]["actions"][0]["section_id"] == new_sections["Hot"]
    task = _post(client, f"/v1/projects/{project}/tasks", {"name": "Fire", "priority": "high"}, alice)["data"]
    drain(db, settings)
    after = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers).json()["data"]
    assert after["attributes"]["labels"] == ["hot"]
    assert after["relationships"]["section"]["data"]["id"] == new_sections["Hot"]
    # A member making a project from it gets the project, without the automations.
    body = {"name": "Bo's", "template_id": made["id"]}
    bos = _post(client, f"/v1/workspaces/{alice.workspace}/projects", body, bo)["data"]["id"]
    assert client.get(f"/v1/projects/{bos}/automations", headers=alice.headers).json()["data"] == []
    assert sorted(s["attributes"]["name"] for s in _sections(client, bos, alice)) == ["Backlog", "Hot"]

    # A written template is held to the same rules, naming the path.
    for automation_doc, field in (
        ({**hook}, "content.automations[0].trigger.kind"),
        (
            {"name": "x", "trigger": on_create, "actions": [{"type": "move_to_section", "section": "nope"}]},
            "content.automations[0].actions[0].section",
        ),
        (
            {"name": "x", "trigger": on_create, "actions": [{"type": "move_to_section", "section": ["s1"]}]},
            "content.automations[0].actions[0].section",
        ),
        ({"name": "x", "trigger": on_create, "actions": [{"type": "teleport"}]}, "content.automations[0].actions[0]"),
    ):
        body = {"name": "Bad", "content": {"automations": [automation_doc]}}
        r = client.post("/v1/templates", json=body, headers=alice.headers)
        assert r.status_code == 422, r.text
        assert _error_field(r).startswith(field), (_error_field(r), field)


def _sections(client: httpx.Client, project: str, who: Person) -> list[dict[str, Any]]:
    r = client.get(f"/v1/projects/{project}/sections", headers=who.headers)
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data
