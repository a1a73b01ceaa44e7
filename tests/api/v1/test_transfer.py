"""Export and import under /v1: Trello and Todoist files written here in those products'
documented formats, CSV with a mapping and dry run, the JSON export -> import round trip, bad
files, isolation and permissions, a failing project rolled back alone, a job picked up again
after its worker died. The import jobs are driven by the worker's step function
(worker/importer.py run_next_import), never by waiting."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from polytask.api.app import create_app
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.settings import Settings
from polytask.domain.transfer import jobs
from polytask.models import Event, ImportJob, Project
from polytask.worker.importer import run_next_import
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task


def _import(
    client: httpx.Client,
    who: Person,
    workspace: str,
    content: bytes,
    *,
    filename: str,
    format: str,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> httpx.Response:
    data: dict[str, str] = {"format": format, "dry_run": "true" if dry_run else "false"}
    if mapping is not None:
        data["mapping"] = json.dumps(mapping)
    if options is not None:
        data["options"] = json.dumps(options)
    return client.post(
        f"/v1/workspaces/{workspace}/imports", files={"file": (filename, content)}, data=data, headers=who.headers
    )


def _run_jobs(db: Database) -> list[int]:
    ran: list[int] = []
    while (job := run_next_import(db, worker="test")) is not None:
        ran.append(job)
        assert len(ran) < 20
    return ran


def _imported(client: httpx.Client, who: Person, response: httpx.Response, db: Database) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    job = response.json()["data"]
    assert job["attributes"]["status"] == "queued"
    assert response.headers["location"] == f"/v1/imports/{job['id']}"
    _run_jobs(db)
    r = client.get(f"/v1/imports/{job['id']}", headers=who.headers)
    assert r.status_code == 200, r.text
    attrs: dict[str, Any] = r.json()["data"]["attributes"]
    return attrs


def _tasks(client: httpx.Client, who: Person, project: str) -> list[dict[str, Any]]:
    r = client.get(f"/v1/projects/{project}/tasks?limit=100&sort=created_at", headers=who.headers)
    assert r.status_code == 200, r.text
    return [{"id": t["id"], **t["attributes"]} for t in r.json()["data"]]


def _sections(client: httpx.Client, who: Person, project: str) -> dict[str, str]:
    r = client.get(f"/v1/projects/{project}/sections", headers=who.headers)
    assert r.status_code == 200, r.text
    return {s["id"]: s["attributes"]["name"] for s in r.json()["data"]}


def _events(db: Database, kind: str) -> list[str]:
    with db.unit_of_work(readonly=True) as session:
        return list(session.scalars(select(Event.type).where(Event.type.startswith(kind)).order_by(Event.id)))


def _project_count(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(Project)) or 0)


TRELLO_BOARD = {
    "id": "5f1",
    "name": "Product launch",
    "desc": "Everything for the launch",
    "closed": False,
    "labels": [
        {"id": "lb1", "idBoard": "5f1", "name": "Urgent", "color": "red"},
        {"id": "lb2", "idBoard": "5f1", "name": "", "color": "green"},
    ],
    "lists": [
        {"id": "l1", "name": "To Do", "closed": False, "pos": 16384},
        {"id": "l2", "name": "Doing", "closed": False, "pos": 32768},
        {"id": "l3", "name": "Old ideas", "closed": True, "pos": 49152},
    ],
    "cards": [
        {
            "id": "c1",
            "name": "Write the press release",
            "desc": "Two pages, **markdown**",
            "due": "2026-03-01T17:00:00.000Z",
            "dueComplete": False,
            "idList": "l1",
            "idLabels": ["lb1", "lb2"],
            "idChecklists": ["ck1"],
            "closed": False,
            "pos": 1,
        },
        {
            "id": "c2",
            "name": "Book the venue",
            "desc": "",
            "due": None,
            "dueComplete": True,
            "idList": "l2",
            "idLabels": [],
            "closed": False,
            "pos": 2,
        },
        {"id": "c3", "name": "Archived card", "desc": "", "idList": "l1", "idLabels": [], "closed": True, "pos": 3},
        {"id": "c4", "name": "On a closed list", "desc": "", "idList": "l3", "idLabels": [], "closed": False, "pos": 4},
    ],
    "checklists": [
        {
            "id": "ck1",
            "idCard": "c1",
            "name": "Steps",
            "pos": 1,
            "checkItems": [
                {"id": "i1", "name": "Draft", "state": "complete", "pos": 1},
                {"id": "i2", "name": "Review", "state": "incomplete", "pos": 2},
            ],
        }
    ],
    "actions": [
        {
            "id": "a1",
            "type": "commentCard",
            "date": "2026-02-01T10:00:00.000Z",
            "data": {"text": "Legal must see it first", "card": {"id": "c1", "name": "Write the press release"}},
            "memberCreator": {"id": "m1", "username": "nobodyhere", "fullName": "Nobody Here"},
        }
    ],
}


def test_a_trello_board_imports_with_lists_cards_labels_checklists(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    content = json.dumps(TRELLO_BOARD).encode()
    dry = _import(client, alice, alice.workspace, content, filename="board.json", format="trello", dry_run=True)
    assert dry.status_code == 200, dry.text
    report = dry.json()["meta"]
    assert report["valid"] is True
    assert report["counts"] == {"projects": 1, "sections": 2, "tasks": 2, "subtasks": 2, "comments": 1, "labels": 2}
    assert len(report["warnings"]) == 2  # the archived card, the card on an archived list
    assert _project_count(db) == 0
    assert _events(db, "task.") == []

    job = _imported(
        client, alice, _import(client, alice, alice.workspace, content, filename="board.json", format="trello"), db
    )
    assert (job["status"], job["total"], job["done"], job["errors"]) == ("succeeded", 4, 4, [])
    [project] = job["project_ids"]
    got = client.get(f"/v1/projects/{project}", headers=alice.headers).json()["data"]["attributes"]
    assert (got["name"], got["description"]) == ("Product launch", "Everything for the launch")
    sections = _sections(client, alice, project)
    assert sorted(sections.values()) == ["Doing", "To Do"]
    tasks = {t["name"]: t for t in _tasks(client, alice, project)}
    assert set(tasks) == {"Write the press release", "Book the venue", "Draft", "Review"}
    release = tasks["Write the press release"]
    assert sections[release["section_id"]] == "To Do"
    assert release["description"] == "Two pages, **markdown**"
    assert release["due_date"].startswith("2026-03-01T17:00:00")
    assert sorted(release["labels"]) == ["Urgent", "green"]
    assert release["parent_id"] is None
    assert (tasks["Draft"]["parent_id"], tasks["Draft"]["status"]) == (release["id"], "completed")
    assert (tasks["Review"]["parent_id"], tasks["Review"]["status"]) == (release["id"], "pending")
    assert tasks["Book the venue"]["status"] == "completed"
    comments = client.get(f"/v1/tasks/{release['id']}/comments", headers=alice.headers).json()["data"]
    assert [c["attributes"]["body"] for c in comments] == ["Legal must see it first"]
    # The ordinary events of what was created, and the job's own.
    assert _events(db, "project.") == ["project.created"]
    assert _events(db, "task.").count("task.created") == 4
    assert _events(db, "import.") == ["import.succeeded"]
    # A finished job lets its parsed file go.
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(ImportJob.plan)).all() == [{}]
    feed = client.get("/v1/events?types=import.*", headers=alice.headers)
    assert feed.status_code == 200, feed.text


def _todoist_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "TYPE",
            "CONTENT",
            "DESCRIPTION",
            "PRIORITY",
            "INDENT",
            "AUTHOR",
            "RESPONSIBLE",
            "DATE",
            "DATE_LANG",
            "TIMEZONE",
        ]
    )
    writer.writerows(rows)
    return out.getvalue().encode()


def test_a_todoist_csv_imports_with_sections_indents_labels_and_notes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    bob = make_person(db, name="Bob")
    join(db, alice, bob)
    with db.unit_of_work(readonly=True) as session:
        from polytask.models import User

        bob_name = session.get(User, bob.user_id).username  # type: ignore[union-attr]
    content = _todoist_csv(
        [
            ["task", "Inbox thing @errand", "", "4", "1", "Alice (1)", "", "", "en", "Europe/London"],
            ["section", "Planning", "", "", "", "", "", "", "", ""],
            [
                "task",
                "Plan the trip @travel @family",
                "Where to?",
                "1",
                "1",
                "Alice (1)",
                f"{bob_name} (2)",
                "2026-07-01",
                "en",
                "Europe/London",
            ],
            ["task", "Book flights", "", "2", "2", "Alice (1)", "", "2026-06-01", "en", "Europe/London"],
            ["task", "Pick seats", "", "3", "3", "Alice (1)", "", "every monday", "en", "Europe/London"],
            ["note", "Window please", "", "", "", "Alice (1)", "", "", "", ""],
            ["task", "Pack", "", "4", "1", "Alice (1)", "", "", "en", "Europe/London"],
            ["", "", "", "", "", "", "", "", "", ""],
        ]
    )
    job = _imported(
        client, alice, _import(client, alice, alice.workspace, content, filename="Trip.csv", format="todoist"), db
    )
    assert job["status"] == "succeeded", job
    assert any("every monday" in w["issue"] for w in job["warnings"])
    [project] = job["project_ids"]
    assert client.get(f"/v1/projects/{project}", headers=alice.headers).json()["data"]["attributes"]["name"] == "Trip"
    sections = _sections(client, alice, project)
    assert list(sections.values()) == ["Planning"]
    tasks = {t["name"]: t for t in _tasks(client, alice, project)}
    assert set(tasks) == {"Inbox thing", "Plan the trip", "Book flights", "Pick seats", "Pack"}
    assert tasks["Inbox thing"]["labels"] == ["errand"]
    assert tasks["Inbox thing"]["section_id"] is None
    assert tasks["Inbox thing"]["priority"] is None  # p4: Todoist's "no priority"
    trip = tasks["Plan the trip"]
    assert (sorted(trip["labels"]), trip["priority"], trip["description"]) == (
        ["family", "travel"],
        "urgent",
        "Where to?",
    )
    assert trip["assignee_ids"] == [bob.id]
    assert trip["due_date"].startswith("2026-07-01")
    assert sections[trip["section_id"]] == "Planning"
    assert (tasks["Book flights"]["parent_id"], tasks["Book flights"]["priority"]) == (trip["id"], "high")
    assert (tasks["Pick seats"]["parent_id"], tasks["Pick seats"]["due_date"]) == (tasks["Book flights"]["id"], None)
    assert tasks["Pack"]["parent_id"] is None
    # Written a depth at a time, each task still takes its place in the file (board order).
    by_position = sorted(tasks.values(), key=lambda t: t["position"])
    assert [t["name"] for t in by_position] == ["Inbox thing", "Plan the trip", "Book flights", "Pick seats", "Pack"]
    notes = client.get(f"/v1/tasks/{tasks['Pick seats']['id']}/comments", headers=alice.headers).json()["data"]
    assert [c["attributes"]["body"] for c in notes] == ["Window please"]


def test_csv_with_a_mapping_and_a_dry_run_report(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    rows = (
        "Title,Deadline,Tags,State,Weight\n"
        "First,2026-05-01,a;b,pending,low\n"
        "Second,not a date,,done,huge\n"
        "Third,,c,completed,high\n"
    )
    mapping = {"name": "Title", "due_date": "Deadline", "labels": "Tags", "status": "State", "priority": "Weight"}
    options = {"list_separator": ";", "project_name": "From a sheet"}
    dry = _import(
        client,
        alice,
        alice.workspace,
        rows.encode(),
        filename="s.csv",
        format="csv",
        dry_run=True,
        mapping=mapping,
        options=options,
    )
    assert dry.status_code == 200, dry.text
    report = dry.json()["meta"]
    assert report["valid"] is False
    assert report["counts"]["tasks"] == 3
    flagged = {(e["row"], e["field"].rsplit(".", 1)[-1]) for e in report["errors"]}
    assert flagged == {(3, "due_date"), (3, "status"), (3, "priority")}
    # A real import of the same file is refused whole, naming the first problem; nothing queued.
    refused = _import(
        client, alice, alice.workspace, rows.encode(), filename="s.csv", format="csv", mapping=mapping, options=options
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["row"] == 3
    with db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(ImportJob)) == 0
    # An unknown column in the mapping names the mapping entry.
    unknown = _import(
        client, alice, alice.workspace, rows.encode(), filename="s.csv", format="csv", mapping={"name": "Titel"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"]["field"] == "mapping.name"
    assert "Titel" in unknown.json()["error"]["message"]
    good = rows.replace("Second,not a date,,done,huge\n", "")
    job = _imported(
        client,
        alice,
        _import(
            client,
            alice,
            alice.workspace,
            good.encode(),
            filename="s.csv",
            format="csv",
            mapping=mapping,
            options=options,
        ),
        db,
    )
    assert (job["status"], job["total"], job["done"]) == ("succeeded", 2, 2)
    [project] = job["project_ids"]
    tasks = {t["name"]: t for t in _tasks(client, alice, project)}
    assert tasks["First"]["labels"] == ["a", "b"]
    assert tasks["First"]["priority"] == "low"
    assert tasks["First"]["due_date"].startswith("2026-05-01")
    assert (tasks["Third"]["status"], tasks["Third"]["labels"]) == ("completed", ["c"])


def _normalised(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """A document's projects without ids, refs or times, references made into names."""
    out = []
    for p in doc["projects"]:
        sections = {s["ref"]: s["name"] for s in p["sections"]}
        names = {t["ref"]: t["name"] for t in p["tasks"]}
        out.append(
            {
                **{k: v for k, v in p.items() if k not in ("ref", "sections", "tasks")},
                "sections": sorted(sections.values()),
                "tasks": sorted(
                    (
                        {
                            **{
                                k: v
                                for k, v in t.items()
                                if k not in ("ref", "parent", "section", "dependencies", "comments")
                            },
                            "parent": names.get(t["parent"]),
                            "section": sections.get(t["section"]),
                            "dependencies": sorted(names[d] for d in t["dependencies"]),
                            "comments": [(c["body"], c["author"]["email"]) for c in t["comments"]],
                        }
                        for t in p["tasks"]
                    ),
                    key=lambda t: t["name"],
                ),
            }
        )
    return out


