"""Tenant isolation: every id-bearing operation in /openapi.json, aimed at another workspace, is a 404.

The operations are read from the OpenAPI document, so a new route is covered (or fails here
because its id parameter is unknown) without anyone editing this file. Each probe must also
change nothing, as re-read by the owner, and look exactly like the 404 for an id that does
not exist, so no route leaks another tenant's existence.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.users.service import get_user
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task
from tests.openapi_check import OpenAPIChecker

# The path parameters that name objects, and which object of a world each one takes.
ID_PARAMS = {
    "workspace_id": "workspace",
    "project_id": "project",
    "section_id": "section",
    "task_id": "task",
    "comment_id": "comment",
    "user_id": "user",
    "invite_id": "invite",
    "key_id": "api_key",
    "field_id": "custom_field",
    "view_id": "view",
    "workspace_field_id": "workspace_field",
    "webhook_id": "webhook",
    "delivery_id": "webhook_delivery",
    "oauth_client_id": "oauth_client",
    "time_entry_id": "time_entry",
    "expense_id": "expense",
    "risk_id": "risk",
    "department_id": "department",
    "feed_id": "calendar_feed",
    "import_id": "import",
    "template_id": "template",
    "automation_id": "automation",
}
WRITE_METHODS = ("post", "put", "patch")
ID_LIKE = re.compile(r"^[a-z]+_\d+$")


@dataclass
class World:
    """One tenant: a workspace with one of everything, owned by `owner`."""

    owner: Person
    teammate: Person
    ids: dict[str, str] = field(default_factory=dict)
    subtask: str = ""

    def snapshot(self, client: httpx.Client) -> dict[str, Any]:
        """Everything in the world, as its owner sees it."""
        i, h = self.ids, self.owner.headers
        paths = [  # four reads that between them show every object of the world
            f"/v1/workspaces/{i['workspace']}",
            f"/v1/projects/{i['project']}?include=tasks,sections,members",
            f"/v1/tasks/{i['task']}/comments",
            f"/v1/workspaces/{i['workspace']}/invites",
            f"/v1/projects/{i['project']}/custom-fields",
            f"/v1/projects/{i['project']}/views",
            f"/v1/workspaces/{i['workspace']}/custom-fields",
            "/v1/api-keys",
            f"/v1/webhooks/{i['webhook']}/deliveries",
            "/v1/oauth/clients",
            f"/v1/projects/{i['project']}/time-entries",
            f"/v1/projects/{i['project']}/expenses",
            f"/v1/projects/{i['project']}/risks",
            f"/v1/workspaces/{i['workspace']}/departments",
            "/v1/me/calendar-feeds",
            f"/v1/projects/{i['project']}/automations",
            f"/v1/automations/{i['automation']}/runs",
        ]
        out = {}
        for path in paths:
            r = client.get(path, headers=h)
            assert r.status_code == 200, f"{path}: {r.text}"
            out[path] = r.json()
        return out


def build_world(client: httpx.Client, db: Database, label: str) -> World:
    owner, teammate = make_person(db, name=f"{label} owner"), make_person(db, name=f"{label} teammate")
    join(db, owner, teammate, role="member")
    h = owner.headers
    # A webhook first, so that what follows leaves deliveries in its log (nothing sends them here).
    # A public address literal: the SSRF guard refuses names that do not resolve, and tests have no DNS.
    r = client.post("/v1/webhooks", json={"url": "https://93.184.216.34/in", "events": ["*"]}, headers=h)
    assert r.status_code == 201, r.text
    webhook = r.json()["data"]["id"]
    project = make_project(client, owner, name=f"{label} project")
    r = client.post(f"/v1/projects/{project}/sections", json={"name": f"{label} column"}, headers=h)
    assert r.status_code == 201, r.text
    section = r.json()["data"]["id"]
    task = make_task(client, owner, project, name=f"{label} task", section_id=section)["id"]
    subtask = make_task(client, owner, project, name=f"{label} subtask", parent_id=task)["id"]
    r = client.post(f"/v1/tasks/{task}/comments", json={"body": f"{label} comment"}, headers=h)
    assert r.status_code == 201, r.text
    comment = r.json()["data"]["id"]
    r = client.post(
        f"/v1/workspaces/{owner.workspace}/invites",
        json={"emails": [f"invitee-{label.lower()}-{owner.user_id}@example.com"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    invite = r.json()["data"][0]["id"]
    [api_key] = client.get("/v1/api-keys", headers=h).json()["data"]
    r = client.post(
        f"/v1/projects/{project}/custom-fields",
        json={"name": f"{label} field", "type": "dropdown", "options": ["Low", "Medium", "High"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    custom_field = r.json()["data"]["id"]
    r = client.post(
        f"/v1/projects/{project}/views", json={"name": f"{label} view", "filter": {"status": "pending"}}, headers=h
    )
    assert r.status_code == 201, r.text
    view = r.json()["data"]["id"]
    ws_field_body = {"name": f"{label} account", "type": "dropdown", "options": ["Low", "Medium", "High"]}
    r = client.post(f"/v1/workspaces/{owner.workspace}/custom-fields", json=ws_field_body, headers=h)
    assert r.status_code == 201, r.text
    workspace_field = r.json()["data"]["id"]
    delivery = client.get(f"/v1/webhooks/{webhook}/deliveries", headers=h).json()["data"][0]["id"]
    r = client.post(
        "/v1/oauth/clients",
        json={"name": f"{label} app", "redirect_uris": ["https://app.example.com/callback"]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    oauth_client = r.json()["data"]["id"]
    made = {}
    for kind, path, body in (
        ("time_entry", f"/v1/projects/{project}/time-entries", {"minutes": 30, "task_id": task}),
        ("expense", f"/v1/projects/{project}/expenses", {"amount": "12.50"}),
        ("risk", f"/v1/projects/{project}/risks", {"title": f"{label} risk"}),
        ("department", f"/v1/workspaces/{owner.workspace}/departments", {"name": f"{label} department"}),
        ("calendar_feed", f"/v1/projects/{project}/calendar-feeds", {"name": f"{label} feed"}),
        ("template", "/v1/templates", {"name": f"{label} template", "project_id": project}),
        (
            "automation",
            f"/v1/projects/{project}/automations",
            {
                "name": f"{label} automation",
                "trigger": {"kind": "event", "event": "task.created"},
                "conditions": "priority = high",
                "actions": [{"type": "add_comment", "body": "seen"}],
            },
        ),
    ):
        r = client.post(path, json=body, headers=h)
        assert r.status_code == 201, r.text
        made[kind] = r.json()["data"]["id"]
    r = client.post(
        f"/v1/workspaces/{owner.workspace}/imports",
        files={"file": ("tasks.csv", f"name\n{label} imported\n".encode())},
        data={"format": "csv"},
        headers=h,
    )
    assert r.status_code == 202, r.text
    made["import"] = r.json()["data"]["id"]
    ids = {
        "workspace": owner.workspace,
        "project": project,
        "section": section,
        "task": task,
        "comment": comment,
        "user": teammate.id,
        "invite": invite,
        "api_key": api_key["id"],
        "custom_field": custom_field,
        "view": view,
        "workspace_field": workspace_field,
        "webhook": webhook,
        "webhook_delivery": delivery,
        "oauth_client": oauth_client,
        **made,
    }
    return World(owner=owner, teammate=teammate, ids=ids, subtask=subtask)


# Accounts under /v1/admin belong to no workspace: anyone but a server admin gets the same 403
# for every id, existing or not, before any lookup (tests/api/v1/test_admin_users.py).
SERVER_LEVEL = "/v1/admin/"
# A calendar feed's URL is its own credential (no key): whoever holds the token reads it, and
# an unknown one is a 404 (tests/api/v1/test_calendar_feeds.py).
SECRET_URLS = "/v1/ical/"
# People's accounts are changed by server admins only (/v1/users, as /v1/admin/users).
SERVER_ADMIN_WRITES = {("patch", "/v1/users/{user_id}"), ("delete", "/v1/users/{user_id}")}
# An automation's incoming URL takes no credential: its token is the secret, whoever holds it
# may post (tests/automations/test_automations_api.py); the token is no id of the matrix's.
TOKEN_PATHS = "/v1/automations/hooks/"


def id_operations(doc: dict[str, Any]) -> list[tuple[str, str, list[str], dict[str, Any]]]:
    """(method, path template, id parameter names in path order, operation) for every id-bearing route."""
    out = []
    for path, item in doc["paths"].items():
        params = re.findall(r"\{([^}]+)\}", path)
        if not params or path.startswith((SERVER_LEVEL, SECRET_URLS, TOKEN_PATHS)):
            continue
        unknown = [p for p in params if p not in ID_PARAMS]
        assert not unknown, (
            f"{path} has path parameters {unknown} that the isolation matrix cannot fill: "
            "add them to ID_PARAMS and build_world"
        )
        for method, op in item.items():
            out.append((method, path, params, op))
    return out


def _strip_refs(value: Any) -> Any:
    """Drop id-like references from an example body: they would name some other object."""
    if isinstance(value, dict):
        return {k: _strip_refs(v) for k, v in value.items() if not _is_ref(v)}
    return value


def _is_ref(value: Any) -> bool:
    if isinstance(value, str):
        return bool(ID_LIKE.match(value))
    if isinstance(value, list):
        return any(isinstance(v, str) and ID_LIKE.match(v) for v in value)
    return False


def probe_body(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any] | None:
    """A minimal valid body: the documented example without id references, else one built from the schema."""
    if "requestBody" not in op:
        return None
    if "application/json" not in op["requestBody"]["content"]:
        return None  # a file upload: its route checks the ids before it reads a body
    media = op["requestBody"]["content"]["application/json"]
    examples = [*media.get("schema", {}).get("examples", []), *(e["value"] for e in media.get("examples", {}).values())]
    if examples:
        body: dict[str, Any] = _strip_refs(copy.deepcopy(examples[0]))
        return body
    schema = media["schema"]
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    props = schema.get("properties", {})
    wanted = schema.get("required") or [next(k for k, v in props.items() if _allows_string(v))]
    return {name: "Isolation probe" for name in wanted}


def _allows_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" or any(s.get("type") == "string" for s in schema.get("anyOf", []))


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: ids[ID_PARAMS[m.group(1)]], path)


def _normalized(response: httpx.Response) -> str:
    error = dict(response.json()["error"])
    error.pop("request_id")
    error.pop("timestamp")
    return re.sub(r"\d+", "N", json.dumps(error, sort_keys=True))


# World keys whose ids use another type's prefix (workspace and project fields are both `field_N`).
ID_PREFIX = {"workspace_field": "field"}
NONEXISTENT = {kind: f"{ID_PREFIX.get(kind, kind)}_987654321" for kind in ID_PARAMS.values()}


def run_matrix(
    client: httpx.Client, doc: dict[str, Any], caller: dict[str, str], mine: World, theirs: World
) -> tuple[int, list[str]]:
    """Call every id-bearing operation with `caller`'s credential on `theirs` ids (alone or mixed with `mine`)."""
    before = (mine.snapshot(client), theirs.snapshot(client))
    problems: list[str] = []
    calls = 0
    for method, path, params, op in id_operations(doc):
        body = probe_body(doc, op)
        # Every mix of own and foreign ids except all-own; the subtask stands in for the task once.
        for pattern in itertools.product((False, True), repeat=len(params)):
            if not any(pattern):
                continue
            foreign_tasks = [theirs.ids["task"], theirs.subtask] if all(pattern) and "task_id" in params else [None]
            for foreign_task in foreign_tasks:
                ids, missing = dict(mine.ids), dict(mine.ids)
                for name, foreign in zip(params, pattern, strict=True):
                    kind = ID_PARAMS[name]
                    if foreign:
                        ids[kind] = foreign_task if kind == "task" and foreign_task else theirs.ids[kind]
                        missing[kind] = NONEXISTENT[kind]
                url, where = fill(path, ids), f"{method.upper()} {path} {pattern}"
                r = client.request(method, url, json=body, headers=caller)
                calls += 1
                if r.status_code != 404 or r.json()["error"]["code"] != "RESOURCE_NOT_FOUND":
                    problems.append(f"{where} as {url}: {r.status_code} {r.text[:300]}")
                    continue
                ghost = client.request(method, fill(path, missing), json=body, headers=caller)
                if ghost.status_code != 404 or _normalized(ghost) != _normalized(r):
                    problems.append(f"{where}: a foreign id answers unlike a missing one: {r.text} vs {ghost.text}")
        if method == "get":
            continue  # reads cannot change anything; re-reading after each write keeps this fast
        after = (mine.snapshot(client), theirs.snapshot(client))
        if after != before:
            problems.append(f"{method.upper()} {path}: a refused call changed data")
            before = after
    return calls, problems


