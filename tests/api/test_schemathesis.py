"""schemathesis against every surface's OpenAPI document, over HTTP, on the test database.

For each surface in SURFACES the real app is served on loopback, a world of real objects is
seeded (tests/api/v1/test_isolation.py's: a workspace with a teammate, a project, section,
tasks, comment, invite, custom fields, view, webhook with a delivery, OAuth client), and the
schemathesis CLI runs every operation of the surface's document through its four phases
(the document's examples, coverage, fuzzing, stateful sequences) with a valid key. Path
parameters take the seeded ids most of the time, so the operations reach real objects and
not only 404s. The run is bounded (MAX_EXAMPLES per operation), derandomized with a fixed
seed, single-worker, and asserts nothing about timing. It must end with no failure of any
check that is on: no 5xx, no status code or response the document does not declare, no
request the document calls invalid accepted, no wrong answer to an undeclared method.

Adding a surface's document (once its declaration in api/surfaces.py names its
`openapi_url`) is one line in SURFACES; test_every_declared_document_is_run fails until then.
A surface whose path ids are not the native world's (Taskforce's are integers, and lists are
its own) says which ids to use with `path_ids`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.api.surfaces import SURFACES as DECLARED
from polytask.core.db import Database
from polytask.core.settings import Settings
from tests.api.v1.test_isolation import ID_PARAMS, World, build_world
from tests.contracts.surfaces import SURFACES as CLIENTS
from tests.factories.people import Person
from tests.openapi_check import OpenAPIChecker


@dataclass(frozen=True)
class Surface:
    name: str  # the declared surface (api/surfaces.py) whose client credentials the run uses
    document: str  # where the app serves the surface's OpenAPI document
    # Operations ("METHOD /path") left out of the run, each for a reason given where it is listed.
    excluded: tuple[str, ...] = ()
    # The seeded value of each path parameter (default: the native world's ids, ID_PARAMS).
    path_ids: Callable[[httpx.Client, World, dict[str, str]], dict[str, Any]] | None = None
    # Instead of the owner's headers (tests/contracts): the run's `auth` table, with a credential
    # made over HTTP, given per security scheme of the document so that schemathesis also
    # tries each operation without it.
    log_in: Callable[[httpx.Client, Database], dict[str, Any]] | None = None

    def headers(self, person: Person) -> dict[str, str]:
        """A valid credential of `person`, as a client of the surface sends it (tests/contracts)."""
        [client] = [c for c in CLIENTS if c.name == self.name]
        return client.credentials(person)


NATIVE_EXCLUDED = (
    # Destructive key operations: revoking or rotating the key the run authenticates with turns
    # every later request into a 401, so the rest of the run would test nothing (the seeded key
    # is key_1, which the document's own examples name too). tests/api/v1/test_api_keys.py
    # covers both.
    "DELETE /v1/api-keys/{key_id}",
    "POST /v1/api-keys/{key_id}/rotate",
    # An endless Server-Sent Events stream: it stays open, with heartbeats, until the client
    # leaves, and schemathesis reads each response until its request timeout, so every example
    # would cost the whole timeout. tests/webhooks/test_event_feed.py covers it, and
    # test_the_event_stream_does_not_end_by_itself below shows the reason.
    "GET /v1/events/stream",
)


def taskforce_ids(client: httpx.Client, world: World, headers: dict[str, str]) -> dict[str, Any]:
    """A list of the owner's and a task in it, made through Taskforce (integer ids, in the
    workspace the surface acts in)."""
    list_id = client.post("/api/v1/lists.json", data={"name": "Fuzz list"}, headers=headers).json()["list_id"]
    task = client.post("/api/v1/tasks.json", data={"name": "Fuzz task", "list_id": list_id}, headers=headers)
    return {"list_id": list_id, "task_id": task.json()["task_id"]}


def taskip_ids(client: httpx.Client, world: World, headers: dict[str, str]) -> dict[str, Any]:
    """A project made through TaskIP (its uuid) with a container and a task (the `id` every
    `{id}` path takes: a task's, which the task operations find)."""
    project = client.post("/api/public-v1/project", json={"name": "Fuzz project"}, headers=headers).json()["data"]
    base = f"/api/public-v1/project/{project['uuid']}"
    container = client.post(f"{base}/container", json={"name": "Fuzz column"}, headers=headers).json()["data"]
    task = client.post(f"{base}/task", json={"title": "Fuzz task", "container_id": container["id"]}, headers=headers)
    return {"uuid": project["uuid"], "id": task.json()["data"]["id"]}


def taskflow_session(client: httpx.Client, db: Database) -> dict[str, Any]:
    """The session cookie of a user who logged in through TaskFlow, for the document's `session` scheme."""
    from tests.factories.people import make_person

    password = "fuzz session password"
    # A TaskFlow admin, so that the policy table lets every operation through to its checks.
    person = make_person(db, name="Fuzz browser", password=password, role="admin")
    r = client.post("/api/auth/login", json={"username": person.email, "password": password})
    assert r.status_code == 200, r.text
    # Read off the header (whether or not the cookie is Secure, which a jar would keep to itself).
    value = r.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]
    return {"openapi": {"session": {"api_key": value}}}


