"""Each example of the spec, kept in fixtures/spec_examples.json, replayed in JSON and XML:
the response must carry every name of the example, with the same kinds of values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from polytask.api.app import create_app
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.taskforce.client import FORMATS, Serve, Taskforce, checked_get, checked_post, parse
from tests.factories.people import Person, join, make_person

EXAMPLES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "fixtures" / "spec_examples.json").read_text())[
    "examples"
]
PATTERNS = {
    "DATE": re.compile(r"^\d{2}/\d{2}/\d{4}$"),
    "TIMESTAMP": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$"),
}


def conforms(actual: Any, example: Any, where: str = "") -> None:
    """`actual` has the example's shape (extra names are allowed)."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        missing = set(example) - set(actual)
        assert not missing, f"{where}: missing {sorted(missing)}"
        for key, value in example.items():
            conforms(actual[key], value, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{where}: expected an array, got {actual!r}"
        assert actual, f"{where}: the example shows items, the response has none"
        for index, item in enumerate(actual):
            conforms(item, example[0], f"{where}[{index}]")
    elif isinstance(example, str) and example in PATTERNS:
        assert isinstance(actual, str), f"{where}: {actual!r} is not a string"
        assert PATTERNS[example].match(actual), f"{where}: {actual!r} is not a {example}"
    else:
        assert type(actual) is type(example), f"{where}: {actual!r} is not a {type(example).__name__}"


def test_the_fixture_covers_every_endpoint() -> None:
    assert len(EXAMPLES) == 28
    assert len({(e["method"], e["path"]) for e in EXAMPLES}) == 28


def _world(base_url: str, db: Database, alice: Person) -> dict[str, Any]:
    """A user with a shared list holding a task that has every field filled in."""
    bob = make_person(db, email="bob@test.com")
    join(db, alice, bob)
    tf = Taskforce(base_url, alice, "json")
    flagship = next(lst["id"] for lst in tf.get("/lists")["lists"] if lst["flagship"])
    list_id = tf.post("/lists", {"name": "Business Tasks", "description": "Tasks that have to do with business"})[
        "list_id"
    ]
    for shared in (flagship, list_id):
        tf.post(f"/lists/{shared}/add_collaborator", {"email": bob.email})
    task_id = tf.post("/tasks", {"name": "file the TPS reports", "list_id": list_id})["task_id"]
    tf.post(f"/tasks/{task_id}/set_due_date", {"date": "12/02/2010"})
    tf.post(f"/tasks/{task_id}/set_start_date", {"date": "11/30/2010"})
    tf.post(f"/tasks/{task_id}/complete")
    tf.post(f"/tasks/{task_id}/add_collaborator", {"email": bob.email})
    tf.post(
        f"/tasks/{task_id}/add_email",
        {"gmail_thread_id": "12c3f0e", "subject": "read this report and get back to me", "sender": bob.email},
    )
    tf.close()
    return {"task_id": task_id, "list_id": list_id, "flagship_id": flagship, "bob": bob.email}


def _fill(value: str, world: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(world[m.group(1)]), value)


@pytest.mark.parametrize("fmt_name", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_example(
    example: dict[str, Any],
    fmt_name: str,
    base_url: str,
    settings: Settings,
    db: Database,
    serve_app: Serve,
    alice: Person,
) -> None:
    world = _world(base_url, db, alice)
    path = "/api/v1" + _fill(example["path"], world) + f".{fmt_name}"
    params = {k: _fill(v, world) for k, v in example["params"].items()}
    headers = Taskforce(base_url, alice, fmt_name).headers
    if example["path"] == "/user" and example["method"] == "POST":
        with serve_app(create_app(settings.model_copy(update={"open_signup": True}), db)) as url:
            r = checked_post(url + path, data=params)
    elif example["method"] == "GET":
        r = checked_get(base_url + path, headers=headers)
    else:
        r = checked_post(base_url + path, data=params, headers=headers)
    assert r.status_code == 200, r.text
    body = parse(r, fmt_name)
    conforms(body, example["response"], example["name"])
    assert body["success"] is True
