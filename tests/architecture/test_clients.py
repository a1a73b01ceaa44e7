"""The Python client package stands alone: it never imports the server, and only its `cli`
subpackage needs the `cli` extra (typer, rich)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "python" / "src"
EXTRA = ("typer", "rich", "click")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", sorted(CLIENT.rglob("*.py")), ids=lambda p: str(p.relative_to(CLIENT)))
def test_the_client_imports_neither_the_server_nor_the_cli_extra_outside_its_cli(path: Path) -> None:
    tops = {_top(name) for name in _imports(path)}
    assert "polytask" not in tops, f"{path} imports the server package"
    if "cli" not in path.relative_to(CLIENT).parts:
        assert not tops & set(EXTRA), f"{path} needs the cli extra but is not under polytask_client/cli"
