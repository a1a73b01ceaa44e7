"""docs/api/postman_collection.json, run by newman against a live server: every request passes
its tests, and every TaskFlow operation of /api/openapi.json has a request in it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx

from polytask.core.db import Database
from tests.api.taskflow.clienttools import newman
from tests.api.taskflow.postman import collection_operations, load, openapi_operations, requests_of
from tests.factories.people import make_person

# Operations of the document deliberately without a request in the collection, with the reason.
NOT_IN_COLLECTION: dict[str, str] = {}


def test_newman_runs_the_collection_green(base_url: str, db: Database, tmp_path: Path) -> None:
    admin = make_person(db, email="admin@taskflow.com", password="admin123", role="admin", department="Management")
    collection = load()
    items = list(requests_of(collection["item"]))
    report = tmp_path / "newman.json"
    done = subprocess.run(
        [
            str(newman()),
            "run",
            "docs/api/postman_collection.json",
            "--env-var",
            f"baseUrl={base_url}",
            "--reporters",
            "cli,json",
            "--reporter-json-export",
            str(report),
            "--color",
            "off",
        ],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = json.loads(report.read_text())["run"]
    assert run["failures"] == []
    executions = run["executions"]
    # Every request of the collection ran once, in order, and each is a TaskFlow operation.
    assert [e["item"]["name"] for e in executions] == [i["name"] for i in items]
    assert len(executions) == len(collection_operations(collection))
    assert run["stats"]["requests"] == {"total": len(items), "pending": 0, "failed": 0}
    for execution in executions:
        name = execution["item"]["name"]
        assertions = execution.get("assertions", [])
        # Its own status test, the success test and the envelope tests at least.
        assert len(assertions) >= 4, name
        assert [a["assertion"] for a in assertions if "error" in a] == [], name
    # The run cleaned up after itself: the project and the department it made are gone.
    bearer = {"Authorization": f"Bearer {admin.key}"}
    assert httpx.get(f"{base_url}/api/projects", headers=bearer).json()["pagination"]["total"] == 0
    assert httpx.get(f"{base_url}/api/departments", headers=bearer).json()["data"]["departments"] == []


def test_every_taskflow_operation_has_a_request(base_url: str) -> None:
    document = httpx.get(f"{base_url}/api/openapi.json", timeout=60).json()
    served = openapi_operations(document)
    collected = collection_operations(load())
    assert len(collected) == len(set(collected)), "an operation has two requests"
    missing = served - set(collected) - set(NOT_IN_COLLECTION)
    assert missing == set(), (
        f"add these to docs/api/postman_collection.json (or to NOT_IN_COLLECTION, with a reason): {sorted(missing)}"
    )
    assert set(collected) - served == set(), "the collection has requests for operations the server does not serve"
    assert set(NOT_IN_COLLECTION) <= served, "an exception names an operation that no longer exists"


def test_the_collection_is_a_postman_v2_1_collection() -> None:
    collection = load()
    assert collection["info"]["schema"] == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    assert {v["key"] for v in collection["variable"]} >= {"baseUrl", "username", "password"}
    items = list(requests_of(collection["item"]))
    assert items[0]["request"]["url"]["raw"] == "{{baseUrl}}/api/auth/login"  # log in first
    for item in items:
        assert item["request"]["url"]["raw"].startswith("{{baseUrl}}/api/")
        scripts = [e for e in item["event"] if e["listen"] == "test"]
        assert any("pm.response.to.have.status(" in line for s in scripts for line in s["script"]["exec"]), item["name"]
