"""Every endpoint of taskip-api-reference.txt's work-management groups is routed on the TaskIP
surface, nothing else is (but the EXTENSIONS named with their reason), and the surface only
translates (no models, SQL or events). The endpoint table is the document's, group by group;
the business groups (CRM, sales, billing, support, meetings, inbox) come with their issues."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts

from polytask.api.taskip.paths import PREFIX
from polytask.api.taskip.router import router

SURFACE = Path(__file__).resolve().parents[2] / "src" / "polytask" / "api" / "taskip"

BUILT: dict[str, tuple[str, ...]] = {
    "Project Management": (
        "GET /project",
        "POST /project",
        "GET /project/{id}",
        "PUT /project/{id}",
        "DELETE /project/{id}",
        "POST /project/dashboard/activity",
        "POST /project/{uuid}/activity",
        "POST /project/all-tasks/list",
        "POST /project/{uuid}/change-priority",
        "POST /project/{uuid}/change-status",
        "POST /project/{uuid}/change-category",
    ),
    "Task Management": (
        "GET /project/{uuid}/task",
        "POST /project/{uuid}/task",
        "GET /project/{uuid}/task/{id}",
        "PUT /project/{uuid}/task/{id}",
        "DELETE /project/{uuid}/task/{id}",
        "POST /project/{uuid}/task/change-order",
        "POST /project/{uuid}/task/{id}/change-container",
        "POST /project/{uuid}/task/{id}/change-priority",
        "POST /project/{uuid}/task/{id}/mark-as-complete",
    ),
    "Task Labels & Assignees": (
        "POST /project/{uuid}/task/{id}/label",
        "DELETE /project/{uuid}/task/{id}/label",
        "POST /project/{uuid}/task/{id}/assignee",
        "DELETE /project/{uuid}/task/{id}/assignee",
    ),
    "Container Management": (
        "POST /project/{uuid}/container",
        "PUT /project/{uuid}/container/{id}/rename",
        "POST /project/{uuid}/container/{id}/change-color",
        "POST /project/{uuid}/container/change-order",
        "DELETE /project/{uuid}/container/{id}/delete",
        "POST /project/{uuid}/container/{id}/move-all-tasks",
    ),
    "Project Attributes": (
        "GET /project/attribute/all",
        "POST /project/attribute",
        "PUT /project/attribute/{id}/update",
        "DELETE /project/attribute/{id}/delete",
        "POST /project/attribute/tags/update",
        "POST /project/attribute/categories/update",
    ),
    "Task Files Management": (
        "GET /project/{uuid}/task/files",
        "GET /project/{uuid}/task/{id}/files",
        "POST /project/{uuid}/task/{id}/files",
        "DELETE /project/{uuid}/task/{id}/files",
        "GET /project/{uuid}/files",
    ),
    "Discussion Management": (
        "GET /project/{uuid}/discussion",
        "POST /project/{uuid}/discussion",
        "GET /project/{uuid}/discussion/files",
    ),
    "Document Management": (
        "GET /document",
        "POST /document",
        "GET /document/{id}",
        "PUT /document/{id}",
        "DELETE /document/{id}",
        "GET /document/{id}/download",
    ),
}

# Routes the document does not list, each with its reason (docs/compat/taskip.md).
EXTENSIONS = (
    # The document lists task, project and discussion files but names no way to fetch one.
    "GET /project/{uuid}/files/{id}/download",
)


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _routed() -> set[tuple[str, str]]:
    routed: set[tuple[str, str]] = set()
    for route in iter_route_contexts(router.routes):
        assert route.path is not None
        for method in route.methods or ():
            routed.add((method, _shape(route.path)))
    return routed


def _endpoints(groups: dict[str, tuple[str, ...]]) -> list[tuple[str, str, str]]:
    return [(group, *line.split(" ", 1)) for group, lines in groups.items() for line in lines]


@pytest.mark.parametrize(("group", "method", "path"), _endpoints(BUILT), ids=lambda v: str(v))
def test_every_endpoint_of_the_built_groups_is_routed(group: str, method: str, path: str) -> None:
    assert (method, _shape(PREFIX + path)) in _routed(), f"{group}: {method} {path} is not routed"


def test_the_surface_routes_nothing_the_document_does_not_list() -> None:
    listed = {(m, _shape(PREFIX + p)) for _, m, p in _endpoints(BUILT)}
    extra = _routed() - listed - {(m, _shape(PREFIX + p)) for m, p in (e.split(" ", 1) for e in EXTENSIONS)}
    assert not extra, f"routes not in taskip-api-reference.txt (add them to EXTENSIONS with a reason): {sorted(extra)}"


@pytest.mark.parametrize("path", sorted(SURFACE.rglob("*.py")), ids=lambda p: p.name)
def test_no_models_sql_or_events(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    bad = {
        name
        for name in imported
        if name.startswith(("polytask.models", "polytask.domain.events", "polytask.core.db"))
        or (name.startswith("sqlalchemy") and name != "sqlalchemy.orm")
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"
