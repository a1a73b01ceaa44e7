"""How results are printed: rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from polytask_client import ChangeEvent, Resource

# The columns a table shows per resource type; `--json` has every attribute.
COLUMNS: dict[str, Sequence[str]] = {
    "task": ("name", "status", "priority", "due_date", "project_id"),
    "project": ("name", "status", "type", "workspace_id"),
    "workspace": ("name",),
    "user": ("name", "email"),
}

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)  # messages stay one line each, for grep


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table(kind: str, items: Iterable[Resource]) -> None:
    """One row per resource: its id, then the type's columns."""
    columns = COLUMNS.get(kind, ("name",))
    out = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    out.add_column("id", no_wrap=True)
    for column in columns:
        out.add_column(column, overflow="fold")
    count = 0
    for item in items:
        out.add_row(item.id, *(cell(item.attributes.get(c)) for c in columns))
        count += 1
    stdout.print(out)
    stderr.print(f"{count} {kind}{'' if count == 1 else 's'}")


def record(item: Resource) -> None:
    """One resource, one attribute a line."""
    out = Table(box=None, show_header=False, pad_edge=False)
    out.add_column(style="bold", no_wrap=True)
    out.add_column(overflow="fold")
    out.add_row("id", item.id)
    for name, value in item.attributes.items():
        out.add_row(name, cell(value))
    stdout.print(out)


def event_line(change: ChangeEvent) -> str:
    """`event_12  task.created  task_5  Write the post`: the event, what it touched, and the
    object's name when the event carries it."""
    attributes = change.data.attributes
    resource_id = cell(attributes.get("resource_id"))
    resource_type = attributes.get("resource_type")
    payload = attributes.get("data")
    name = ""
    if isinstance(payload, dict):
        inner = payload.get(resource_type) if isinstance(resource_type, str) else None
        source = inner if isinstance(inner, dict) else payload
        name = cell(source.get("name") or source.get("title"))
    return "  ".join(part for part in (change.id, change.event, resource_id, name) if part)
