"""One list pipeline: every page of every list comes from core/query/listing.py `run_list`.

A list is a `ListSpec` (fields, id column, default sort, search, loader) and one call; a
module that counts, orders and pages by hand is a copy of the pipeline, and this fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "polytask"
PIPELINE = SRC / "core" / "query" / "listing.py"

# The pipeline's own steps: nothing else may define or call them.
PIPELINE_STEPS = frozenset({"fetch_page", "count_of", "after_row"})

# Modules that still page by hand, each with the reason; the list only shrinks. (The read
# lane's prebuilt page was the last; task pages now run on the pipeline as records.)
EXEMPT: dict[Path, str] = {}


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def hand_paging(source: str, filename: str = "<source>") -> list[str]:
    """What in `source` builds a page outside the pipeline, as `line: what` strings."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        if name in PIPELINE_STEPS:
            found.append(f"{node.lineno}: calls {name}()")
        elif name == "PageResult":
            found.append(f"{node.lineno}: builds a PageResult")
        elif isinstance(node.func, ast.Attribute) and name == "offset":
            found.append(f"{node.lineno}: calls .offset()")
        elif (
            isinstance(node.func, ast.Attribute)
            and name == "limit"
            and any(isinstance(a, ast.Attribute) and a.attr == "limit" for a in node.args)
        ):
            found.append(f"{node.lineno}: calls .limit(<page>.limit)")
    return found


def _domain_modules() -> list[Path]:
    return sorted((SRC / "domain").rglob("*.py"))


@pytest.mark.parametrize("path", _domain_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_lists_run_on_the_pipeline(path: Path) -> None:
    if path in EXEMPT:
        return
    found = hand_paging(path.read_text(), str(path))
    assert not found, (
        f"{path.relative_to(SRC)} pages by hand ({'; '.join(found)}): declare a ListSpec and call run_list "
        "(docs/ARCHITECTURE.md, 'Adding a list')"
    )


@pytest.mark.parametrize(
    "path", [p for p in sorted(SRC.rglob("*.py")) if p != PIPELINE], ids=lambda p: str(p.relative_to(SRC))
)
def test_only_the_pipeline_runs_its_steps(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    defined = [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name in PIPELINE_STEPS]
    called = [
        f"{n.lineno}: {_called_name(n)}()"
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and _called_name(n) in PIPELINE_STEPS
    ]
    assert not defined, f"{path.relative_to(SRC)} defines {defined}"
    assert not called, f"{path.relative_to(SRC)} calls {called}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("total = session.scalar(count_of(stmt))", ["1: calls count_of()"]),
        ("items, nxt = fetch_page(session, stmt, page, terms, Task.id)", ["1: calls fetch_page()"]),
        ("rows = session.scalars(stmt.order_by(X.id).limit(page.limit).offset(page.offset))", None),
        ("return PageResult(items, total, page)", ["1: builds a PageResult"]),
        ("return run_list(session, SPEC, actor=actor, base=base, page=page)", []),
        ("ids = select(Event.id).where(old).order_by(Event.id).limit(limit)", []),
    ],
)
def test_the_check_sees_hand_paging(source: str, expected: list[str] | None) -> None:
    """The scan flags each way of paging by hand, and not a batch read with a plain limit."""
    found = hand_paging(source)
    if expected is None:
        assert sorted(found) == ["1: calls .limit(<page>.limit)", "1: calls .offset()"]
    else:
        assert found == expected


def test_the_rule_sees_the_lists() -> None:
    """Guard against the rules passing on a moved tree: the domain's lists call run_list."""
    calls = [
        path
        for path in _domain_modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and _called_name(node) == "run_list"
    ]
    assert len(calls) >= 12


# --- every /v1 list route takes paging ----------------------------------------------------------

V1 = SRC / "api" / "v1"
# What parses a list's paging (api/v1/params.py); a handler calls one, itself or through a
# helper of its module.
PAGING_PARSERS = frozenset({"page_request", "list_query", "whole_list_query"})


def _list_routes(tree: ast.Module) -> list[ast.FunctionDef]:
    """Handlers of `@router.get(..., response_model=<X>ListDocument)`."""
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "get"):
                continue
            model = next((k.value for k in deco.keywords if k.arg == "response_model"), None)
            if isinstance(model, ast.Name) and model.id.endswith("ListDocument"):
                found.append(node)
    return found


def unpaged_list_routes(source: str) -> list[str]:
    """The list handlers in `source` that never reach a paging parser."""
    tree = ast.parse(source)
    calls = {
        node.name: {_called_name(c) for c in ast.walk(node) if isinstance(c, ast.Call)}
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }

    def pages(name: str, seen: frozenset[str] = frozenset()) -> bool:
        called = calls.get(name, set())
        return bool(called & PAGING_PARSERS) or any(
            pages(c, seen | {name}) for c in called if c in calls and c not in seen
        )

    return [node.name for node in _list_routes(tree) if not pages(node.name)]


@pytest.mark.parametrize("path", sorted(V1.glob("*.py")), ids=lambda p: p.name)
def test_every_v1_list_route_is_paged(path: Path) -> None:
    """DESIGN.md: lists are paginated. A list route that returns everything at once fails."""
    unpaged = unpaged_list_routes(path.read_text())
    assert not unpaged, f"{path.name}: list routes without paging (parse it with params.list_query): {unpaged}"


def test_the_route_check_sees_an_unpaged_list() -> None:
    source = """
@router.get("/things", response_model=ThingListDocument)
def list_things(request):
    return everything()

@router.get("/others", response_model=OtherListDocument)
def list_others(request):
    return _list(request)

def _list(request):
    return page_request(request.query_params, default=20, maximum=100)
"""
    assert unpaged_list_routes(source) == ["list_things"]


def test_the_route_check_sees_the_lists() -> None:
    """Guard against the rule passing on a moved tree: the /v1 list routes are found."""
    routes = [n.name for path in V1.glob("*.py") for n in _list_routes(ast.parse(path.read_text()))]
    assert len(routes) >= 19, routes


def undeclared_list_routes(source: str) -> list[str]:
    """The list handlers in `source` whose route declares no query parameters (`openapi_extra`)."""
    missing = []
    for node in _list_routes(ast.parse(source)):
        gets = [
            d
            for d in node.decorator_list
            if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "get"
        ]
        if any(not any(k.arg == "openapi_extra" for k in d.keywords) for d in gets):
            missing.append(node.name)
    return missing


@pytest.mark.parametrize("path", sorted(V1.glob("*.py")), ids=lambda p: p.name)
def test_every_v1_list_route_declares_its_parameters(path: Path) -> None:
    """A list's paging, sort and filters are in /openapi.json (params.list_parameters);
    tests/api/v1/test_list_parameters.py checks over HTTP that they are the handler's."""
    missing = undeclared_list_routes(path.read_text())
    assert not missing, f"{path.name}: list routes without openapi_extra=list_parameters(...): {missing}"


def test_the_declaration_check_sees_an_undeclared_list() -> None:
    source = """
@router.get("/things", response_model=ThingListDocument)
def list_things(request):
    return page_request(request.query_params, default=20, maximum=100)

@router.get("/others", response_model=OtherListDocument, openapi_extra=list_parameters())
def list_others(request):
    return page_request(request.query_params, default=20, maximum=100)
"""
    assert undeclared_list_routes(source) == ["list_things"]