SURFACES = [
    # /openapi.json: the native /v1 surface and the OAuth server.
    Surface("native", "/openapi.json", excluded=NATIVE_EXCLUDED),
    # /api/v1/openapi.json: Taskforce (its operations at their .json paths).
    Surface("taskforce", "/api/v1/openapi.json", path_ids=taskforce_ids),
    # /api/openapi.json: TaskFlow, with a live session cookie. Logging out would end the
    # session the run authenticates with, so every later /api/auth/me would be a 401 and its
    # 200 would go untested (as the native run leaves out revoking its key);
    # tests/api/taskflow/test_auth.py covers logout, its responses checked against this document.
    Surface("taskflow", "/api/openapi.json", excluded=("POST /api/auth/logout",), log_in=taskflow_session),
    # /api/public-v1/openapi.json: TaskIP, with the owner's key as X-Secret-Key. Deleting the
    # seeded project (its stateful links feed a container's `project_id` to `/project/{id}`)
    # takes every container, task and file of the run with it, so each later step is a 404 and
    # schemathesis reports the container it just made as "not found"; tests/api/taskip covers
    # the delete, its responses checked against this document.
    Surface(
        "taskip", "/api/public-v1/openapi.json", excluded=("DELETE /api/public-v1/project/{id}",), path_ids=taskip_ids
    ),
]

MAX_EXAMPLES = 20  # per operation and phase
SEED = 20260101
# How often a path parameter takes a seeded id rather than a generated value (which mostly 404s).
SEEDED_ID_PROBABILITY = 0.8

# Checks switched off, each with its reason; a test below shows that the reason holds.
CHECKS_OFF: dict[str, str] = {
    # "A request valid against the document is accepted." A JSON schema cannot state the rules
    # that depend on stored data or on other fields (a task may not depend on itself, an
    # assignee must be a member of the workspace, a time zone must exist, an expiry must lie
    # in the future, ...), so a schema-valid body is rightly refused with a 422 naming the
    # field. test_schema_valid_bodies_can_break_rules_no_schema_states shows four of them.
    # The opposite check (negative_data_rejection: a request the document calls invalid is
    # refused) stays on.
    "positive_data_acceptance": "rules no JSON schema can state",
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def to_toml(config: dict[str, Any], prefix: tuple[str, ...] = ()) -> str:
    """The little TOML a schemathesis.toml needs: scalars and lists, tables, arrays of tables."""
    header = ".".join(json.dumps(part) for part in prefix)
    lines = [f"[{header}]"] if prefix else []
    nested: list[str] = []
    for key, value in config.items():
        if isinstance(value, dict):
            nested.append(to_toml(value, (*prefix, key)))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                body = to_toml(item).strip()
                nested.append(f"[[{'.'.join(json.dumps(p) for p in (*prefix, key))}]]\n{body}\n")
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n\n" + "\n".join(nested) if nested else "\n".join(lines) + "\n"


def schemathesis_config(
    surface: Surface, world: World, ids: dict[str, Any] | None = None, auth: dict[str, Any] | None = None
) -> dict[str, Any]:
    if ids is None:
        ids = {param: world.ids[key] for param, key in ID_PARAMS.items() if key in world.ids}
    dictionaries = {param: {"values": [value]} for param, value in ids.items()}
    config: dict[str, Any] = {
        # Derandomized: Hypothesis draws each operation's examples from a seed derived from the
        # test itself, so every run sends the same requests (schemathesis then reports the
        # explicit seed as unused; it would fix the run if `deterministic` were turned off).
        "seed": SEED,
        "workers": 1,  # one request at a time: the same sequence on every run
        "cache": {"enabled": False},  # nothing kept between runs
        # Hypothesis' health checks time the generation (too_slow), which depends on the machine.
        "suppress-health-check": ["all"],
        "request-timeout": 60,
        "headers": {} if auth else surface.headers(world.owner),
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "dictionaries": dictionaries,
        "parameters": {
            f"path.{param}": {"dictionary": param, "probability": SEEDED_ID_PROBABILITY} for param in dictionaries
        },
        "checks": {name: {"enabled": False} for name in CHECKS_OFF},
        "operations": [{"include-name": name, "enabled": False} for name in surface.excluded],
    }
    if auth:
        config["auth"] = auth
    if not config["operations"]:
        del config["operations"]
    return config


@pytest.fixture
def surface_app(
    settings: Settings, db: Database, serve_app: Callable[[ASGIApp], AbstractContextManager[str]]
) -> Iterator[str]:
    # Webhook targets are not resolved (no DNS from a test); no dispatcher runs (lifespan off),
    # so nothing is ever sent.
    with serve_app(create_app(settings.model_copy(update={"webhook_allow_private": True}), db)) as url:
        yield url


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_schemathesis(surface: Surface, surface_app: str, db: Database, tmp_path: Path) -> None:
    with httpx.Client(base_url=surface_app, timeout=60) as client:
        world = build_world(client, db, "Fuzz")
        ids = surface.path_ids(client, world, surface.headers(world.owner)) if surface.path_ids else None
        auth = surface.log_in(client, db) if surface.log_in else None
    config = tmp_path / "schemathesis.toml"
    config.write_text(to_toml(schemathesis_config(surface, world, ids, auth)))
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}  # loopback only
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--no-color",
            "--config-file",
            str(config),
            "run",
            f"{surface_app}{surface.document}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a hang guard, far above a normal run
        check=False,
    )
    output = run.stdout + run.stderr
    print(output)  # shown with -s, or on failure
    assert run.returncode == 0, f"schemathesis found failures on {surface.name}:\n{output[-20000:]}"


