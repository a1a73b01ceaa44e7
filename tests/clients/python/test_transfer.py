"""The Python client's exports and imports namespaces against the live server."""

from __future__ import annotations

import csv
import io
import json

from polytask.core.db import Database
from polytask.worker.importer import run_next_import
from polytask_client import TaskadeAPI
from tests.factories.people import Person


def test_export_then_import_through_the_client(api: TaskadeAPI, alice: Person, db: Database) -> None:
    project = api.projects.create(workspace_id=alice.workspace, name="Through the client")
    api.tasks.create(project_id=project.id, name="One", labels=["a"])
    exported = api.exports.project(project)
    assert json.loads(exported)["projects"][0]["tasks"][0]["name"] == "One"
    rows = list(csv.DictReader(io.StringIO(api.exports.project(project, format="csv").decode())))
    assert [r["name"] for r in rows] == ["One"]
    assert json.loads(api.exports.workspace(alice.workspace))["projects"][0]["name"] == "Through the client"
    dry = api.imports.create(alice.workspace, exported, format="polytask", filename="p.json", dry_run=True)
    assert dry.meta["valid"] is True
    assert dry.meta["counts"]["tasks"] == 1
    job = api.imports.create(alice.workspace, exported, format="polytask", filename="p.json").data
    assert job.attributes["status"] == "queued"
    assert run_next_import(db) is not None
    done = api.imports.get(job)
    assert done.attributes["status"] == "succeeded"
    assert len(done.attributes["project_ids"]) == 1
    assert [j.id for j in api.imports.list(alice.workspace)] == [job.id]
