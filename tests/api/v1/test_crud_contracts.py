"""Today's native resources on the CRUD contract (tests/contracts/crud.py)."""

from __future__ import annotations

from tests.contracts.crud import CrudContract, Resource


class TestTasks(CrudContract):
    resource = Resource(
        type="task",
        collection=lambda w: f"/v1/projects/{w.project}/tasks",
        item=lambda w, ident: f"/v1/tasks/{ident}",
        create=lambda n: {"name": f"Task {n}", "priority": "high"},
        change={"name": "Renamed", "priority": "low"},
        invalid=({"name": "x", "priority": "whenever"}, "priority"),
        write_scope="tasks:write",
    )


class TestProjects(CrudContract):
    resource = Resource(
        type="project",
        collection=lambda w: f"/v1/workspaces/{w.person.workspace}/projects",
        item=lambda w, ident: f"/v1/projects/{ident}",
        create=lambda n: {"name": f"Project {n}"},
        change={"name": "Renamed project"},
        invalid=({"name": ""}, "name"),
        write_scope="projects:write",
    )


class TestSections(CrudContract):
    resource = Resource(
        type="section",
        collection=lambda w: f"/v1/projects/{w.project}/sections",
        item=lambda w, ident: f"/v1/projects/{w.project}/sections/{ident}",
        create=lambda n: {"name": f"Column {n}"},
        change={"name": "Done"},
        invalid=({"name": ""}, "name"),
        write_scope="projects:write",
    )


class TestComments(CrudContract):
    resource = Resource(
        type="comment",
        collection=lambda w: f"/v1/tasks/{w.task}/comments",
        item=lambda w, ident: f"/v1/tasks/{w.task}/comments/{ident}",
        create=lambda n: {"body": f"Comment {n}"},
        change={"body": "Edited"},
        invalid=({"body": ""}, "body"),
        write_scope="tasks:write",
    )
