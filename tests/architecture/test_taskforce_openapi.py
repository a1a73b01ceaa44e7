"""The Taskforce OpenAPI document cannot miss an operation, nor say other than what handlers read.

- every route of the surface's router (each suffix) has its `.json` form in the document,
  and a route registered without route()/public_route() stops the build;
- the parameters declared on each route are exactly those its handler reads from
  `call.params` (directly, through `.model(...)`, or through a helper of the surface such
  as `parse_date`), and a parameter the handler requires is declared required.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import iter_route_contexts

from polytask.api.taskforce.contract import Operation
from polytask.api.taskforce.openapi import UndocumentedRoute, build_document, operations
from polytask.api.taskforce.router import router

# How a handler reads a parameter -> the kinds of declared parameter that may match it.
READERS = {"text": {"text"}, "required": {"text", "date"}, "integer": {"id"}, "ids": {"ids"}}
REQUIRING = {"required", "integer", "ids"}
OPERATIONS = operations(router)


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def test_the_spec_operations_are_all_there() -> None:
    assert len(OPERATIONS) == 28


def test_every_route_is_in_the_document() -> None:
    document = build_document(router)
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    routes = list(iter_route_contexts(router.routes))
    assert len(routes) == 3 * 28
    for route in routes:
        assert route.path is not None
        json_form = _template(route.path).removesuffix(".xml").removesuffix(".json") + ".json"
        for method in route.methods or ():
            assert (method, json_form) in documented, f"{method} {route.path} is not in the document"


def test_a_route_registered_another_way_stops_the_build() -> None:
    other = APIRouter(prefix="/api/v1")
    other.include_router(router)
    other.add_api_route("/tasks/archive.json", lambda: None, methods=["POST"], include_in_schema=False)
    with pytest.raises(UndocumentedRoute, match=r"/api/v1/tasks/archive\.json"):
        build_document(other)


def _is_params(node: ast.expr) -> bool:
    """`call.params` or a local named `params`."""
    return (isinstance(node, ast.Attribute) and node.attr == "params") or (
        isinstance(node, ast.Name) and node.id == "params"
    )


def _reads(function: Callable[..., Any], seen: set[str] | None = None) -> list[tuple[str, str]]:
    """(reader, parameter name) for each read of the request's parameters in `function`."""
    seen = seen if seen is not None else set()
    seen.add(function.__qualname__)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    body = tree.body[0]
    assert isinstance(body, ast.FunctionDef)
    namespace = function.__globals__
    found: list[tuple[str, str]] = []
    for node in (n for stmt in body.body for n in ast.walk(stmt)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and _is_params(func.value):
            if func.attr == "model":
                mapping = node.args[1]
                if isinstance(mapping, ast.Name):
                    names = list(namespace[mapping.id])
                else:
                    assert isinstance(mapping, ast.Dict), ast.unparse(node)
                    names = [ast.literal_eval(key) for key in mapping.keys if key is not None]
                found.extend(("text", name) for name in names)
            elif func.attr in READERS:
                first = node.args[0]
                assert isinstance(first, ast.Constant), ast.unparse(node)
                assert isinstance(first.value, str), ast.unparse(node)
                found.append((func.attr, first.value))
            else:
                raise AssertionError(f"{function.__name__}: unknown parameter reader {ast.unparse(node)}")
        elif isinstance(func, ast.Name) and any(_is_params(arg) for arg in node.args):
            helper = namespace.get(func.id)
            if inspect.isfunction(helper) and helper.__qualname__ not in seen:
                found.extend(_reads(helper, seen))
    return found


@pytest.mark.parametrize("operation", [op for _path, op in OPERATIONS], ids=[path for path, _op in OPERATIONS])
def test_declared_parameters_are_the_ones_read(operation: Operation) -> None:
    reads = _reads(operation.handler)
    declared = {param.name: param for param in operation.params}
    read_names = {name for _reader, name in reads}
    assert read_names == set(declared), f"reads {sorted(read_names)}, declares {sorted(declared)}"
    for reader, name in reads:
        param = declared[name]
        assert param.kind in READERS[reader], f"{name}: read with {reader}(), declared as {param.kind}"
        if reader in REQUIRING:
            assert param.required, f"{name} is required by the handler ({reader}()) but declared optional"
    for name in operation.one_of:
        assert name in declared
        assert not declared[name].required
