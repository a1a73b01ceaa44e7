"""The response check the test client runs (tests/openapi_check.py) can fail: fed documents
with an attribute too many, one missing or of the wrong type, or not the fields asked for,
it refuses them; the renderers' own output passes."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from polytask.api.app import create_app
from polytask.api.v1 import resources
from polytask.core.jsontext import dumps
from polytask.core.settings import Settings
from tests.architecture.test_outputs import _task
from tests.openapi_check import OpenAPIChecker, sparse_fields

TASK_URL = "/v1/tasks/task_42"
LIST_URL = "/v1/projects/project_2/tasks"


@cache
def _checker() -> OpenAPIChecker:
    app = create_app(Settings(home=Path(tempfile.mkdtemp(prefix="polytask-arch-"))))
    return OpenAPIChecker(app.openapi())


def _check(path: str, payload: Any, query: str = "") -> None:
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    _checker().check("GET", path, 200, payload, {}, sparse=sparse_fields(pairs))


def _one(**changes: Any) -> dict[str, Any]:
    # As a client reads it: the renderer leaves timestamps datetimes for the encoder to write.
    res = json.loads(dumps(resources.task(_task())))
    attributes = {**res["attributes"], **changes}
    return {"data": {**res, "attributes": {k: v for k, v in attributes.items() if v is not _GONE}}}


_GONE = object()


def test_a_rendered_task_passes() -> None:
    _check(TASK_URL, _one())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "Additional properties are not allowed"),
        ({"name": _GONE}, "'name' is a required property"),
        ({"progress": "most"}, "is not of type 'integer'"),
        ({"labels": None}, "None is not of type 'array'"),
    ],
)
def test_an_extra_missing_or_mistyped_attribute_fails(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        _check(TASK_URL, _one(**changes))


def test_an_extra_member_of_the_resource_or_document_fails() -> None:
    doc = _one()
    with pytest.raises(AssertionError, match="Additional properties"):
        _check(TASK_URL, {**doc, "data": {**doc["data"], "meta": {}}})
    with pytest.raises(AssertionError, match="Additional properties"):
        _check(TASK_URL, {**doc, "extra": 1})


def _sparse(names: set[str]) -> dict[str, Any]:
    res = resources.task(_task())
    kept = {**res, "attributes": {k: v for k, v in res["attributes"].items() if k in names}}
    kept["relationships"] = {k: v for k, v in res["relationships"].items() if k in names}
    if not kept["relationships"]:
        del kept["relationships"]
    return {"data": kept}


@pytest.mark.parametrize("query", ["fields=name,project", "fields[task]=name,project"])
def test_sparse_fieldsets_are_held_to_exactly_the_fields_asked_for(query: str) -> None:
    _check(TASK_URL, _sparse({"name", "project"}), query)
    with pytest.raises(AssertionError, match="Additional properties"):
        _check(TASK_URL, _sparse({"name", "status", "project"}), query)
    with pytest.raises(AssertionError, match="'name' is a required property"):
        _check(TASK_URL, _sparse({"project"}), query)
    # A relationship asked for must be there.
    with pytest.raises(AssertionError, match="'relationships' is a required property"):
        _check(TASK_URL, _sparse({"name"}), query)
    # Without `fields`, the same sparse document is incomplete.
    with pytest.raises(AssertionError, match="required property"):
        _check(TASK_URL, _sparse({"name", "project"}))


def _page(*data: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": list(data),
        "meta": {"total": len(data), "limit": 50, "offset": 0, "page": 1, "per_page": 50},
        "links": {"self": LIST_URL, "first": LIST_URL, "prev": None, "next": None, "last": LIST_URL},
    }


def test_a_saved_views_fieldsets_are_read_from_the_first_object_and_held_to() -> None:
    short = _sparse({"name"})["data"]
    _check(LIST_URL, _page(short, short), "view=view_6")
    with pytest.raises(AssertionError, match="'relationships' is a required property"):
        _check(LIST_URL, _page(short, short), "view=view_6&fields=name,project")
    with pytest.raises(AssertionError, match="required property"):
        _check(LIST_URL, _page(short, short))
    # Every task of the page has the same fields...
    with pytest.raises(AssertionError, match="Additional properties"):
        _check(LIST_URL, _page(short, _sparse({"name", "status"})["data"]), "view=view_6")
    # ...and none that is not declared.
    odd = {**short, "attributes": {**short["attributes"], "colour": "red"}}
    with pytest.raises(AssertionError, match="Additional properties"):
        _check(LIST_URL, _page(odd, odd), "view=view_6")