def test_json_export_imports_back_to_the_same_structure(client: httpx.Client, db: Database, base_url: str) -> None:
    alice = make_person(db)
    bob = make_person(db)
    join(db, alice, bob)
    project = make_project(
        client,
        alice,
        name="Roadmap",
        description="Q3",
        custom_fields={"budget": {"type": "number"}, "customer": "ACME"},
    )
    section = client.post(f"/v1/projects/{project}/sections", json={"name": "Now"}, headers=alice.headers).json()[
        "data"
    ]["id"]
    parent = make_task(
        client,
        alice,
        project,
        name="=1+1 Ship",
        section_id=section,
        labels=["x", "y"],
        assignee_ids=[bob.id],
        due_date="2026-04-01T09:00:00Z",
        priority="high",
        custom_fields={"budget": 12.5},
        estimated_hours=3,
    )
    child = make_task(client, alice, project, name="Child", parent_id=parent["id"], status="in_progress")
    make_task(client, alice, project, name="After", dependencies=[child["id"]])
    client.post(f"/v1/tasks/{parent['id']}/comments", json={"body": "first!"}, headers=alice.headers)
    view = client.post(
        f"/v1/projects/{project}/views",
        json={"name": "Mine", "filter": {"status": "pending"}, "sort": "-due_date"},
        headers=alice.headers,
    )
    assert view.status_code == 201, view.text

    exported = client.get(f"/v1/projects/{project}/export", headers=alice.headers)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"].startswith("attachment")
    assert exported.headers["content-type"].startswith("application/json")
    doc = exported.json()
    assert (doc["format"], doc["version"]) == ("polytask", 1)
    [p] = doc["projects"]
    assert len(p["tasks"]) == 3
    assert p["fields"][0]["key"] == "budget"
    assert p["views"][0]["name"] == "Mine"

    job = _imported(
        client,
        alice,
        _import(client, alice, alice.workspace, exported.content, filename="x.json", format="polytask"),
        db,
    )
    assert job["status"] == "succeeded", job
    [copy] = job["project_ids"]
    assert copy != project
    again = client.get(f"/v1/projects/{copy}/export?format=json", headers=alice.headers).json()
    assert _normalised(again) == _normalised(doc)

    # CSV: one row per task, the documented columns, formulas defused.
    # (A plain client: the suite's response check reads every /v1 body as JSON.)
    as_csv = httpx.get(f"{base_url}/v1/projects/{project}/export?format=csv", headers=alice.headers)
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["name"] for r in table] == ["'=1+1 Ship", "Child", "After"]
    assert table[0]["assignees"] == bob.email
    assert table[0]["labels"] == "x,y"
    assert table[0]["section"] == "Now"
    assert table[1]["parent_id"] == parent["id"]
    # The workspace export holds both projects.
    whole = client.get(f"/v1/workspaces/{alice.workspace}/export", headers=alice.headers)
    assert whole.status_code == 200, whole.text
    assert [p["name"] for p in whole.json()["projects"]] == ["Roadmap", "Roadmap"]


