"""Every JavaScript SDK example of the two Taskade documents runs, unchanged, with node against a
live server through `@taskade/sdk` (docs/clients/javascript.md; tests/clients/js/examples.py
says how)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.domain.users.schemas import UserCreate
from polytask.domain.users.service import create_user
from polytask.models import Template, User
from tests.clients.js.conftest import Node
from tests.clients.js.examples import (
    EXAMPLES,
    EXISTING,
    PLACEHOLDERS,
    POLYTASK_ID,
    RECEIVER_HOST,
    ROOT,
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


def _users_until(db: Database, wanted: int) -> None:
    """Users (no workspace of their own, nobody's member) until the next one made is `wanted`."""
    with db.unit_of_work() as session:
        made = session.scalar(select(func.max(User.id))) or 0
        while made < wanted - 1:
            email = f"filler-{made + 1}@example.com"
            made = create_user(session, None, data=UserCreate(email=email, name="Filler"), personal_workspace=False).id


def _member(db: Database, owner: Person, pk: int | None, username: str) -> Person:
    if pk is not None:
        _users_until(db, pk)
    person = make_person(db, email=f"{username}@example.com", name=username.replace("_", " ").title())
    assert pk is None or person.user_id == pk
    join(db, owner, person)
    return person


def _bulk(client: httpx.Client, person: Person, project: str, names: list[str]) -> list[str]:
    ids: list[str] = []
    for start in range(0, len(names), 1000):
        body = {"tasks": [{"name": n} for n in names[start : start + 1000]]}
        r = client.post(f"/v1/projects/{project}/tasks/bulk", json=body, headers=person.headers)
        assert r.status_code == 201, r.text
        ids += [t["id"] for t in r.json()["data"]]
    return ids


def make_world(client: httpx.Client, db: Database, base_url: str, text: str = "") -> tuple[Person, dict[str, Any]]:
    """An owner with a workspace, its members named as in the examples, a project with enough tasks
    to page through, and the ids the examples leave to the reader. Where `text` (the example)
    names ids of Polytask's form (EXISTING), the world is made so that they exist and are what
    the example takes them for: other people's rows are made first until the id comes up
    (a fresh database per test; ids are the database's)."""
    named = set(POLYTASK_ID.findall(text))
    assert named <= set(EXISTING), f"an example names {sorted(named - set(EXISTING))}: add it to EXISTING"
    owner = make_person(db, name="Olivia Owner")
    # The rows made to reach an id are someone else's: nothing the examples can see.
    filler = make_person(db, name="Filler")
    r = client.post(f"/v1/workspaces/{filler.workspace}/projects", json={"name": "Filler"}, headers=filler.headers)
    assert r.status_code == 201, r.text
    filler_project = r.json()["data"]["id"]
    if "project_123" in named:
        made = int(filler_project.split("_")[1])
        while made < 122:
            body = {"workspace_id": filler.workspace, "projects": [{"name": "Filler"}] * min(100, 122 - made)}
            r = client.post("/v1/workspaces/bulk/projects", json=body, headers=filler.headers)
            assert r.status_code == 201, r.text
            made = int(r.json()["data"][-1]["id"].split("_")[1])
    if "template_456" in named:
        _template_456(client, db, owner, filler)
    members = {}
    wanted = {"user1": 123, "member": 456, "user2": 789}
    for username in ["user1", "member", "user2", *USERNAMES[2:]]:
        pk = wanted.get(username)
        members[username] = _member(db, owner, pk if f"user_{pk}" in named else None, username)
    h = owner.headers
    r = client.post(f"/v1/workspaces/{owner.workspace}/projects", json={"name": "Website"}, headers=h)
    assert r.status_code == 201, r.text
    project = r.json()["data"]["id"]
    assert "project_123" not in named or project == "project_123"
    tasks = _bulk(client, owner, project, [f"Row {n}" for n in range(TASKS_IN_PROJECT - 1)])
    made = int(tasks[-1].split("_")[1])
    if "task_789" in named and made < 788:
        _bulk(client, filler, filler_project, ["Filler"] * (788 - made))
    tasks += _bulk(client, owner, project, [f"Row {TASKS_IN_PROJECT - 1}"])
    for literal in named & {"task_123", "task_789"}:
        assert literal in tasks, literal
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
        "spareTaskId": tasks[-1],
        "oldAssignedTaskId": tasks[3],
        "userId": members["member"].id,
        "user1Id": members["user1"].id,
        "user2Id": members["user2"].id,
        "userOldId": members["user_old"].id,
        "userNewId": members["user_new"].id,
        "receiver": base_url,
    }
    return owner, context


