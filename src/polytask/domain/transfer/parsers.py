"""Files into the export document: our own JSON (`polytask`), CSV with a column mapping,
Trello's board JSON and Todoist's CSV template (docs/compat/native.md "Export and import").

A file that cannot be what its format says (not JSON, not a board, an unknown column in the
mapping) is a 422 naming the field; what is wrong with one row is left to the report
(validate.py), so a dry run can list every row's problem at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polytask.core.errors import ValidationFailed
from polytask.domain.transfer.document import FORMAT, VERSION

FORMATS = ("polytask", "csv", "trello", "todoist")
# Our CSV export's columns (export.py CSV_COLUMNS) are the default mapping's sources.
CSV_TARGETS = (
    "name",
    "description",
    "status",
    "priority",
    "section",
    "parent",
    "ref",
    "assignees",
    "labels",
    "due_date",
    "start_date",
    "progress",
    "estimated_hours",
)
DEFAULT_CSV_MAPPING = {
    "ref": "id",
    "name": "name",
    "description": "description",
    "status": "status",
    "priority": "priority",
    "section": "section",
    "parent": "parent_id",
    "assignees": "assignees",
    "labels": "labels",
    "due_date": "due_date",
    "start_date": "start_date",
    "progress": "progress",
    "estimated_hours": "estimated_hours",
}
CSV_OPTIONS = ("project_name", "delimiter", "list_separator")


@dataclass
class Parsed:
    """The file as the export document's plain JSON, unchecked (validate.py checks it)."""

    document: dict[str, Any]
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.field("file", f"is not UTF-8 text: a {what} file was expected") from None


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(_text(path, what))
    except (ValueError, RecursionError):
        raise ValidationFailed.field("file", f"is not JSON: a {what} export was expected") from None


def parse_polytask(path: Path, _mapping: dict[str, str], _options: dict[str, Any]) -> Parsed:
    raw = _json(path, "polytask")
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ValidationFailed.field("file", f'is not a polytask export: its "format" must be "{FORMAT}"')
    if raw.get("version") != VERSION:
        raise ValidationFailed.field("file", f"has version {raw.get('version')!r}; this server reads version {VERSION}")
    if not isinstance(raw.get("projects"), list):
        raise ValidationFailed.field("file.projects", "must be a list of projects")
    return Parsed(raw)


