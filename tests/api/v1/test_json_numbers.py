"""JSON numbers Polytask refuses in request bodies (api/inputguard.py): integers beyond 64
signed bits, on every write path, with the field named and nothing written."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.models import Task
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task
from tests.webhooks.helpers import deliveries, make_webhook

HUGE = 2**70
INT64_MAX = 2**63 - 1


def send(client: httpx.Client, method: str, path: str, person: Person, body: Any) -> httpx.Response:
    """The body written with Python's json module, which writes any integer exactly (and NaN)."""
    headers = {**person.headers, "Content-Type": "application/json"}
    return client.request(method, path, content=json.dumps(body), headers=headers)


def task_count(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count(Task.id))) or 0)


def assert_refused(r: httpx.Response, field: str, issue: str = "64-bit") -> dict[str, Any]:
    assert r.status_code == 422, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == field
    assert issue in error["details"]["issue"]
    assert field in error["message"]
    return error


@pytest.mark.parametrize("number", [str(HUGE), str(-HUGE), str(INT64_MAX + 1), str(-(2**63) - 1), "9" * 5000])
def test_single_creates_refuse_wide_integers(client: httpx.Client, db: Database, number: str) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    headers = {**alice.headers, "Content-Type": "application/json"}
    body = '{"name": "x", "custom_fields": {"huge": NUMBER}}'.replace("NUMBER", number)
    r = client.post(f"/v1/projects/{project}/tasks", content=body, headers=headers)
    assert assert_refused(r, "custom_fields.huge")["details"]["provided_value"] == number[:40] + (
        "..." if len(number) > 40 else ""
    )
    flat = body.replace('"name"', f'"project_id": "{project}", "name"')
    assert_refused(client.post("/v1/tasks", content=flat, headers=headers), "custom_fields.huge")
    assert task_count(db) == 0


def test_the_64_bit_bounds_are_kept_exactly(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    fields = {"top": INT64_MAX, "bottom": -(2**63), "nested": {"list": [1, INT64_MAX]}}
    r = send(client, "POST", f"/v1/projects/{project}/tasks", alice, {"name": "x", "custom_fields": fields})
    assert r.status_code == 201, r.text
    r = client.get(f"/v1/tasks/{r.json()['data']['id']}", headers=alice.headers)
    assert json.loads(r.content)["data"]["attributes"]["custom_fields"] == fields


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_updates_refuse_wide_integers_and_change_nothing(client: httpx.Client, db: Database, method: str) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project, custom_fields={"kept": 1})
    body = {"name": "renamed", "custom_fields": {"deep": {"list": [1, HUGE]}}}
    assert_refused(send(client, method, f"/v1/tasks/{task['id']}", alice, body), "custom_fields.deep.list[1]")
    attributes = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert (attributes["name"], attributes["custom_fields"]) == ("A task", {"kept": 1})


