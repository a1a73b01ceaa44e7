"""Namespaces against the live server: objects with attribute access, pagination, ETags,
errors, and the async client."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from polytask.core.db import Database
from polytask_client import (
    AsyncTaskadeAPI,
    NotFoundError,
    PreconditionFailedError,
    Resource,
    TaskadeAPI,
    ValidationError,
)
from tests.factories.people import Person, join, make_person


def test_resources_read_as_objects(api: TaskadeAPI, alice: Person) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Objects", description="Read me")
    section = api.sections.create(project, name="Doing")
    # Resources stand for their ids and dates are written as ISO 8601 in a body.
    task = api.tasks.create(
        project_id=project, name="Attribute access", section_id=section, priority="high", due_date=date(2026, 12, 31)
    )
    assert task.due_date.startswith("2026-12-31")
    assert (task.type, task.name, task.priority) == ("task", "Attribute access", "high")
    assert task.project_id == project.id
    assert task.section == section.id
    assert task["name"] == "Attribute access"
    assert task.get("no_such_field", "absent") == "absent"
    with pytest.raises(AttributeError):
        _ = task.no_such_field
    assert task.to_dict()["attributes"]["name"] == "Attribute access"
    assert api.projects.get(project.id).description == "Read me"
    assert api.workspaces.projects.get(alice.workspace, project).name == "Objects"
    assert api.users.me().id == alice.id

    with_included = api.tasks.get(task, include="project,section")
    assert [r.id for r in with_included.related("project")] == [project.id]
    assert with_included.related("section")[0].name == "Doing"

    comment = api.comments.create(task, body="First!")
    assert [c.id for c in api.comments.list(task)] == [comment.id]
    done = api.tasks.complete(task)
    assert done.status == "completed"
    api.comments.delete(task, comment)
    assert api.comments.list(task).to_list() == []


def test_analytics_of_a_workspace_and_a_project(api: TaskadeAPI, alice: Person) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Counted")
    api.tasks.complete(api.tasks.create(project_id=project, name="Done", assignee_ids=[alice.id]))
    api.tasks.create(project_id=project, name="Open")
    today = datetime.now(UTC).date()
    # `start`/`end` are the API's `from`/`to` (a Python keyword); a week around today.
    week = api.analytics.project(project, start=str(today - timedelta(days=6)), end=str(today), group_by="assignee")
    assert (week.type, week.id, week["from"], week.to) == (
        "analytics",
        project.id,
        str(today - timedelta(days=6)),
        str(today),
    )
    assert (week.totals["created"], week.totals["completed"], week.totals["completion_rate"]) == (2, 1, 50.0)
    assert [(g["key"], g["totals"]["created"]) for g in week.groups] == [(alice.id, 1), (None, 1)]
    assert len(api.analytics.workspace(alice.workspace, interval="week").series) in (5, 6)


def test_lists_follow_pages(api: TaskadeAPI, alice: Person) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Paged")
    created = api.bulk.project_tasks(project, [{"name": f"Task {n:02}"} for n in range(7)])
    names = [t.name for t in created.data]
    assert names == [f"Task {n:02}" for n in range(7)]

    offset_pager = api.tasks.list(project_id=project.id, limit=3)
    assert [t.name for t in offset_pager] == names
    assert [len(p.data) for p in offset_pager.pages()] == [3, 3, 1]
    cursor_pager = api.projects.tasks.list(project, limit=2, cursor="", sort="name")
    assert [t.name for t in cursor_pager] == names
    assert [len(p.data) for p in cursor_pager.pages()] == [2, 2, 2, 1]
    first = api.tasks.list(project_id=project.id, limit=5, total=True).first_page()
    assert first.meta.total == 7
    assert len(first.data) == 5
    assert api.tasks.list(project_id=project.id, limit=2).to_list(limit=3) == offset_pager.to_list()[:3]


def test_etags_make_writes_conditional(api: TaskadeAPI, alice: Person) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Tagged")
    task = api.tasks.create(project_id=project.id, name="Version 1")
    assert task.etag
    read = api.tasks.get(task)
    assert read.etag == task.etag
    assert api.tasks.get_if_changed(task, etag=read) is None

    newer = api.tasks.update(task, if_match=read, name="Version 2")
    assert newer.etag != read.etag
    changed = api.tasks.get_if_changed(task, etag=read)
    assert changed is not None
    assert changed.name == "Version 2"
    with pytest.raises(PreconditionFailedError) as stale:
        api.tasks.update(task, if_match=read, name="Version 3")
    assert stale.value.status == 412
    with pytest.raises(PreconditionFailedError):
        api.tasks.delete(task, if_match=read.etag)
    api.tasks.delete(task, if_match=newer)
    with pytest.raises(NotFoundError):
        api.tasks.get(task)


def test_errors_carry_the_servers_document(api: TaskadeAPI, alice: Person, db: Database) -> None:
    with pytest.raises(ValidationError) as invalid:
        api.projects.create(workspace_id=alice.workspace, name="Bad", colour="red")
    assert invalid.value.code == "VALIDATION_ERROR"
    assert invalid.value.details["field"] == "colour"
    assert invalid.value.request_id
    stranger = make_person(db)
    foreign = TaskadeAPI(api_key=stranger.key, base_url=api.base_url).projects.create(
        workspace_id=stranger.workspace, name="Theirs"
    )
    with pytest.raises(NotFoundError):
        api.projects.get(foreign)


def test_members_invites_and_custom_fields(api: TaskadeAPI, alice: Person, db: Database) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    members = {m.id for m in api.members.list(alice.workspace)}
    assert {alice.id, bob.id} <= members
    assert api.members.get(alice.workspace, bob.id).role == "member"
    [invite] = api.invites.create(alice.workspace, emails=["carol@example.com"], role="member")
    assert invite.type == "invite"
    assert invite.id in [i.id for i in api.invites.list(alice.workspace)]
    api.invites.delete(alice.workspace, invite)

    project = api.projects.create(workspace_id=alice.workspace, name="Fields")
    field = api.custom_fields.create(project, key="effort", name="Effort", type="number")
    task = api.tasks.create(project_id=project.id, name="Measured")
    updated = api.tasks.set_custom_fields(task, {"effort": 3})
    assert updated.custom_fields["effort"] == 3
    assert [f.id for f in api.custom_fields.list(project)] == [field.id]


def test_the_async_client(base_url: str, alice: Person) -> None:
    async def run() -> tuple[Resource, list[str]]:
        async with AsyncTaskadeAPI(api_key=alice.key, base_url=base_url) as api:
            project = await api.projects.create(workspace_id=alice.workspace, name="Async")
            for n in range(3):
                await api.tasks.create(project_id=project.id, name=f"Async {n}")
            names = [t.name async for t in api.tasks.list(project_id=project.id, limit=2)]
            return await api.projects.get(project), names

    project, names = asyncio.run(run())
    assert project.name == "Async"
    assert names == ["Async 0", "Async 1", "Async 2"]


def test_base_url_and_key_from_the_environment(base_url: str, alice: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKADE_API_BASE_URL", raising=False)
    monkeypatch.setenv("POLYTASK_URL", base_url)
    monkeypatch.setenv("POLYTASK_API_KEY", alice.key)
    api = TaskadeAPI()
    assert api.base_url == f"{base_url}/v1"
    assert api.users.me().id == alice.id
    monkeypatch.setenv("TASKADE_API_BASE_URL", "http://example.invalid/v1/")
    assert TaskadeAPI().base_url == "http://example.invalid/v1"
    assert TaskadeAPI(base_url=f"{base_url}/v1").base_url == f"{base_url}/v1"
    monkeypatch.delenv("TASKADE_API_BASE_URL")
    monkeypatch.delenv("POLYTASK_URL")
    assert TaskadeAPI().base_url == "https://api.taskade.com/v1"


def test_raw_requests_share_key_and_retries(api: TaskadeAPI, alice: Person) -> None:
    response = api.request("GET", "/me")
    assert isinstance(response, httpx.Response)
    assert response.json()["data"]["id"] == alice.id