def _split(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def parse_csv(path: Path, mapping: dict[str, str], options: dict[str, Any]) -> Parsed:
    """One task per row; `mapping` says which column holds which task field (default: the
    columns of our own CSV export)."""
    for key in options:
        if key not in CSV_OPTIONS:
            raise ValidationFailed.field(f"options.{key}", f"is not an option; known: {', '.join(CSV_OPTIONS)}")
    delimiter = str(options.get("delimiter", ","))
    if len(delimiter) != 1:
        raise ValidationFailed.field("options.delimiter", "must be one character", delimiter)
    separator = str(options.get("list_separator", ",")) or ","
    reader = csv.reader(io.StringIO(_text(path, "CSV")), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationFailed.field("file", "is empty: a CSV file with a header row was expected") from None
    except csv.Error as exc:
        raise ValidationFailed.field("file", f"is not CSV: {exc}") from None
    chosen = mapping or {t: c for t, c in DEFAULT_CSV_MAPPING.items() if c in header}
    for target, column in chosen.items():
        if target not in CSV_TARGETS:
            raise ValidationFailed.field(f"mapping.{target}", f"is not a task field; known: {', '.join(CSV_TARGETS)}")
        if column not in header:
            raise ValidationFailed.field(
                f"mapping.{target}", f"names the column {column!r}, which the file's header does not have", column
            )
    if "name" not in chosen:
        raise ValidationFailed.field("mapping.name", "is required: which column holds the task names")
    index = {target: header.index(column) for target, column in chosen.items()}
    sections: dict[str, dict[str, Any]] = {}
    tasks: list[dict[str, Any]] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue

            def cell(target: str, cells: list[str] = cells) -> str:
                at = index.get(target)
                return cells[at].strip() if at is not None and at < len(cells) else ""

            task: dict[str, Any] = {"ref": cell("ref") or f"row_{number}", "name": cell("name"), "row": number}
            for target in ("description", "status", "priority", "due_date", "start_date"):
                if cell(target):
                    task[target] = cell(target)
            for target in ("progress", "estimated_hours"):
                if cell(target):
                    task[target] = cell(target)
            if cell("parent"):
                task["parent"] = cell("parent")
            if cell("section"):
                name = cell("section")
                sections.setdefault(name, {"ref": f"section:{name}"[:100], "name": name[:200]})
                task["section"] = sections[name]["ref"]
            if cell("labels"):
                task["labels"] = _split(cell("labels"), separator)
            if cell("assignees"):
                task["assignees"] = [
                    {"email": p} if "@" in p else {"username": p} for p in _split(cell("assignees"), separator)
                ]
            tasks.append(task)
    except csv.Error as exc:
        raise ValidationFailed.field("file", f"is not CSV: {exc}") from None
    name = str(options.get("project_name") or Path(path).stem or "Imported tasks")[:300]
    return Parsed(_document([_project(name, list(sections.values()), tasks)]))


def _project(name: str, sections: list[dict[str, Any]], tasks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": name or "Imported", "sections": sections, "tasks": tasks, **extra}


def _document(projects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "projects": projects}


def parse_trello(path: Path, _mapping: dict[str, str], _options: dict[str, Any]) -> Parsed:
    """A Trello board export (Menu > Print and export > Export as JSON): the board is a project,
    its open lists sections, its open cards tasks (checklist items their subtasks), labels by
    name (their colour when unnamed), card comments comments."""
    board = _json(path, "Trello")
    if (
        not isinstance(board, dict)
        or not isinstance(board.get("cards"), list)
        or not isinstance(board.get("lists"), list)
    ):
        raise ValidationFailed.field("file", "is not a Trello board export: it has no `lists` and `cards`")
    warnings: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    open_lists: set[str] = set()
    for lst in sorted((x for x in board["lists"] if isinstance(x, dict)), key=lambda x: x.get("pos") or 0):
        if lst.get("closed"):
            continue
        open_lists.add(str(lst.get("id")))
        sections.append({"ref": f"list:{lst.get('id')}"[:100], "name": str(lst.get("name") or "List")[:200]})
    labels = {
        str(lb.get("id")): str(lb.get("name") or lb.get("color") or "")
        for lb in board.get("labels") or []
        if isinstance(lb, dict)
    }
    checklists: dict[str, list[dict[str, Any]]] = {}
    for cl in board.get("checklists") or []:
        if isinstance(cl, dict):
            checklists.setdefault(str(cl.get("idCard")), []).append(cl)
    comments: dict[str, list[dict[str, Any]]] = {}
    for action in board.get("actions") or []:
        if isinstance(action, dict) and action.get("type") == "commentCard":
            data = action.get("data") or {}
            text = str(data.get("text") or "").strip()
            card_id = str((data.get("card") or {}).get("id"))
            if text:
                author = action.get("memberCreator") or {}
                comments.setdefault(card_id, []).insert(
                    0,
                    {
                        "body": text[:50_000],
                        "author": {"username": author.get("username"), "name": author.get("fullName")},
                        "created_at": action.get("date"),
                    },
                )
    tasks: list[dict[str, Any]] = []
    cards = sorted((c for c in board["cards"] if isinstance(c, dict)), key=lambda c: c.get("pos") or 0)
    for number, card in enumerate(cards, start=1):
        if card.get("closed") or str(card.get("idList")) not in open_lists:
            warnings.append(
                {"row": number, "issue": f"archived card (or on an archived list) skipped: {card.get('name')!r}"}
            )
            continue
        ref = f"card:{card.get('id')}"
        task: dict[str, Any] = {
            "ref": ref[:100],
            "row": number,
            "name": str(card.get("name") or ""),
            "description": str(card.get("desc") or ""),
            "section": f"list:{card.get('idList')}"[:100],
            "labels": [labels[i] for i in card.get("idLabels") or [] if labels.get(str(i))],
            "comments": comments.get(str(card.get("id")), []),
        }
        if card.get("due"):
            task["due_date"] = str(card["due"])
        if card.get("start"):
            task["start_date"] = str(card["start"])
        if card.get("dueComplete"):
            task["status"] = "completed"
        tasks.append(task)
        for cl in sorted(checklists.get(str(card.get("id")), []), key=lambda c: c.get("pos") or 0):
            for item in sorted(cl.get("checkItems") or [], key=lambda i: i.get("pos") or 0):
                if not isinstance(item, dict):
                    continue
                sub: dict[str, Any] = {
                    "ref": f"item:{item.get('id')}"[:100],
                    "row": number,
                    "parent": ref[:100],
                    "name": str(item.get("name") or ""),
                    "section": task["section"],
                    "status": "completed" if item.get("state") == "complete" else "pending",
                }
                if item.get("due"):
                    sub["due_date"] = str(item["due"])
                tasks.append(sub)
    name = str(board.get("name") or "Trello board")
    return Parsed(_document([_project(name, sections, tasks, description=str(board.get("desc") or ""))]), warnings)


_TODOIST_COLUMNS = ("TYPE", "CONTENT")
# p1 is Todoist's highest; p4, its default, is no priority at all.
_TODOIST_PRIORITY = {"1": "urgent", "2": "high", "3": "medium", "4": None}
_LABEL = re.compile(r"(?:^|\s)@([\w\-./]+)")
_PERSON = re.compile(r"^\s*(?P<name>.*?)\s*(?:\((?P<id>\d+)\))?\s*$")


def _todoist_date(value: str) -> str | None:
    """An ISO date, or a few plain English/ISO forms; None when it is natural language we do not read."""
    text = value.strip()
    for pattern in (r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$",):
        if re.match(pattern, text):
            return text
    return None


def parse_todoist(path: Path, _mapping: dict[str, str], options: dict[str, Any]) -> Parsed:
    """Todoist's CSV template (TYPE, CONTENT, DESCRIPTION, PRIORITY, INDENT, AUTHOR, RESPONSIBLE,
    DATE, DATE_LANG, TIMEZONE...): `section` rows start sections, `task` rows are tasks whose
    INDENT makes them subtasks of the task above, `note` rows comment on the task above."""
    reader = csv.DictReader(io.StringIO(_text(path, "Todoist CSV")))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ValidationFailed.field("file", f"is not CSV: {exc}") from None
    missing = [c for c in _TODOIST_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed.field("file", f"is not a Todoist CSV export: it has no {missing[0]} column")
    warnings: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    stack: list[str] = []  # the refs of the current task at each indent level
    section_ref: str | None = None
    try:
        for number, row in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if not isinstance(v, list)}
            kind = row.get("TYPE", "")
            content = row.get("CONTENT", "")
            if kind == "section":
                section_ref = f"section:{number}"
                sections.append({"ref": section_ref, "name": (content or "Section")[:200]})
                stack = []
            elif kind == "task":
                indent = int(row["INDENT"]) if row.get("INDENT", "").isdigit() and int(row["INDENT"]) > 0 else 1
                labels = _LABEL.findall(content)
                name = _LABEL.sub("", content).strip()
                ref = f"row:{number}"
                task: dict[str, Any] = {"ref": ref, "row": number, "name": name, "labels": labels}
                if row.get("DESCRIPTION"):
                    task["description"] = row["DESCRIPTION"]
                priority = row.get("PRIORITY", "")
                if priority in _TODOIST_PRIORITY:
                    if _TODOIST_PRIORITY[priority] is not None:
                        task["priority"] = _TODOIST_PRIORITY[priority]
                elif priority:
                    task["priority"] = priority  # the report names it
                if row.get("DATE"):
                    due = _todoist_date(row["DATE"])
                    if due is None:
                        warnings.append({"row": number, "field": "DATE", "issue": f"date not read: {row['DATE']!r}"})
                    else:
                        task["due_date"] = due
                responsible = _PERSON.match(row.get("RESPONSIBLE", ""))
                if responsible and responsible.group("name"):
                    task["assignees"] = [{"username": responsible.group("name")}]
                if section_ref:
                    task["section"] = section_ref
                del stack[indent - 1 :]
                if indent > 1:
                    if not stack:
                        warnings.append(
                            {"row": number, "field": "INDENT", "issue": "indented with no task above: kept at the top"}
                        )
                    else:
                        task["parent"] = stack[-1]
                stack.append(ref)
                tasks.append(task)
            elif kind == "note":
                if not tasks or not content:
                    warnings.append({"row": number, "field": "TYPE", "issue": "a note with no task above: skipped"})
                else:
                    tasks[-1].setdefault("comments", []).append({"body": content[:50_000]})
            elif kind in ("", "meta"):
                continue
            else:
                warnings.append({"row": number, "field": "TYPE", "issue": f"unknown row type {kind!r}: skipped"})
    except csv.Error as exc:
        raise ValidationFailed.field("file", f"is not CSV: {exc}") from None
    name = str(options.get("project_name") or Path(path).stem or "Todoist project")[:300]
    return Parsed(_document([_project(name, sections, tasks)]), warnings)


PARSERS: dict[str, Callable[[Path, dict[str, str], dict[str, Any]], Parsed]] = {
    "polytask": parse_polytask,
    "csv": parse_csv,
    "trello": parse_trello,
    "todoist": parse_todoist,
}


def parse_file(kind: str, path: Path, *, mapping: dict[str, str], options: dict[str, Any]) -> Parsed:
    """The file as an export document, with the parser's warnings (rows it skipped)."""
    if kind not in PARSERS:
        raise ValidationFailed.field("format", f"must be one of {', '.join(FORMATS)}", kind)
    if mapping and kind != "csv":
        raise ValidationFailed.field("mapping", "is only for format=csv")
    return PARSERS[kind](path, mapping, options)