def test_bulk_creates_refuse_wide_integers_naming_each_item(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    tasks: list[dict[str, Any]] = [{"name": f"t{i}"} for i in range(4)]
    tasks[1]["custom_fields"] = {"huge": HUGE}
    tasks[3]["custom_fields"] = {"small": 1, "huge": -HUGE}
    error = assert_refused(
        send(client, "POST", f"/v1/projects/{project}/tasks/bulk", alice, {"tasks": tasks}),
        "tasks[1].custom_fields.huge",
    )
    assert [e["field"] for e in error["details"]["errors"]] == [
        "tasks[1].custom_fields.huge",
        "tasks[3].custom_fields.huge",
    ]
    flat = [{**t, "project_id": project} for t in tasks]
    assert_refused(send(client, "POST", "/v1/tasks/bulk", alice, {"tasks": flat}), "tasks[1].custom_fields.huge")
    assert task_count(db) == 0


def test_batch_operations_refuse_wide_integers_as_if_alone(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    ops = [
        {"method": "POST", "path": f"/projects/{project}/tasks", "body": {"name": "fine"}},
        {"method": "POST", "path": f"/projects/{project}/tasks", "body": {"name": "x", "custom_fields": {"n": HUGE}}},
    ]
    r = send(client, "POST", "/v1/batch", alice, {"operations": ops})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["index"] == 1
    assert error["details"]["error"]["details"]["field"] == "custom_fields.n"
    assert task_count(db) == 0
    r = send(client, "POST", "/v1/batch", alice, {"operations": ops, "atomic": False})
    assert r.status_code == 200, r.text
    results = r.json()["data"]
    assert [x["status"] for x in results] == [201, 422]
    assert results[1]["body"]["error"]["details"]["field"] == "custom_fields.n"
    assert task_count(db) == 1


def test_stored_wide_integers_still_read_back(client: httpx.Client, db: Database) -> None:
    """Rows written before the refusal (the bulk path kept them) are served, not a 500."""
    alice = make_person(db)
    project = make_project(client, alice)
    task = make_task(client, alice, project)
    with db.unit_of_work() as session:
        row = session.get(Task, int(task["id"].split("_")[1]))
        assert row is not None
        row.custom_fields = {"huge": HUGE}
    r = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers)
    assert r.status_code == 200, r.text
    assert json.loads(r.content)["data"]["attributes"]["custom_fields"] == {"huge": HUGE}
    assert f'"huge":{HUGE}' in r.text  # written out exactly, not as the float 1.18e21 (equal to 2**70)
    assert r.headers["etag"]
    r = client.get(f"/v1/projects/{project}/tasks", headers=alice.headers)
    assert r.status_code == 200, r.text
    assert json.loads(r.content)["data"][0]["attributes"]["custom_fields"] == {"huge": HUGE}
    assert f'"huge":{HUGE}' in r.text
    # A change to such a task is announced (event stream, webhook body) with the number exact.
    hook = make_webhook(client, alice, "https://93.184.216.34/hooks", events=["task.updated"])
    r = client.patch(f"/v1/tasks/{task['id']}", json={"name": "renamed"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    [delivery] = deliveries(client, alice, hook["id"])
    sent = json.loads(delivery["attributes"]["request_body"])
    assert sent["data"]["task"]["custom_fields"] == {"huge": HUGE}
    r = client.get("/v1/events", params={"project_id": project, "types": "task.updated"}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert str(HUGE) in r.text, r.text


def test_taskforce_json_bodies_refuse_wide_integers(base_url: str, db: Database) -> None:
    alice = make_person(db)
    tf = Taskforce(base_url, alice, "json")
    try:
        list_id = tf.post("/lists", {"name": "L"})["list_id"]
        body = tf.post(f"/lists/{list_id}/reorder_tasks", {"task_ids": [HUGE]}, expect=422, as_json=True)
        assert body["success"] is False
        assert body["code"] == "VALIDATION_ERROR"
        assert body["details"]["field"] == "task_ids[0]"
    finally:
        tf.close()


# Non-finite numbers: Python's json reads NaN, Infinity, -Infinity, and 1e400 as infinity.
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1E+999", "0.5e309", "1.5E400"]


def raw(client: httpx.Client, method: str, path: str, person: Person, text: str) -> httpx.Response:
    return client.request(method, path, content=text, headers={**person.headers, "Content-Type": "application/json"})


def assert_not_finite(r: httpx.Response, field: str) -> dict[str, Any]:
    return assert_refused(r, field, "finite")


@pytest.mark.parametrize("number", NON_FINITE)
def test_creates_and_updates_refuse_non_finite_numbers(client: httpx.Client, db: Database, number: str) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    body = '{"name": "x", "custom_fields": {"ratio": NUMBER}}'.replace("NUMBER", number)
    error = assert_not_finite(raw(client, "POST", f"/v1/projects/{project}/tasks", alice, body), "custom_fields.ratio")
    assert error["details"]["provided_value"] == number
    flat = body.replace('"name"', f'"project_id": "{project}", "name"')
    assert_not_finite(raw(client, "POST", "/v1/tasks", alice, flat), "custom_fields.ratio")
    typed = '{"name": "x", "position": NUMBER}'.replace("NUMBER", number)
    assert_not_finite(raw(client, "POST", f"/v1/projects/{project}/tasks", alice, typed), "position")
    assert task_count(db) == 0
    task = make_task(client, alice, project, custom_fields={"ratio": 0.5})
    for method in ("PATCH", "PUT"):
        r = raw(client, method, f"/v1/tasks/{task['id']}", alice, body.replace('"x"', '"renamed"'))
        assert_not_finite(r, "custom_fields.ratio")
        r = raw(
            client, method, f"/v1/projects/{project}", alice, '{"settings": {"zoom": NUMBER}}'.replace("NUMBER", number)
        )
        assert_not_finite(r, "settings.zoom")
    attributes = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert (attributes["name"], attributes["custom_fields"]) == ("A task", {"ratio": 0.5})


@pytest.mark.parametrize("number", ["NaN", "nan", "Infinity", "-inf"])
def test_typed_float_fields_refuse_non_finite_strings(client: httpx.Client, db: Database, number: str) -> None:
    """Pydantic would read "NaN" in a string as a float; the float fields are FiniteFloat."""
    alice = make_person(db)
    project = make_project(client, alice)
    for field in ("position", "estimated_hours"):
        r = client.post(f"/v1/projects/{project}/tasks", json={"name": "x", field: number}, headers=alice.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == field
    r = client.patch(f"/v1/projects/{project}", json={"position": number}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "position"
    assert task_count(db) == 0


def test_bulk_and_batch_refuse_non_finite_numbers(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    items = '[{"name": "a"}, {"name": "b", "custom_fields": {"r": NaN}}, {"name": "c", "position": -Infinity}]'
    error = assert_not_finite(
        raw(client, "POST", f"/v1/projects/{project}/tasks/bulk", alice, f'{{"tasks": {items}}}'),
        "tasks[1].custom_fields.r",
    )
    assert [e["field"] for e in error["details"]["errors"]] == ["tasks[1].custom_fields.r", "tasks[2].position"]
    flat = items.replace('"name"', f'"project_id": "{project}", "name"')
    assert_not_finite(raw(client, "POST", "/v1/tasks/bulk", alice, f'{{"tasks": {flat}}}'), "tasks[1].custom_fields.r")
    path = f"/projects/{project}/tasks"
    ops = json.dumps(
        [
            {"method": "POST", "path": path, "body": {"name": "fine"}},
            {"method": "POST", "path": path, "body": {"name": "x", "custom_fields": {"r": "NAN_HERE"}}},
        ]
    ).replace('"NAN_HERE"', "NaN")
    r = raw(client, "POST", "/v1/batch", alice, f'{{"operations": {ops}}}')
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["index"] == 1
    assert r.json()["error"]["details"]["error"]["details"]["field"] == "custom_fields.r"
    assert task_count(db) == 0
    r = raw(client, "POST", "/v1/batch", alice, f'{{"operations": {ops}, "atomic": false}}')
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["data"]] == [201, 422]
    assert task_count(db) == 1


def test_strings_that_look_non_finite_are_kept(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    fields = {"word": "NaN", "phrase": "Infinity and beyond", "code": "1e400", "id": "12345678901234567890123"}
    task = make_task(client, alice, project, name="NaN", custom_fields=fields)
    assert task["attributes"]["custom_fields"] == fields


def test_taskforce_json_bodies_refuse_non_finite_numbers(base_url: str, db: Database) -> None:
    alice = make_person(db)
    tf = Taskforce(base_url, alice, "json")
    try:
        flagship = tf.get("/lists")["lists"][0]["id"]
        r = tf.http.post(
            tf.url("/tasks"),
            content=f'{{"name": "x", "list_id": {flagship}, "position": Infinity}}',
            headers={**tf.headers, "Content-Type": "application/json"},
        )
        assert r.status_code == 422, r.text
        body = r.json()
        assert (body["success"], body["code"], body["details"]["field"]) == (False, "VALIDATION_ERROR", "position")
        assert task_count(db) == 0
    finally:
        tf.close()
