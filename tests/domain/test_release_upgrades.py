"""Upgrades from real releases, on both engines: every fixture in tests/domain/releases/ is a
database as a tagged release wrote it (made by scripts/release-fixture.py, which runs that
release's own migrations, CLI and API; the header of each file says which ref, commit and
Alembic revision). Each is loaded into a fresh database, `polytask migrate` runs as a
subprocess, and the old rows are read and changed through the API of this code: /v1 with the
release's API key, TaskFlow with its password, the mail outbox through `polytask mail list`.

The fixtures hold the same data (scripts/release-fixture.py `write_rows`); what is checked
here is that data, so a release's fixture stays checked by every later release.

v0.1.0 is the first release; its fixture was made at Alembic revision 0016 (the head when it
was made), so today `polytask migrate` finds nothing to do on it, and what this test shows is
that a database written by the release's code loads and works with this code. It migrates for
real from the first release that adds a migration. The data that migrations 0012-0016 changed
is covered by tests/domain/test_upgrades.py, from revision 0011."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.migrate import is_up_to_date
from polytask.core.settings import Settings
from tests.cli.test_cli import polytask
from tests.conftest import BACKEND
from tests.domain.test_audit_migration import fresh_url  # noqa: F401  (the fixture)
from tests.domain.test_upgrades import migrate

RELEASES = Path(__file__).parent / "releases"
FIXTURES = sorted(RELEASES.glob(f"*.{BACKEND}.sql"))
# The first release's fixture: made from the commit tagged v0.1.0 (before the tag existed:
# `release-fixture.py HEAD --name v0.1.0`), at Alembic revision 0016.
FIRST_RELEASE = ("v0.1.0", "0016")


def header(fixture: Path) -> dict[str, str]:
    """The `-- key: value` lines at the top of a fixture."""
    found: dict[str, str] = {}
    with fixture.open() as f:
        for line in f:
            if not line.startswith("-- ") or ": " not in line:
                break
            key, _, value = line[3:].strip().partition(": ")
            found[key] = value
    return found


def load(fixture: Path, url: str) -> None:
    """Runs the fixture's SQL in the empty database at `url`."""
    script = fixture.read_text()
    if BACKEND == "sqlite":
        path = make_url(url).database
        assert path is not None
        conn = sqlite3.connect(path)
        try:
            conn.executescript(script)
        finally:
            conn.close()
        return
    engine = create_engine(url)
    try:
        raw = engine.raw_connection()
        try:
            # Without parameters psycopg sends the whole dump at once (the simple protocol).
            raw.cursor().execute(script)
            raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()


def test_there_is_a_fixture_of_the_first_release() -> None:
    assert [(header(f)["name"], header(f)["revision"]) for f in FIXTURES][:1] == [FIRST_RELEASE]
    for fixture in FIXTURES:
        about = header(fixture)
        assert about["engine"] == BACKEND
        assert len(about["commit"]) == 40
        assert fixture.name == f"{about['name']}.{BACKEND}.sql"
        assert fixture.stat().st_size < 1_000_000


def test_every_release_in_the_changelog_has_its_fixture() -> None:
    changelog = (Path(__file__).parents[2] / "CHANGELOG.md").read_text()
    released = re.findall(r"^## (\d+\.\d+\.\d+)\b", changelog, flags=re.MULTILINE)
    missing = {f"v{version}" for version in released} - {header(f)["name"] for f in FIXTURES}
    assert not missing, f"no upgrade fixture for {sorted(missing)}: see CONTRIBUTING.md, 'Cutting a release'"