def test_every_id_route_hides_other_workspaces(client: httpx.Client, db: Database, openapi: OpenAPIChecker) -> None:
    alice_world, bob_world = build_world(client, db, "Alice"), build_world(client, db, "Bob")
    calls, problems = run_matrix(client, openapi.document, alice_world.owner.headers, alice_world, bob_world)
    assert problems == [], "\n".join(problems)
    assert calls >= 100  # ~50 operations today; the count only guards against an empty matrix


def test_bound_key_sees_only_its_workspace_even_where_its_user_is_a_member(
    client: httpx.Client, db: Database, openapi: OpenAPIChecker
) -> None:
    alice_world, bob_world = build_world(client, db, "Alice"), build_world(client, db, "Bob")
    alice = alice_world.owner
    join(db, bob_world.owner, alice, role="admin")
    with db.unit_of_work() as session:
        bound = create_api_key(session, None, user=get_user(session, alice.user_id), workspace_id=alice.workspace_pk)
    bound_headers = {"Authorization": f"Bearer {bound.secret}"}
    theirs = bob_world.ids
    # The unbound key really does reach workspace B: the 404s below come from the binding.
    for path in (f"/v1/projects/{theirs['project']}", f"/v1/tasks/{theirs['task']}"):
        assert client.get(path, headers=alice.headers).status_code == 200
    assert client.get(f"/v1/projects/{alice_world.ids['project']}", headers=bound_headers).status_code == 200

    calls, problems = run_matrix(client, openapi.document, bound_headers, alice_world, bob_world)
    assert problems == [], "\n".join(problems)
    assert calls >= 100

    listed = {
        "/v1/workspaces": {alice.workspace},
        "/v1/projects": {alice_world.ids["project"]},
        "/v1/tasks": {alice_world.ids["task"], alice_world.subtask},
    }
    for path, expected in listed.items():
        r = client.get(path, params={"limit": 100}, headers=bound_headers)
        assert r.status_code == 200
        assert {d["id"] for d in r.json()["data"]} == expected, path
        assert r.json()["meta"]["total"] == len(expected)


