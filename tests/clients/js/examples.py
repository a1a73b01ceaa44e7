"""The documents' JavaScript SDK examples as docs/clients/javascript.md shows them, and how the
tests run each one.

An example runs as an ES module in a project where `@taskade/sdk` is installed. Before it
come the SDK import (unless the example imports it itself), `api` (unless the example makes
its own), the ids the examples leave to the reader (`workspaceId`, `projectId`, `taskId`,
`userId`, `prerequisiteTaskId`), and stand-ins for the other programs they talk to (an
Express `app`, `salesforce`, `cache`, ...) and for the helpers they call without defining.
The example's text itself is unchanged except for the base URL, the key and the literal
ids that cannot be Polytask's (PLACEHOLDERS: `proj_123`, `ws_123`, `user_old`, ...), which
become real ones. Literal ids of Polytask's own form (`project_123`, `user_456`,
`task_789`: EXISTING) stay as written: the test makes rows until those ids exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "clients" / "javascript.md"
# The Taskade documents, beside the repository as in the rest of the suite (spec_examples.json).
SPECS = ROOT.parent / "shared" / "specs"
MARKER = re.compile(r"<!-- sdk-example: ([a-z-]+) -->\n```javascript\n(.*?)```", re.S)
# The page's own snippets that run as they are (the stream and Express ones do not: one waits
# forever, the other needs Express; tests/clients/js/test_lists_and_stream.py and
# test_webhook_verifier.py cover what they show).
SNIPPET = re.compile(r"<!-- sdk-snippet: ([a-z-]+) -->\n```javascript\n(.*?)```", re.S)

# Literal ids in the examples that are not of Polytask's form (`<kind>_<number>` with the
# kind spelled out), and the context value each one becomes. docs/compat/native.md ("Client
# libraries") lists them.
PLACEHOLDERS = {
    "proj_123": "projectId",
    "proj_456": "projectId",
    "ws_123": "workspaceId",
    "user_old": "userOldId",
    "user_new": "userNewId",
}
# Literal ids of Polytask's form the examples run with as written, and what each one is in the
# world the test builds (tests/clients/js/test_examples.py, make_world).
EXISTING = {
    "project_123": "the project the examples work in (`projectId`)",
    "user_123": "a member, username user1",
    "user_456": "a member (`userId`)",
    "user_789": "a member, username user2",
    "task_123": "a task of that project",
    "task_789": "another task of that project (the batch example deletes it)",
    "template_456": "a template of the key owner's workspace (the guide's project from a template)",
}
POLYTASK_ID = re.compile(r"(?<![\w.])(?:project|user|task|workspace|section|comment|webhook|template)_\d+(?!\w)")
# The receivers' URLs: a host the server can resolve (loopback; POLYTASK_WEBHOOK_ALLOW_PRIVATE).
RECEIVER_HOST = "https://your-app.com"


@dataclass(frozen=True)
class Example:
    name: str
    # Pieces run each in a block of its own (the example declares a name twice, mixes code with
    # a sample that is not code, or has a call the server refuses): (first line, first line
    # after the piece or None, the error code the server answers, or "" when it succeeds).
    pieces: tuple[tuple[str, str | None, str], ...] = ()
    # What is not run, and why (required when pieces leave something out).
    left_out: str = ""
    # Our code after the example: calls the functions and classes it defines. It sets `out`.
    then: str = ""


EXAMPLES = [
    Example("dev-workspaces", then="out = { created: workspace.name, listed: workspaces.length };"),
    Example(
        "dev-projects",
        pieces=(("// Create project", "// Get project with tasks", ""), ("// Get project with tasks", None, "")),
        left_out="nothing; it declares `project` twice, so each part runs in a block of its own",
    ),
    Example("dev-tasks", then="out = { task: task.name, bulk: tasks.length };"),
    Example("dev-users", then="out = { users: users.length };"),
    Example(
        "dev-webhooks",
        pieces=(("// Register webhook", "// Webhook payload example", ""),),
        left_out="the payload sample after the call (a JSON object, not code; docs/webhooks.md shows the real one)",
    ),
    Example(
        "dev-bulk",
        then="""
out = { projects: [] };
for (const p of projects) out.projects.push([p.name, (await api.tasks.listForProject(p.id)).length]);
""",
    ),
    Example("dev-custom-fields", then="out = { field: customField.name, tasks: tasks.length };"),
    Example(
        "dev-crm",
        then="""
