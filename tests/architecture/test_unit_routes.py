"""Every router is made by api/kernel/routes.py `unit_router()`, so every route is a UnitRoute
(its parameters read by a plan made at start-up where its declaration allows). A router made
with FastAPI's APIRouter directly would quietly take the per-request solver again."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "polytask"
HOME = "api/kernel/routes.py"


def _direct_routers(source: str) -> list[int]:
    """Lines that call APIRouter(...) (by name or as fastapi.APIRouter)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "APIRouter":
                lines.append(node.lineno)
    return lines


def test_routers_are_made_by_unit_router() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == HOME:
            continue
        found += [f"{rel}:{line}" for line in _direct_routers(path.read_text())]
    assert found == [], f"make these routers with polytask.api.kernel.routes.unit_router(): {found}"


def test_the_check_finds_a_direct_router() -> None:
    assert _direct_routers("from fastapi import APIRouter\nrouter = APIRouter(tags=['x'])\n") == [2]
    assert _direct_routers("import fastapi\nr = fastapi.APIRouter()\n") == [2]
    assert _direct_routers("router = unit_router(tags=['x'])\n") == []