def _visible_ids(r: httpx.Response) -> set[str]:
    if r.status_code == 404:
        return set()
    assert r.status_code == 200, r.text
    body = r.json()
    return {d["id"] for d in [*body["data"], *body.get("included", [])]}


def test_list_filters_naming_foreign_objects_show_nothing(client: httpx.Client, db: Database) -> None:
    alice_world, bob_world = build_world(client, db, "Alice"), build_world(client, db, "Bob")
    caller, theirs = alice_world.owner.headers, bob_world.ids
    secret = set(theirs.values()) | {bob_world.subtask}
    queries = [
        ("/v1/projects", {"workspace_id": theirs["workspace"]}),
        ("/v1/tasks", {"project_id": theirs["project"]}),
        ("/v1/tasks", {"workspace_id": theirs["workspace"]}),
        ("/v1/tasks", {"section_id": theirs["section"]}),
        ("/v1/tasks", {"parent_id": theirs["task"]}),
        ("/v1/tasks", {"assignee": bob_world.owner.id, "include": "project,assignee"}),
        ("/v1/projects", {"include": "tasks,members,workspace"}),
    ]
    for path, params in queries:
        r = client.get(path, params=params, headers=caller)
        assert r.status_code in (200, 404), (path, params, r.text)
        assert _visible_ids(r) & secret == set(), (path, params)