def test_bad_files_are_refused_naming_the_problem(
    client: httpx.Client, db: Database, settings: Settings, serve_app: Any
) -> None:
    alice = make_person(db)
    ws = alice.workspace
    not_json = _import(client, alice, ws, b"{nope", filename="x.json", format="polytask")
    assert (not_json.status_code, not_json.json()["error"]["details"]["field"]) == (422, "file")
    other = _import(
        client, alice, ws, json.dumps({"format": "asana", "version": 1}).encode(), filename="x.json", format="polytask"
    )
    assert other.status_code == 422
    assert "polytask" in other.json()["error"]["message"]
    not_board = _import(
        client,
        alice,
        ws,
        json.dumps({"format": "polytask", "version": 1, "projects": []}).encode(),
        filename="x.json",
        format="trello",
    )
    assert not_board.status_code == 422
    assert "Trello" in not_board.json()["error"]["message"]
    unknown = _import(client, alice, ws, b"a,b\n", filename="x.csv", format="excel")
    assert (unknown.status_code, unknown.json()["error"]["details"]["field"]) == (422, "format")
    not_todoist = _import(client, alice, ws, b"a,b\n1,2\n", filename="x.csv", format="todoist")
    assert not_todoist.status_code == 422
    assert "TYPE" in not_todoist.json()["error"]["message"]
    bad_task = {
        "format": "polytask",
        "version": 1,
        "projects": [{"name": "P", "tasks": [{"ref": "a", "name": "A", "priority": "max", "parent": "zz"}]}],
    }
    refused = _import(
        client, alice, ws, json.dumps(bad_task).encode(), filename="x.json", format="polytask", dry_run=True
    )
    assert refused.status_code == 200
    assert {e["field"] for e in refused.json()["meta"]["errors"]} == {
        "projects[0].tasks[0].priority",
        "projects[0].tasks[0].parent",
    }
    no_file = client.post(
        f"/v1/workspaces/{ws}/imports", data={"format": "csv"}, files={"x": ("", b"")}, headers=alice.headers
    )
    assert no_file.status_code == 422
    nobody = client.post(
        f"/v1/workspaces/{ws}/imports", files={"file": ("a.csv", b"name\nx\n")}, data={"format": "csv"}
    )
    assert nobody.status_code == 401
    app = create_app(settings.model_copy(update={"max_upload_bytes": 1000}), db)
    with serve_app(app) as base, httpx.Client(base_url=base) as small:
        big = _import(small, alice, ws, b"name\n" + b"x" * 5000 + b"\n", filename="big.csv", format="csv")
        assert big.status_code == 413, big.text
        assert big.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert _project_count(db) == 0