const task = await api.get(`/v1/tasks/${taskId}`);
await syncToSalesforce(task);
const after = await api.get(`/v1/tasks/${taskId}`);
out = { salesforce_id: after.custom_fields.salesforce_id };
""",
    ),
    Example("dev-dashboard", then="out = await buildDashboard();"),
    Example(
        "dev-optimization",
        pieces=(("// Use field selection", "// Use webhooks instead of polling", ""),),
        left_out="the closing 'Instead of: setInterval(...)' lines, the polling the document advises against",
        then="out = { all: (await getAllTasks(projectId)).length };",
    ),
    Example("dev-sdk", then="out = { name: task.name, assignee_id: task.assignee_id, project_id: task.project_id };"),
    Example("guide-workspaces", then="out = { listed: workspaces.length, created: newWorkspace.name };"),
    Example("guide-projects", then="out = { listed: projects.length, created: project.name };"),
    Example(
        "guide-tasks",
        pieces=(
            ("// Get tasks with advanced filtering", "// Bulk create tasks", ""),
            ("// Bulk create tasks", "// Update task with custom fields", "VALIDATION_ERROR"),
            ("// Update task with custom fields", None, ""),
        ),
        left_out="nothing; its bulk create names no project, which the flat /v1/tasks/bulk needs per task "
        "(docs/compat/native.md, Bulk task creation): the server answers 422 naming tasks[0].project_id",
        then="out = { refused };",
    ),
    Example("guide-webhooks", then="out = { webhook: webhook.url, routes: app.routes };"),
    Example("guide-batch", then="out = { results: batchUpdate.map((r) => r.status), meta: batchUpdate.meta };"),
    Example("guide-filtering", then="out = { found: filteredTasks.map((t) => t.name) };"),
    Example(
        "guide-customer-dashboard",
        then="""
const dashboard = new CustomerDashboard(process.env.TASKADE_API_KEY);
const ticket = await dashboard.createSupportTicket('cust_42', {
  title: 'Login fails', description: 'Cannot log in since Monday', priority: 'high', category: 'auth',
});
await dashboard.updateCustomerStatus(ticket.id, 'waiting');
const projects = await dashboard.getCustomerProjects('cust_42');
out = { ticket: ticket.name, found: projects.map((p) => [p.name, p.custom_fields.status]) };
""",
    ),
    Example(
        "guide-reporting",
        then="""
// The methods the guide leaves out.
ReportingSystem.prototype.scheduleDailyReports = function () {};
ReportingSystem.prototype.groupByProject = function (tasks) { return {}; };
ReportingSystem.prototype.calculateProductivity = function (tasks) { return tasks.length; };
ReportingSystem.prototype.sendReportEmail = async function (report) { sent.push(report); };
const sent = [];
await api.put(`/v1/tasks/${taskId}`, { status: 'completed', assignee: 'user1' });
await new ReportingSystem(process.env.TASKADE_API_KEY).generateDailyReport();
out = { by_assignee: sent[0].by_assignee, total: sent[0].total_completed };
""",
    ),
    Example("guide-error-handling", then="out = { refreshed: calls.refreshToken };"),
    Example(
        "guide-rate-limited",
        then="""
const limited = new RateLimitedAPI(process.env.TASKADE_API_KEY);
out = { listed: (await limited.request('GET', '/projects')).length };
""",
    ),
    Example(
        "guide-resilient",
        then="""
const resilient = new ResilientAPI();
resilient.api = api;
const listed = await resilient.requestWithRetry('GET', '/projects');
let status;
try {
  await resilient.requestWithRetry('GET', '/projects/project_999999');
} catch (error) {
  status = error.status;
}
out = { listed: listed.length, missing: status };
""",
    ),
    Example("guide-sdk", then="out = { me: (await api.users.me()).id };"),
]


def doc_examples() -> dict[str, str]:
    """name -> text of each example in docs/clients/javascript.md."""
    return {m.group(1): m.group(2) for m in MARKER.finditer(DOC.read_text())}


def doc_snippets() -> dict[str, str]:
    return {m.group(1): m.group(2) for m in SNIPPET.finditer(DOC.read_text())}


def spec_sdk_fences() -> list[tuple[str, int, str]]:
    """(document, line, text) of every JavaScript fence of the two documents that calls the SDK:
    constructs TaskadeAPI or calls `api.<verb>(` / `api.<namespace>.<method>(` (`this.api` too).
    The debugging example's `api` is axios (`api.interceptors.request.use`): not matched."""
    found = []
    call = re.compile(r"TaskadeAPI|(?<!\w)api\.(get|post|put|patch|delete|request)\(|(?<!\w)api\.\w+\.\w+\(")
    for doc in ("taskade-developer-api.md", "taskade-api-guide.md"):
        text = (SPECS / doc).read_text()
        for m in re.finditer(r"```javascript\n(.*?)```", text, re.S):
            if call.search(m.group(1)):
                found.append((doc, text[: m.start()].count("\n") + 1, m.group(1)))
    return found


def declares(text: str, name: str) -> bool:
    return re.search(rf"^(?:const|let|var|function|class|async function)\s+{name}\b", text, re.M) is not None


def pieces_of(text: str, example: Example) -> list[str]:
    lines = text.splitlines(keepends=True)
    out = []
    for start, stop, _ in example.pieces:
        first = next(i for i, line in enumerate(lines) if line.startswith(start))
        last = len(lines) if stop is None else next(i for i, line in enumerate(lines) if line.startswith(stop))
        out.append("".join(lines[first:last]))
    return out
