"""The Python lines of both Taskade documents, run unchanged against the live server.

The blocks come from docs/clients/python.md (those marked `spec-example`), which must hold
the documents' text verbatim (SPEC_SNIPPETS, copied from ../shared/specs). Only the key
('your_api_key') is replaced; the base URL comes from TASKADE_API_BASE_URL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from polytask_client import Resource, TaskadeAPI
from tests.clients.python.conftest import SpecPeople
from tests.factories.people import Person

DOC = Path(__file__).resolve().parents[3] / "docs" / "clients" / "python.md"
BLOCK = re.compile(r"<!-- spec-example: (\S+) -->\n```python\n(.*?)```", re.S)
RUNNABLE = re.compile(r"<!-- runnable-example -->\n```python\n(.*?)```", re.S)

# Verbatim from taskade-developer-api.md, "SDKs and Libraries" > "Python SDK".
DEVELOPER_API = """from taskade_api import TaskadeAPI

api = TaskadeAPI(api_key='your_api_key')

# Create project with tasks
project = api.projects.create(
    workspace_id='workspace_123',
    name='New Project',
    tasks=[
        {'name': 'Task 1', 'assignee_id': 'user_1'},
        {'name': 'Task 2', 'assignee_id': 'user_2'}
    ]
)
"""

# Verbatim from taskade-api-guide.md, "Official SDKs" (the Python lines of the mixed block).
GUIDE = """from taskade import TaskadeAPI

api = TaskadeAPI(api_key='your_api_key')
"""

SPEC_SNIPPETS = {"taskade-developer-api.md": DEVELOPER_API, "taskade-api-guide.md": GUIDE}


def doc_examples() -> dict[str, str]:
    return dict(BLOCK.findall(DOC.read_text()))


def run(code: str, key: str) -> dict[str, Any]:
    assert code.count("'your_api_key'") == 1
    scope: dict[str, Any] = {}
    exec(compile(code.replace("'your_api_key'", repr(key)), "<spec example>", "exec"), scope)
    return scope


def test_the_docs_carry_every_spec_example_verbatim() -> None:
    assert doc_examples() == SPEC_SNIPPETS


def test_developer_api_example_creates_the_project_with_its_tasks(
    base_url: str, spec_people: SpecPeople, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKADE_API_BASE_URL", f"{base_url}/v1")
    scope = run(doc_examples()["taskade-developer-api.md"], spec_people.owner.key)

    project = scope["project"]
    assert isinstance(project, Resource)
    assert project.type == "project"
    assert project.name == "New Project"
    assert project.workspace_id == "workspace_123"
    assert scope["api"].base_url == f"{base_url}/v1"
    # What the server holds, read without the client.
    headers = spec_people.owner.headers
    tasks = client.get(f"/v1/projects/{project.id}/tasks", params={"include": "assignees"}, headers=headers).json()
    assert [t["attributes"]["name"] for t in tasks["data"]] == ["Task 1", "Task 2"]
    assignees = [[a["id"] for a in t["relationships"]["assignees"]["data"]] for t in tasks["data"]]
    assert assignees == [["user_1"], ["user_2"]]


def test_guide_example_makes_a_working_client(
    base_url: str, spec_people: SpecPeople, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TASKADE_API_BASE_URL", f"{base_url}/v1")
    scope = run(doc_examples()["taskade-api-guide.md"], spec_people.owner.key)
    api = scope["api"]
    assert isinstance(api, TaskadeAPI)
    assert api.users.me().id == "user_1"
    assert "workspace_123" in [w.id for w in api.workspaces.list()]


def test_the_docs_own_examples_run(base_url: str, alice: Person, client: httpx.Client) -> None:
    """The usage examples of docs/clients/python.md marked `runnable-example`, in order, in
    one namespace (`key` given; the server's URL in place of the doc's)."""
    blocks = RUNNABLE.findall(DOC.read_text())
    assert len(blocks) == 2
    assert alice.workspace == "workspace_1"
    scope: dict[str, Any] = {"key": alice.key}
    for code in blocks:
        exec(compile(code.replace("http://127.0.0.1:8000", base_url), "<doc example>", "exec"), scope)
    project = scope["project"]
    tasks = client.get(f"/v1/projects/{project.id}/tasks", headers=alice.headers).json()["data"]
    assert [(t["attributes"]["name"], t["attributes"]["status"]) for t in tasks] == [("Write the post", "completed")]
    comments = client.get(f"/v1/tasks/{tasks[0]['id']}/comments", headers=alice.headers).json()["data"]
    assert [c["attributes"]["body"] for c in comments] == ["Draft is in the doc"]
