"""Surfaces are declared, not guessed: every surface has one declaration (api/surfaces.py),
every route belongs to exactly one surface or to the short list of system paths, and no
module outside the declarations tests a URL prefix; core/ knows no URL at all."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts

from polytask.api.app import create_app
from polytask.api.surfaces import SURFACES, surface_for
from polytask.core.settings import Settings

SRC = Path(__file__).resolve().parents[2] / "src" / "polytask"
# Paths that belong to the server, not to a published API.
SYSTEM = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc", "/.well-known/")
# Where prefixes may be written: the declarations themselves.
DECLARATIONS = {"api/surfaces.py", "api/kernel/surface.py", "api/taskflow/paths.py"}
# Literal paths that are endpoints, not surface tests; each with its reason.
ENDPOINT_LITERALS = {
    # /v1/batch is an endpoint whose operations answer for their own numbers.
    "api/inputguard.py",
    # /v1/batch re-dispatches its operations under /v1 (it accepts /v1/... and /... paths).
    "api/v1/batch.py",
}
PREFIXES = tuple(s.prefix for s in SURFACES)


def test_names_and_prefixes_are_unique_and_longer_prefixes_come_first() -> None:
    assert len({s.name for s in SURFACES}) == len(SURFACES)
    assert len(set(PREFIXES)) == len(SURFACES)
    for i, outer in enumerate(SURFACES):
        for inner in SURFACES[i + 1 :]:
            assert not inner.prefix.startswith(outer.prefix + "/"), f"{inner.name} is hidden behind {outer.name}"


def test_every_route_belongs_to_one_surface_or_to_the_system() -> None:
    app = create_app(Settings(home=Path(tempfile.mkdtemp(prefix="polytask-arch-"))))
    for route in iter_route_contexts(app.routes):
        path = route.path
        if path.startswith(SYSTEM):
            continue
        surface = surface_for(path)
        assert surface is not None, f"{path} belongs to no surface: declare it in api/surfaces.py"
        assert sum(s.owns(path) and s.prefix == surface.prefix for s in SURFACES) == 1


def _modules(folder: str) -> list[Path]:
    return sorted(p for p in (SRC / folder).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _prefix_literals(path: Path) -> list[tuple[int, str]]:
    """String constants that are a surface prefix or a path under one."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if any(text == p or text.startswith((p + "/", p + ".")) for p in PREFIXES):
                found.append((node.lineno, text))
    return found


def _prefix_tests(path: Path) -> list[tuple[int, str]]:
    """`.startswith(<prefix literal>)` and comparisons with one: guessing a surface from a URL."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        consts: list[ast.expr] = []
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith":
            consts = [a for arg in node.args for a in (arg.elts if isinstance(arg, ast.Tuple) else [arg])]
        elif isinstance(node, ast.Compare):
            consts = [node.left, *node.comparators]
        for const in consts:
            if isinstance(const, ast.Constant) and isinstance(const.value, str):
                text = const.value
                if any(text == p or text.startswith((p + "/", p + ".")) for p in PREFIXES):
                    found.append((const.lineno, text))
    return found


@pytest.mark.parametrize("path", _modules("api"), ids=_name)
def test_no_module_guesses_a_surface_from_the_url(path: Path) -> None:
    if _name(path) in DECLARATIONS | ENDPOINT_LITERALS or path.name == "surface.py":
        return
    assert not _prefix_tests(path), f"{_name(path)} tests URL prefixes: ask surface_of(scope) instead"


@pytest.mark.parametrize("path", _modules("core"), ids=_name)
def test_core_knows_no_url(path: Path) -> None:
    assert not _prefix_literals(path), f"{_name(path)} names surface paths: they belong to api/"


def test_the_prefix_scan_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(path):\n    return path.startswith("/v1/") or path == "/api/v1"\n')
    assert [text for _, text in _prefix_tests(sample)] == ["/v1/", "/api/v1"]
