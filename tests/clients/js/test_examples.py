"""Every JavaScript SDK example of the two Taskade documents runs, unchanged, with node against a
live server through `@taskade/sdk` (docs/clients/javascript.md; tests/clients/js/examples.py
says how)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from polytask.core.db import Database
from tests.clients.js.conftest import Node
from tests.clients.js.examples import (
    EXAMPLES,
    PLACEHOLDERS,
    RECEIVER_HOST,
    SPECS,
    Example,
    declares,
    doc_examples,
    doc_snippets,
    pieces_of,
    spec_sdk_fences,
)
from tests.factories.people import Person, join, make_person

# The names the examples use as people (usernames are accepted wherever a user is).
USERNAMES = ["user1", "user2", "user3", "user4", "user_old", "user_new", "support_team_lead"]
TASKS_IN_PROJECT = 130  # more than one page of the developer document's paging loop (100)

# Stand-ins for what the examples take from elsewhere: other programs and undefined helpers.
STUBS = {
    "app": "const app = { routes: [], post(path, handler) { this.routes.push(path); } };",
    "salesforce": "const salesforce = { async create(kind, fields) { return { Id: 'opp_1', kind, ...fields }; } };",
    "mapStatus": "function mapStatus(status) { return status; }",
    "mapSalesforceStage": "function mapSalesforceStage(stage) { return stage; }",
    "calculateCompletionRate": "function calculateCompletionRate(tasks) { return tasks.length ? 1 : 0; }",
    "getUpcomingDeadlines": "function getUpcomingDeadlines(tasks) { return []; }",
    "cache": "const cache = { invalidate() {} };",
    "websocket": "const websocket = { broadcast() {} };",
    "handleWebhookEvent": "function handleWebhookEvent() {}",
    "checkForUpdates": "function checkForUpdates() {}",
    "refreshToken": "function refreshToken() { calls.refreshToken += 1; }",
    "delay": "async function delay(ms) {}",
    "retryRequest": "function retryRequest() {}",
    "verifySignature": "function verifySignature() { return false; }",
    "handleTaskUpdate": "function handleTaskUpdate() {}",
}
CONTEXT_NAMES = ["workspaceId", "projectId", "taskId", "userId", "prerequisiteTaskId"]


def script_for(example: Example, text: str, context: dict[str, Any]) -> str:
    """The module node runs: our preamble, the example (whole or in pieces), our `then`."""
    for literal, name in PLACEHOLDERS.items():
        text = re.sub(rf"(?<![\w.]){literal}(?!\w)", str(context[name]), text)
    text = text.replace("'your_api_key'", json.dumps(context["key"]))
    text = text.replace("'https://api.taskade.com/v1'", json.dumps(context["baseURL"]))
    text = text.replace(RECEIVER_HOST, context["receiver"])
    pre = [
        "import * as __sdk from '@taskade/sdk';",
        "const __ctx = JSON.parse(process.env.SDK_EXAMPLE_CONTEXT);",
        "const calls = { refreshToken: 0 };",
        "let out = { ok: true };",
        "const refused = [];",
    ]
    if "import { TaskadeAPI }" not in text:
        pre.append("const { TaskadeAPI } = __sdk;")
    if not declares(text, "api"):
        pre.append("const api = new TaskadeAPI(__ctx.key);")
    pre += [f"const {name} = __ctx.{name};" for name in CONTEXT_NAMES if not declares(text, name)]
    pre += [code for name, code in STUBS.items() if re.search(rf"\b{name}\b", text) and not declares(text, name)]
    if example.pieces:
        # Each piece in a block of its own; a piece the server refuses records the error's code
        # and field (in `refused`) instead of stopping the module. `then` runs in the last block.
        blocks = []
        for n, ((_, _, refused), piece) in enumerate(zip(example.pieces, pieces_of(text, example), strict=True)):
            last = example.then if n == len(example.pieces) - 1 else ""
            if refused:
                piece = (
                    f"try {{\n{piece}}} catch (error) {{\n"
                    "  const { source, issue } = error.details;\n"
                    "  refused.push([error.status, error.code, source?.pointer, issue]);\n}\n"
                )
            blocks.append("{\n" + piece + last + "}")
        body = "\n".join(blocks)
    else:
        body = text + example.then
    return "\n".join([*pre, body, "console.log(JSON.stringify(out));", ""])


def make_world(client: httpx.Client, db: Database, base_url: str) -> tuple[Person, dict[str, Any]]:
    """An owner with a workspace, its members named as in the examples, a project with enough tasks
    to page through, and the ids the examples leave to the reader."""
    owner = make_person(db, name="Olivia Owner")
    members = {}
    for username in ["member", *USERNAMES]:
        person = make_person(db, email=f"{username}@example.com", name=username.replace("_", " ").title())
        join(db, owner, person)
        members[username] = person
    h = owner.headers
    r = client.post(f"/v1/workspaces/{owner.workspace}/projects", json={"name": "Website"}, headers=h)
    assert r.status_code == 201, r.text
    project = r.json()["data"]["id"]
    r = client.post(
        f"/v1/projects/{project}/tasks/bulk",
        json={"tasks": [{"name": f"Row {n}"} for n in range(TASKS_IN_PROJECT)]},
        headers=h,
    )
    assert r.status_code == 201, r.text
    tasks = [t["id"] for t in r.json()["data"]]
    # The developer document's bulk update moves user_old's tasks to user_new.
    r = client.patch(f"/v1/tasks/{tasks[3]}", json={"assignee_id": members["user_old"].id}, headers=h)
    assert r.status_code == 200, r.text
    context = {
        "key": owner.key,
        "baseURL": f"{base_url}/v1",
        "workspaceId": owner.workspace,
        "projectId": project,
        "taskId": tasks[0],
        "prerequisiteTaskId": tasks[1],
        "spareTaskId": tasks[2],
        "oldAssignedTaskId": tasks[3],
        "userId": members["member"].id,
        "user1Id": members["user1"].id,
        "user2Id": members["user2"].id,
        "userOldId": members["user_old"].id,
        "userNewId": members["user_new"].id,
        "receiver": base_url,
    }
    return owner, context


def run_example(node_sdk: Node, example: Example, context: dict[str, Any], base_url: str) -> Any:
    script = script_for(example, doc_examples()[example.name], context)
    env = {"SDK_EXAMPLE_CONTEXT": json.dumps(context), "TASKADE_API_BASE_URL": f"{base_url}/v1"}
    env["TASKADE_API_KEY"] = context["key"]
    return node_sdk.result(script, env=env, name=f"{example.name}.mjs")


def test_every_sdk_example_of_the_documents_is_in_the_page() -> None:
    """Each document fence that uses the SDK is in docs/clients/javascript.md verbatim (the
    guide's mixed JavaScript/Python/Go fence by its JavaScript part), and every example of the
    page is run below."""
    if not SPECS.is_dir():
        pytest.skip(f"the Taskade documents are not at {SPECS}")
    shown = doc_examples()
    fences = spec_sdk_fences()
    assert len(fences) == len(shown)
    for doc, line, fence in fences:
        matches = [
            name for name, text in shown.items() if text == fence or (text in fence and "// Python SDK" in fence)
        ]
        assert len(matches) == 1, f"{doc}:{line} is not shown verbatim in docs/clients/javascript.md"
    assert sorted(e.name for e in EXAMPLES) == sorted(shown)
    for example in EXAMPLES:
        assert bool(example.pieces) == bool(example.left_out), example.name


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_runs(node_sdk: Node, client: httpx.Client, db: Database, base_url: str, example: Example) -> None:
    owner, context = make_world(client, db, base_url)
    out = run_example(node_sdk, example, context, base_url)
    check = CHECKS.get(example.name)
    if check is not None:
        check(out, client, owner, context)


@pytest.mark.parametrize("name", sorted(doc_snippets()))
def test_the_pages_own_snippets_run(
    node_sdk: Node, client: httpx.Client, db: Database, base_url: str, name: str
) -> None:
    _, context = make_world(client, db, base_url)
    script = script_for(Example(name), doc_snippets()[name], context)
    env = {"SDK_EXAMPLE_CONTEXT": json.dumps(context), "TASKADE_API_BASE_URL": f"{base_url}/v1"}
    assert node_sdk.result(script, env=env, name=f"snippet-{name}.mjs") == {"ok": True}


def test_guide_error_handling_takes_the_401_branch(
    node_sdk: Node, client: httpx.Client, db: Database, base_url: str
) -> None:
    """The guide's try/catch with a key the server does not know: `error.status === 401`."""
    _, context = make_world(client, db, base_url)
    context["key"] = "not-a-key"
    example = next(e for e in EXAMPLES if e.name == "guide-error-handling")
    assert run_example(node_sdk, example, context, base_url) == {"refreshed": 1}


def _get(client: httpx.Client, owner: Person, path: str, **params: Any) -> Any:
    r = client.get(path, params=params, headers=owner.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _check_dev_sdk(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"name": "New Task", "assignee_id": context["userId"], "project_id": context["projectId"]}


def _check_dev_tasks(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"task": "Design homepage mockups", "bulk": 3}
    task = _get(client, owner, f"/v1/tasks/{context['taskId']}")["data"]["attributes"]
    assert task["status"] == "in_progress"
    assert task["progress"] == 25
    assert task["dependencies"] == [context["prerequisiteTaskId"]]


def _check_dev_optimization(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"all": TASKS_IN_PROJECT}


def _check_dev_crm(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"salesforce_id": "opp_1"}


def _check_dev_bulk(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"projects": [["Q1 Marketing", 2], ["Q1 Sales", 2]]}
    task = _get(client, owner, f"/v1/tasks/{context['oldAssignedTaskId']}")["data"]["attributes"]
    assert task["assignee_id"] == context["userNewId"]


def _check_dev_workspaces(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"created": "Marketing Campaigns", "listed": 2}
    workspace = _get(client, owner, f"/v1/workspaces/{context['workspaceId']}")["data"]["attributes"]
    assert workspace["name"] == "Updated Marketing Campaigns"
    assert workspace["settings"]["theme"] == "dark"


def _check_dev_custom_fields(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    # The query by custom fields finds the task whose values the example set.
    assert out == {"field": "Priority", "tasks": 1}


def _check_guide_webhooks(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"webhook": f"{context['receiver']}/webhook/task-updated", "routes": ["/webhook/task-updated"]}


def _check_guide_sdk(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"me": _get(client, owner, "/v1/me")["data"]["id"]}


def _check_guide_batch(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out["results"] == [200, 201, 204]
    r = client.get(f"/v1/tasks/{context['spareTaskId']}", headers=owner.headers)
    assert r.status_code == 404


def _check_guide_customer_dashboard(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"ticket": "Support: Login fails", "found": [["Support: Login fails", "waiting"]]}


def _check_guide_reporting(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    # `include: ['assignee']` puts the assignee itself on each task (`task.assignee?.name`).
    assert out == {"by_assignee": {"User1": 1}, "total": 1}


def _check_guide_error_handling(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out == {"refreshed": 0}


def _check_guide_resilient(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    assert out["missing"] == 404


CHECKS = {
    "dev-workspaces": _check_dev_workspaces,
    "dev-custom-fields": _check_dev_custom_fields,
    "guide-webhooks": _check_guide_webhooks,
    "guide-sdk": _check_guide_sdk,
    "dev-sdk": _check_dev_sdk,
    "dev-tasks": _check_dev_tasks,
    "dev-optimization": _check_dev_optimization,
    "dev-crm": _check_dev_crm,
    "dev-bulk": _check_dev_bulk,
    "guide-batch": _check_guide_batch,
    "guide-customer-dashboard": _check_guide_customer_dashboard,
    "guide-reporting": _check_guide_reporting,
    "guide-error-handling": _check_guide_error_handling,
    "guide-resilient": _check_guide_resilient,
}


def _check_guide_tasks(out: Any, client: httpx.Client, owner: Person, context: dict[str, Any]) -> None:
    # The bulk create as written names no project: the documented 422, pointing at the first task.
    [[status, code, pointer, issue]] = out["refused"]
    assert (status, code, pointer) == (422, "VALIDATION_ERROR", "/tasks/0/project_id")
    assert "once at the top level" in issue
    task = _get(client, owner, f"/v1/tasks/{context['taskId']}")["data"]["attributes"]
    assert task["name"] == "Updated task name"
    assert task["custom_fields"] == {"estimated_hours": 8, "difficulty": "medium"}


CHECKS["guide-tasks"] = _check_guide_tasks


def test_guide_bulk_create_with_a_top_level_project_creates_the_tasks(
    node_sdk: Node, client: httpx.Client, db: Database, base_url: str
) -> None:
    """The guide's bulk create with one line added, a top-level `project_id`: the three tasks
    are created in that project, each assigned as the example says (docs/compat/native.md)."""
    owner, context = make_world(client, db, base_url)
    example = next(e for e in EXAMPLES if e.name == "guide-tasks")
    start, stop, _ = next(p for p in example.pieces if p[0] == "// Bulk create tasks")
    [piece] = pieces_of(doc_examples()[example.name], Example(example.name, pieces=((start, stop, ""),)))
    added = "const newTasks = await api.post('/tasks/bulk', {\n  project_id: projectId,\n"
    text = piece.replace("const newTasks = await api.post('/tasks/bulk', {\n", added)
    assert text != piece
    then = "out = newTasks.map((t) => [t.name, t.project_id, t.assignee_id]);"
    script = script_for(Example("guide-tasks-with-project", then=then), text, context)
    env = {"SDK_EXAMPLE_CONTEXT": json.dumps(context), "TASKADE_API_BASE_URL": f"{base_url}/v1"}
    out = node_sdk.result(script, env=env, name="guide-tasks-with-project.mjs")
    users = [context["user1Id"], context["userId"], context["user2Id"]]
    names = ["Design mockups", "Write documentation", "Code review"]
    assert out == [[n, context["projectId"], u] for n, u in zip(names, users, strict=True)]
    for created in out:
        r = client.get(
            f"/v1/projects/{context['projectId']}/tasks", params={"search": created[0]}, headers=owner.headers
        )
        assert [t["attributes"]["name"] for t in r.json()["data"]] == [created[0]]
