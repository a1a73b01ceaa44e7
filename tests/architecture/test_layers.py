"""Architecture rules from DESIGN.md, checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "polytask"


def _modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _calls(path: Path, attribute: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute
    ]


@pytest.mark.parametrize("path", _modules("api"), ids=lambda p: str(p.relative_to(SRC)))
def test_surfaces_do_not_touch_models_or_sql(path: Path) -> None:
    """Routers translate; only services query. The Session type may be passed through."""
    bad = {
        name
        for name in _imports(path)
        if name.startswith("polytask.models") or (name.startswith("sqlalchemy") and name != "sqlalchemy.orm")
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"
    for method in ("execute", "scalar", "scalars", "flush", "rollback"):
        assert not _calls(path, method), f"{path.name} calls .{method}() on lines {_calls(path, method)}"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_only_the_unit_of_work_commits(path: Path) -> None:
    if path == SRC / "core" / "db.py":
        return
    assert not _calls(path, "commit"), f"{path.relative_to(SRC)} commits on lines {_calls(path, 'commit')}"


@pytest.mark.parametrize(
    "path", _modules("core") + _modules("domain") + _modules("models"), ids=lambda p: str(p.relative_to(SRC))
)
def test_core_and_domain_are_framework_free(path: Path) -> None:
    bad = {n for n in _imports(path) if n.split(".")[0] in {"fastapi", "starlette", "uvicorn", "typer"}}
    bad |= {n for n in _imports(path) if n.startswith(("polytask.api", "polytask.cli"))}
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("models"), ids=lambda p: str(p.relative_to(SRC)))
def test_models_do_not_import_services(path: Path) -> None:
    bad = {n for n in _imports(path) if n.startswith("polytask.domain")}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_rules_see_the_tree() -> None:
    """Guard against the checks above silently passing on an empty or moved tree."""
    assert len(_modules("api")) >= 10
    assert len(_modules("domain")) >= 10
