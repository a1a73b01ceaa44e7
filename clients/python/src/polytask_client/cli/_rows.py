"""Tasks to import, read from a CSV or JSON file into the bodies the bulk endpoint takes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

INTEGERS = frozenset({"progress"})
NUMBERS = frozenset({"estimated_hours", "position"})
LISTS = frozenset({"labels", "assignee_ids", "dependencies"})  # `a;b;c` in a CSV cell
CUSTOM_PREFIX = "custom_fields."


class RowError(ValueError):
    """A row that cannot become a task body; `where` names it as the file does."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        super().__init__(f"{where}: {message}")


def read_tasks(path: Path, fmt: str = "auto") -> list[dict[str, Any]]:
    """Every task of the file, in order. `fmt` is csv, json, or auto (by the file's suffix)."""
    kind = fmt if fmt != "auto" else ("json" if path.suffix.lower() == ".json" else "csv")
    text = path.read_text(encoding="utf-8-sig")
    if kind == "json":
        return _json_tasks(text)
    return list(_csv_tasks(text))


def where(kind: str, index: int) -> str:
    """How a row is named in messages: a CSV by its line (the header is line 1), JSON by index."""
    return f"line {index + 2}" if kind == "csv" else f"item {index}"


def _json_tasks(text: str) -> list[dict[str, Any]]:
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise RowError("file", f"is not JSON ({exc})") from None
    items = body.get("tasks") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise RowError("file", 'holds neither a list of tasks nor {"tasks": [...]}')
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise RowError(where("json", index), "is not an object")
    return items


def _csv_tasks(text: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise RowError("line 1", "the header needs a `name` column")
    for index, row in enumerate(reader):
        yield _task_of(row, where("csv", index))


def _task_of(row: dict[str | Any, str | Any], at: str) -> dict[str, Any]:
    task: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None:
            raise RowError(at, "has more cells than the header has columns")
        value = (cell or "").strip()
        if not value:
            continue  # an empty cell sets nothing
        if column in INTEGERS:
            task[column] = _number(int, value, at, column)
        elif column in NUMBERS:
            task[column] = _number(float, value, at, column)
        elif column in LISTS:
            task[column] = [part.strip() for part in value.split(";") if part.strip()]
        elif column.startswith(CUSTOM_PREFIX):
            task.setdefault("custom_fields", {})[column.removeprefix(CUSTOM_PREFIX)] = _literal(value)
        else:
            task[column] = value
    return task


def _number(kind: type[int] | type[float], value: str, at: str, column: str) -> int | float:
    try:
        return kind(value)
    except ValueError:
        raise RowError(at, f"{column} {value!r} is not a number") from None


def _literal(value: str) -> Any:
    """A custom field's cell: a JSON number, true/false, or else the text itself."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if isinstance(parsed, int | float | bool) else value