def _attrs(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    data = response.json()["data"]
    if isinstance(data, list):
        return [d["attributes"] | {"id": d["id"]} for d in data]
    return data["attributes"] | {"id": data["id"]}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_a_release_database_upgrades_and_its_data_works(
    fixture: Path,
    fresh_url: str,  # noqa: F811
    tmp_path: Path,
    serve_app: Callable[[ASGIApp], AbstractContextManager[str]],
) -> None:
    about = header(fixture)
    load(fixture, fresh_url)
    process = migrate(fresh_url, tmp_path)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err

    # The release's mail waits in the outbox (it ran without SMTP), listed by this code's CLI.
    listed = polytask("mail", "list", database_url=fresh_url, home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    _, *mail = [line.split("\t") for line in listed.stdout.splitlines()]
    assert sorted((m[1], m[4]) for m in mail) == [
        ("pending", "ann@example.com"),
        ("pending", "bob@example.com"),
        ("pending", "carol@example.com"),
    ]

    database = Database(fresh_url)
    try:
        assert is_up_to_date(database.engine)
        settings = Settings(home=tmp_path, database_url=fresh_url)
        with (
            serve_app(create_app(settings, database)) as base,
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {about['api_key']}"}, timeout=30) as c,
        ):
            _check_native(c)
            with httpx.Client(base_url=base, timeout=30) as web:
                _check_taskflow(web, about["password"])
    finally:
        database.dispose()


def _check_native(c: httpx.Client) -> None:
    me = _attrs(c.get("/v1/me"))
    assert (me["username"], me["email"], me["name"]) == ("ann", "ann@example.com", "Ann")
    [acme] = [w for w in _attrs(c.get("/v1/workspaces")) if w["name"] == "Acme"]
    assert acme["description"] == "Written by a release"
    ws = acme["id"]
    members = _attrs(c.get(f"/v1/workspaces/{ws}/users?sort=id"))
    assert [(m["username"], m["role"]) for m in members] == [("ann", "owner"), ("bob", "member")]
    bob = members[1]["id"]
    invites = _attrs(c.get(f"/v1/workspaces/{ws}/invites"))
    assert [(i["email"], i["role"], i["status"]) for i in invites if i["status"] == "pending"] == [
        ("carol@example.com", "viewer", "pending")
    ]

    projects = _attrs(c.get(f"/v1/workspaces/{ws}/projects?sort=id"))
    assert [(p["name"], p["status"]) for p in projects] == [
        ("Roadmap", "active"),
        ("Archive", "archived"),
    ]
    roadmap = projects[0]
    # TaskFlow made its project in Ann's own workspace (a TaskFlow session's workspace).
    [budgeted] = [p for p in _attrs(c.get("/v1/projects")) if p["name"] == "Budgeted"]
    assert budgeted["workspace_id"] != ws
    assert (roadmap["type"], roadmap["description"]) == ("kanban", "What the release planned")
    assert (budgeted["budget"], budgeted["currency"]) == ({"amount": "75000.50", "currency": "USD"}, "USD")
    fields = _attrs(c.get(f"/v1/projects/{roadmap['id']}/custom-fields"))
    assert [(f["key"], f["type"]) for f in fields] == [("estimate", "number"), ("stage", "dropdown")]
    sections = _attrs(c.get(f"/v1/projects/{roadmap['id']}/sections"))
    assert [s["name"] for s in sections] == ["Backlog", "Doing"]

    tasks = _attrs(c.get(f"/v1/projects/{roadmap['id']}/tasks?sort=id"))
    assert [(t["name"], t["status"]) for t in tasks] == [
        ("Ship the upgrade", "pending"),
        ("Write the notes", "pending"),
        ("Tag it", "completed"),
        ("Tell the receiver", "pending"),
    ]
    first, notes, tagged, _ = tasks
    assert first["description"] == "From the release fixture"
    assert first["priority"] == "high"
    assert first["assignee_ids"] == [bob]
    assert first["labels"] == ["db", "release"]
    assert first["custom_fields"] == {"estimate": 3, "stage": "doing"}
    assert first["due_date"] == "2027-01-15T00:00:00Z"
    assert first["section_id"] == sections[0]["id"]
    assert notes["parent_id"] == first["id"]
    assert tagged["labels"] == ["release"]
    # The release's full-text index finds its rows (SQLite's FTS rows keep their task ids).
    found = _attrs(c.get(f"/v1/projects/{roadmap['id']}/tasks?search=upgrade"))
    assert [t["id"] for t in found] == [first["id"]]
    found = _attrs(c.get("/v1/tasks?search=looks"))  # the comment is indexed with its task
    assert [t["id"] for t in found] == [first["id"]]
    assert [m["body"] for m in _attrs(c.get(f"/v1/tasks/{first['id']}/comments"))] == ["Looks good"]
    by_label = _attrs(c.get("/v1/tasks?labels[contains]=release&sort=id"))
    assert [t["id"] for t in by_label] == [first["id"], tagged["id"]]

    [hook] = _attrs(c.get("/v1/webhooks"))
    assert (hook["url"], hook["events"], hook["description"], hook["active"]) == (
        "http://127.0.0.1:9/polytask",
        ["task.*"],
        "Old receiver",
        True,
    )
    [delivery] = _attrs(c.get(f"/v1/webhooks/{hook['id']}/deliveries"))
    assert (delivery["event"], delivery["status"]) == ("task.created", "pending")

    # Writes on the old rows: validated against the release's field definitions, numbered past
    # its ids, recorded as events after its events.
    events_before = _attrs(c.get("/v1/events?after=0&limit=100"))
    r = c.patch(f"/v1/tasks/{first['id']}", json={"status": "completed", "custom_fields": {"stage": "done"}})
    assert _attrs(r)["custom_fields"] == {"estimate": 3, "stage": "done"}
    r = c.patch(f"/v1/tasks/{first['id']}", json={"custom_fields": {"stage": "shipped"}})
    assert r.status_code == 422, r.text
    new = _attrs(
        c.post(
            f"/v1/projects/{roadmap['id']}/tasks",
            json={"name": "After the upgrade", "assignee_ids": [bob], "section_id": sections[1]["id"]},
        )
    )
    assert int(new["id"].split("_")[1]) > max(int(t["id"].split("_")[1]) for t in tasks)
    assert (new["assignee_ids"], new["section_id"]) == ([bob], sections[1]["id"])
    events_after = _attrs(c.get("/v1/events?after=0&limit=100"))
    assert [e["type"] for e in events_after[len(events_before) :]] == ["task.completed", "task.created"]
    assert min(int(e["id"].rsplit("_", 1)[-1]) for e in events_after[len(events_before) :]) > max(
        int(e["id"].rsplit("_", 1)[-1]) for e in events_before
    )
    # The webhook of the release subscribes to the new events: two more deliveries wait.
    waiting = _attrs(c.get(f"/v1/webhooks/{hook['id']}/deliveries"))
    assert sorted(d["event"] for d in waiting) == ["task.completed", "task.created", "task.created"]


def _check_taskflow(web: httpx.Client, password: str) -> None:
    r = web.post("/api/auth/login", json={"username": "ann", "password": password})
    assert r.status_code == 200, r.text
    [project] = [p for p in web.get("/api/projects").json()["data"]["projects"] if p["name"] == "Budgeted"]
    assert (project["budget"], project["currency"], project["description"]) == (75000.5, "USD", "TaskFlow project")
    assert project["start_date"] == "2027-01-01T00:00:00Z"
    assert project["owner"]["username"] == "ann"
    r = web.put(f"/api/projects/{project['id']}", json={"budget": "80000.25"})
    assert r.status_code == 200, r.text
    assert '"budget":80000.25' in web.get(f"/api/projects/{project['id']}").text