def _template_456(client: httpx.Client, db: Database, owner: Person, filler: Person) -> None:
    """The filler's templates up to 455 (rows nobody in the examples sees), then the owner's 456th."""
    with db.unit_of_work() as session:
        session.add_all(
            Template(workspace_id=filler.workspace_pk, name="Filler", description="", content={"version": 1})
            for _ in range(455)
        )
    body = {"name": "Onboarding", "content": {"sections": [{"key": "todo", "name": "To do"}]}}
    r = client.post("/v1/templates", json={**body, "workspace_id": owner.workspace}, headers=owner.headers)
    assert r.status_code == 201, r.text
    assert r.json()["data"]["id"] == "template_456"


def ran(example: Example) -> str:
    """What of the example runs: all of it, or its pieces."""
    text = doc_examples()[example.name]
    return "".join(pieces_of(text, example)) if example.pieces else text


def run_example(node_sdk: Node, example: Example, context: dict[str, Any], base_url: str) -> Any:
    """Runs the example in the world `context` describes (made for its text: make_world)."""
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


def test_only_ids_polytask_cannot_have_are_replaced() -> None:
    """An id of Polytask's form in what an example runs is never replaced: the test makes it
    exist (EXISTING). Those replaced (PLACEHOLDERS) are not of that form, and both lists are
    exactly what the examples use and what docs/compat/clients.md lists."""
    used: set[str] = set()
    for example in EXAMPLES:
        text = ran(example)
        used |= {literal for literal in PLACEHOLDERS if re.search(rf"(?<![\w.]){literal}(?!\w)", text)}
        used |= set(POLYTASK_ID.findall(text))
    assert used == set(PLACEHOLDERS) | set(EXISTING)
    assert not any(POLYTASK_ID.fullmatch(literal) for literal in PLACEHOLDERS)
    compat = (ROOT / "docs" / "compat" / "clients.md").read_text()
    listed = re.search(r"<!-- replaced-ids -->\n(.*?)\n\n", compat, re.S)
    assert listed is not None
    assert set(re.findall(r"^- `(\w+)`", listed.group(1), re.M)) == set(PLACEHOLDERS)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_runs(node_sdk: Node, client: httpx.Client, db: Database, base_url: str, example: Example) -> None:
    owner, context = make_world(client, db, base_url, ran(example))
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
    # The example's own ids, as written: the world's project and member.
    assert out == {"name": "New Task", "assignee_id": "user_456", "project_id": "project_123"}
    assert (context["userId"], context["projectId"]) == ("user_456", "project_123")


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
    assert _get(client, owner, "/v1/tasks/task_123")["data"]["attributes"]["status"] == "completed"
    r = client.get("/v1/tasks/task_789", headers=owner.headers)
    assert r.status_code == 404
    assert context["spareTaskId"] == "task_789"


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
    example = next(e for e in EXAMPLES if e.name == "guide-tasks")
    start, stop, _ = next(p for p in example.pieces if p[0] == "// Bulk create tasks")
    [piece] = pieces_of(doc_examples()[example.name], Example(example.name, pieces=((start, stop, ""),)))
    added = "const newTasks = await api.post('/tasks/bulk', {\n  project_id: 'project_123',\n"
    text = piece.replace("const newTasks = await api.post('/tasks/bulk', {\n", added)
    assert text != piece
    owner, context = make_world(client, db, base_url, text)
    then = "out = newTasks.map((t) => [t.name, t.project_id, t.assignee_id]);"
    script = script_for(Example("guide-tasks-with-project", then=then), text, context)
    env = {"SDK_EXAMPLE_CONTEXT": json.dumps(context), "TASKADE_API_BASE_URL": f"{base_url}/v1"}
    out = node_sdk.result(script, env=env, name="guide-tasks-with-project.mjs")
    users = ["user_123", "user_456", "user_789"]
    names = ["Design mockups", "Write documentation", "Code review"]
    assert out == [[n, "project_123", u] for n, u in zip(names, users, strict=True)]
    for created in out:
        r = client.get(
            f"/v1/projects/{context['projectId']}/tasks", params={"search": created[0]}, headers=owner.headers
        )
        assert [t["attributes"]["name"] for t in r.json()["data"]] == [created[0]]