def test_every_declared_document_is_run() -> None:
    declared = {surface.openapi_url for surface in DECLARED if surface.openapi_url}
    assert declared <= {surface.document for surface in SURFACES}, "add the document's line to SURFACES"
    assert {surface.name for surface in SURFACES} <= {client.name for client in CLIENTS}


def test_the_event_stream_does_not_end_by_itself(
    settings: Settings, db: Database, serve_app: Callable[[ASGIApp], AbstractContextManager[str]]
) -> None:
    """Why GET /v1/events/stream is left out: it stays open, beating, until the client leaves."""
    from tests.factories.people import make_person

    alice = make_person(db)
    app = create_app(settings.model_copy(update={"events_heartbeat_seconds": 0.05}), db)
    with (
        serve_app(app) as url,
        httpx.Client(base_url=url, timeout=30) as client,
        client.stream("GET", "/v1/events/stream", headers=alice.headers) as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        chunks = r.iter_bytes()
        received = b""
        while received.count(b"\n\n") < 4:  # the retry line, then heartbeats: the stream goes on
            received += next(chunks)  # StopIteration here would mean it ended
        assert received.startswith(b"retry: ")


SCHEMA_VALID_BUT_REFUSED = [
    # (what, method, path template, body, the field the 422 names)
    ("self-dependency", "PATCH", "/v1/tasks/{task}", {"dependencies": ["{task}"]}, "dependencies"),
    ("past expiry", "POST", "/v1/api-keys", {"name": "k", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
    ("unknown time zone", "POST", "/v1/workspaces", {"name": "W", "settings": {"timezone": "Mars/Olympus"}}, None),
    ("assignee not a member", "POST", "/v1/projects/{project}/tasks", {"name": "t", "assignee_id": "{stranger}"}, None),
]


@pytest.mark.parametrize(
    ("method", "template", "body", "field"),
    [case[1:] for case in SCHEMA_VALID_BUT_REFUSED],
    ids=[case[0] for case in SCHEMA_VALID_BUT_REFUSED],
)
def test_schema_valid_bodies_can_break_rules_no_schema_states(
    client: httpx.Client,
    db: Database,
    openapi: OpenAPIChecker,
    method: str,
    template: str,
    body: dict[str, Any],
    field: str | None,
) -> None:
    """Why positive_data_acceptance is off: bodies valid against the document, rightly refused."""
    from tests.factories.people import make_person
    from tests.factories.work import make_project, make_task

    alice, stranger = make_person(db), make_person(db)
    project = make_project(client, alice)
    names = {"project": project, "task": make_task(client, alice, project)["id"], "stranger": stranger.id}
    path = template.format(**names)
    filled = json.loads(json.dumps(body).replace("{task}", names["task"]).replace("{stranger}", names["stranger"]))
    operation = openapi.operation(method, path)
    assert operation is not None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": openapi.components})
    assert list(validator.iter_errors(filled)) == [], "the body must be valid against the document"
    r = client.request(method, path, json=filled, headers=alice.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    named = r.json()["error"]["details"]["field"]
    assert named == (field or named)
    assert named != "body"