def test_isolation_and_permissions(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    viewer = make_person(db)
    join(db, alice, viewer, role="viewer")
    mallory = make_person(db)
    content = b"name\nOne\n"
    job = _import(client, alice, alice.workspace, content, filename="a.csv", format="csv")
    assert job.status_code == 202, job.text
    ident = job.json()["data"]["id"]
    assert client.get(f"/v1/imports/{ident}", headers=viewer.headers).status_code == 200
    second = _import(client, alice, alice.workspace, b"name,labels\nx\n", filename="b.csv", format="csv")
    assert second.status_code == 202, second.text
    run_next_import(db, worker="test")  # the oldest (the first) succeeds; the second stays queued
    listed = client.get(f"/v1/workspaces/{alice.workspace}/imports", headers=viewer.headers)
    assert listed.status_code == 200, listed.text
    assert [j["id"] for j in listed.json()["data"]] == [second.json()["data"]["id"], ident]
    queued = client.get(f"/v1/workspaces/{alice.workspace}/imports?status=queued&sort=filename", headers=alice.headers)
    assert [j["attributes"]["filename"] for j in queued.json()["data"]] == ["b.csv"]
    assert client.get(f"/v1/workspaces/{alice.workspace}/imports", headers=mallory.headers).status_code == 404
    assert client.get(f"/v1/imports/{ident}", headers=mallory.headers).status_code == 404
    assert client.get("/v1/imports/import_999999", headers=alice.headers).status_code == 404
    assert client.get(f"/v1/imports/{ident}").status_code == 401
    denied = _import(client, viewer, alice.workspace, content, filename="a.csv", format="csv")
    assert denied.status_code == 403, denied.text
    foreign = _import(client, mallory, alice.workspace, content, filename="a.csv", format="csv")
    assert foreign.status_code == 404, foreign.text
    project = make_project(client, alice)
    assert client.get(f"/v1/projects/{project}/export", headers=mallory.headers).status_code == 404
    assert client.get(f"/v1/workspaces/{alice.workspace}/export", headers=mallory.headers).status_code == 404
    assert client.get(f"/v1/projects/{project}/export", headers=viewer.headers).status_code == 200
    assert client.get(f"/v1/projects/{project}/export?format=xml", headers=alice.headers).status_code == 422
    reader = make_person(db, scopes=["projects:read"])
    assert _import(client, reader, reader.workspace, content, filename="a.csv", format="csv").status_code == 403


def test_a_failing_project_rolls_back_alone_and_a_dead_workers_job_resumes(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    doc = {
        "format": "polytask",
        "version": 1,
        "projects": [
            {"name": "Fine", "tasks": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B", "parent": "a"}]},
            {
                "name": "Broken",
                "fields": [{"key": "size", "name": "Size", "type": "number"}],
                "tasks": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B", "custom_fields": {"size": "huge"}}],
            },
            {"name": "Also fine", "tasks": [{"ref": "z", "name": "Z"}]},
        ],
    }
    job = _import(client, alice, alice.workspace, json.dumps(doc).encode(), filename="p.json", format="polytask")
    assert job.status_code == 202, job.text
    job_id = int(job.json()["data"]["id"].removeprefix("import_"))
    # A worker claims the job, commits the first project, and dies.
    with db.unit_of_work() as session:
        assert jobs.claim_import(session, worker="dead") == job_id
    with db.unit_of_work(readonly=True) as session:
        pending = jobs.pending_projects(session, job_id)
    with db.unit_of_work() as session:
        jobs.run_project(session, pending, 0, pending.projects[0][1], worker="dead")
    # Its lease holds: nobody takes the job over yet.
    assert run_next_import(db, worker="other") is None
    with db.unit_of_work() as session:
        session.execute(update(ImportJob).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert _run_jobs(db) == [job_id]
    attrs = client.get(f"/v1/imports/{job.json()['data']['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert attrs["status"] == "failed"
    assert [(e["project"], e["name"], e["code"]) for e in attrs["errors"]] == [(1, "Broken", "VALIDATION_ERROR")]
    assert (attrs["total"], attrs["done"], len(attrs["project_ids"])) == (5, 3, 2)
    with db.unit_of_work(readonly=True) as session:
        names = sorted(session.scalars(select(Project.name)))
    assert names == ["Also fine", "Fine"]  # "Fine" once: the resumed job skipped it; "Broken" rolled back
    assert _events(db, "project.") == ["project.created", "project.created"]
    assert _events(db, "import.") == ["import.failed"]