def test_bodies_cannot_reach_into_another_workspace(client: httpx.Client, db: Database) -> None:
    alice_world, bob_world = build_world(client, db, "Alice"), build_world(client, db, "Bob")
    mine, theirs, caller = alice_world.ids, bob_world.ids, alice_world.owner.headers
    before = (alice_world.snapshot(client), bob_world.snapshot(client))
    attempts = [
        ("POST", "/v1/projects", {"name": "Smuggled", "workspace_id": theirs["workspace"]}),
        ("POST", "/v1/tasks", {"name": "Smuggled", "project_id": theirs["project"]}),
        ("POST", f"/v1/projects/{mine['project']}/tasks", {"name": "S", "section_id": theirs["section"]}),
        ("POST", f"/v1/projects/{mine['project']}/tasks", {"name": "S", "parent_id": theirs["task"]}),
        ("POST", f"/v1/projects/{mine['project']}/tasks", {"name": "S", "dependencies": [theirs["task"]]}),
        ("POST", f"/v1/projects/{mine['project']}/tasks", {"name": "S", "assignee_id": bob_world.teammate.id}),
        ("PUT", f"/v1/tasks/{mine['task']}", {"project_id": theirs["project"]}),
        ("PATCH", f"/v1/tasks/{mine['task']}", {"section_id": theirs["section"]}),
        ("PATCH", f"/v1/tasks/{mine['task']}", {"parent_id": theirs["task"]}),
        ("PATCH", f"/v1/tasks/{mine['task']}", {"dependencies": [theirs["task"]]}),
        ("PATCH", f"/v1/tasks/{mine['task']}", {"assignee_ids": [bob_world.owner.id]}),
    ]
    for method, path, body in attempts:
        r = client.request(method, path, json=body, headers=caller)
        assert r.status_code in (404, 422), (method, path, body, r.status_code, r.text)
        assert r.json()["error"]["code"] in ("RESOURCE_NOT_FOUND", "VALIDATION_ERROR")
        assert "Bob" not in r.text, f"{method} {path} leaks a name from workspace B: {r.text}"
    assert (alice_world.snapshot(client), bob_world.snapshot(client)) == before


def test_probe_bodies_and_ids_work_for_their_owner(client: httpx.Client, db: Database, openapi: OpenAPIChecker) -> None:
    """The control: each probe above, sent by the owner on their own ids, succeeds."""
    doc = openapi.document
    for method, path, _params, op in id_operations(doc):
        if "requestBody" in op and "application/json" not in op["requestBody"]["content"]:
            # A file upload (no JSON probe): tests/api/v1/test_transfer.py sends the same import
            # with a real file as its owner (202) and as another workspace's member (404).
            continue
        world = build_world(client, db, "Owner")
        # Changing an account is for server admins (who see everyone); the matrix above shows a
        # workspace owner gets a 404 for another workspace's people all the same.
        admin = (method, path) in SERVER_ADMIN_WRITES
        headers = make_person(db, role="admin").headers if admin else world.owner.headers
        r = client.request(method, fill(path, world.ids), json=probe_body(doc, op), headers=headers)
        assert 200 <= r.status_code < 300, f"{method.upper()} {path}: {r.status_code} {r.text[:300]}"
