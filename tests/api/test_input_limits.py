"""The input limits (core/inputguard.py, api/inputguard.py) from the other side: what lies
inside them is accepted and served back as sent; the edges are exact; each way a value
arrives (JSON, form, multipart, query string, path, a streamed body) is held to them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from polytask.core.db import Database
from tests.api.taskforce.client import basic
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task


def _nested(levels: int) -> object:
    """`levels` arrays, one inside the other, around a number."""
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


def test_text_within_the_limits_is_kept_exactly(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    description = "tab\there\nline\r\nemoji \U0001f600 " + "z" * (100_000 - 30)
    description = description[:100_000]
    fields = {"k" * 256: "v", "deep": _nested(30)}  # the body, custom_fields, then 30: 32 levels
    body = {"name": "Ünïcode \u00e9 \u4e2d", "description": description, "custom_fields": fields}
    r = client.post(f"/v1/projects/{project}/tasks", json=body, headers=alice.headers)
    assert r.status_code == 201, r.text[:500]
    shown = client.get(f"/v1/tasks/{r.json()['data']['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert (shown["name"], shown["description"], shown["custom_fields"]) == (body["name"], description, fields)


def test_the_edges_are_exact(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    task = make_task(client, alice, make_project(client, alice))
    put = f"/v1/tasks/{task['id']}/custom-fields"
    assert client.put(put, json={"k" * 256: 1}, headers=alice.headers).status_code == 200
    r = client.put(put, json={"k" * 257: 1}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert "256 characters" in r.json()["error"]["details"]["issue"], r.text
    # The body is level 1; 32 levels are allowed, the 33rd is not.
    assert client.put(put, json={"deep": _nested(31)}, headers=alice.headers).status_code == 200
    r = client.put(put, json={"deep": _nested(32)}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert "32 levels" in r.json()["error"]["details"]["issue"], r.text
    fields = client.get(f"/v1/tasks/{task['id']}", headers=alice.headers).json()["data"]["attributes"]["custom_fields"]
    assert fields["deep"] == _nested(31)
    assert "k" * 257 not in fields


def test_every_problem_is_listed_with_its_field(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    body = b'{"name": "a\\u0000", "labels": ["ok", "\\ud800"], "custom_fields": {"x": 1, "x": 2}}'
    headers = {**alice.headers, "Content-Type": "application/json"}
    r = client.post(f"/v1/projects/{project}/tasks", content=body, headers=headers)
    assert r.status_code == 422, r.text
    details = r.json()["error"]["details"]
    assert [e["field"] for e in details["errors"]] == ["name", "labels[1]", "custom_fields.x"]
    assert details["provided_value"] == "a\\u0000"  # shown as an escape, never the raw character


def test_a_streamed_body_over_the_limit_is_a_413_in_each_shape(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        yield b'{"name": "'
        for _ in range(9):
            yield b"x" * 1024 * 1024
        yield b'"}'

    headers = {**alice.headers, "Content-Type": "application/json"}
    r = client.post(f"/v1/projects/{project}/tasks", content=chunks(), headers=headers)
    assert r.status_code == 413, r.text[:300]
    assert r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert r.json()["error"]["details"]["limit_bytes"] == 8 * 1024 * 1024
    r = client.post("/api/v1/tasks.json", content=chunks(), headers={**basic(alice.email, alice.key), **headers})
    assert r.status_code == 413, r.text[:300]
    assert r.json()["success"] is False, r.text[:300]
    assert client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"] == []


def test_query_strings_and_paths_are_held_to_the_same_rules(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    r = client.get(f"/v1/projects/{project}/tasks", params={"search": "a\x00b"}, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "search", r.text
    r = client.get("/api/v1/tasks.json", params={"title": "\x1b"}, headers=basic(alice.email, alice.key))
    assert r.status_code == 422, r.text
    assert r.json()["success"] is False, r.text
    r = client.get(f"/v1/projects/{project}%00/tasks", headers=alice.headers)
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "RESOURCE_NOT_FOUND", r.text
    # Tab, line feed and carriage return are ordinary text.
    r = client.get(f"/v1/projects/{project}/tasks", params={"search": "a\tb\nc"}, headers=alice.headers)
    assert r.status_code == 200, r.text


def test_taskforce_multipart_fields_are_held_to_the_rules(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    auth = basic(alice.email, alice.key)
    r = client.post("/api/v1/lists.json", files={"name": (None, "a\x00b")}, headers=auth)
    assert r.status_code == 422, r.text
    assert r.json()["success"] is False, r.text
    assert "control characters" in json.dumps(r.json())
    r = client.post("/api/v1/lists.json", files={"name": (None, "fine")}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True, r.text


def test_a_batch_is_held_to_the_rules_but_its_operations_answer_for_their_numbers(
    client: httpx.Client, db: Database
) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    headers = {**alice.headers, "Content-Type": "application/json"}
    op = '{"method": "POST", "path": "/projects/%s/tasks", "body": {"name": NAME, "custom_fields": {"n": NUM}}}'
    ok = (op % project).replace("NAME", '"fine"').replace("NUM", "1")
    wide = (op % project).replace("NAME", '"wide"').replace("NUM", "99999999999999999999")
    r = client.post("/v1/batch", content=f'{{"atomic": false, "operations": [{ok}, {wide}]}}', headers=headers)
    assert r.status_code == 200, r.text
    assert [item["status"] for item in r.json()["data"]] == [201, 422]
    nul = (op % project).replace("NAME", '"a\\u0000"').replace("NUM", "1")
    r = client.post("/v1/batch", content=f'{{"atomic": false, "operations": [{ok}, {nul}]}}', headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["field"] == "operations[1].body.name", r.text
    names = [
        t["attributes"]["name"]
        for t in client.get(f"/v1/projects/{project}/tasks", headers=alice.headers).json()["data"]
    ]
    assert names == ["fine"]


def test_a_body_the_guard_read_reaches_the_handler_as_json_reads_it(client: httpx.Client, db: Database) -> None:
    """The guard hands the document it parsed to the handler (core/inputguard.py PARSED_JSON):
    numbers at their edges, escapes and literals arrive as `json.loads` gives them."""
    alice = make_person(db)
    project = make_project(client, alice)
    text = (
        '{"name": "caf\\u00e9 \\ud83d\\ude00", "custom_fields": {"big": 9223372036854775807, "small": '
        '-9223372036854775808, "exp": 1e2, "neg_zero": -0.0, "tiny": 5e-324, "half": 0.5, "flags": '
        '[true, false, null], "nested": {"a": [1, {"b": "\\"quoted\\""}]}}}'
    )
    r = client.post(
        f"/v1/projects/{project}/tasks",
        content=text.encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text[:500]
    sent = json.loads(text)
    shown = client.get(f"/v1/tasks/{r.json()['data']['id']}", headers=alice.headers).json()["data"]["attributes"]
    assert shown["name"] == sent["name"] == "café \U0001f600"
    assert shown["custom_fields"] == sent["custom_fields"]
    assert isinstance(shown["custom_fields"]["exp"], float)
    assert isinstance(shown["custom_fields"]["big"], int)


def test_the_guard_hands_on_only_documents_that_broke_no_rule() -> None:
    from polytask.core.inputguard import UNREAD, read_json

    fine = b'{"a": [1, 2.5, "x"], "b": {"c": null}}'
    assert read_json(fine) == ([], json.loads(fine))
    for bad in (b'{"a": 1, "a": 2}', b'{"n": 99999999999999999999}', b'{"x": NaN}', b'{"s": "\\u0000"}'):
        problems, document = read_json(bad)
        assert problems, bad
        assert document is UNREAD, bad
    assert read_json(b"not json") == ([], UNREAD)
