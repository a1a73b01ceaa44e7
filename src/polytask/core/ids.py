"""Opaque, type-prefixed public ids (`task_42`) over integer primary keys."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

# Canonical prefix per resource type, plus the short forms the Taskade guide uses.
PREFIXES: dict[str, tuple[str, ...]] = {
    "workspace": ("workspace", "ws"),
    "project": ("project", "proj"),
    "task": ("task",),
    "section": ("section",),
    "user": ("user",),
    "comment": ("comment",),
    "invite": ("invite",),
    "member": ("member",),
    "api_key": ("key",),
    "event": ("event",),
}


def render_id(kind: str, pk: int) -> str:
    return f"{PREFIXES[kind][0]}_{pk}"


def parse_id(kind: str, value: object) -> int | None:
    """Accepts `task_42`, `42` or 42; returns None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if not isinstance(value, str):
        return None
    raw = value.strip()
    head, sep, tail = raw.rpartition("_")
    if sep:
        if head not in PREFIXES[kind]:
            return None
        raw = tail
    if not raw.isdigit() or len(raw) > 18:
        return None
    pk = int(raw)
    return pk if pk > 0 else None


def _ref_validator(kind: str) -> BeforeValidator:
    def check(value: Any) -> int:
        pk = parse_id(kind, value)
        if pk is None:
            raise ValueError(f"must be a {kind} id such as '{render_id(kind, 123)}'")
        return pk

    return BeforeValidator(check)


UserRef = Annotated[int, _ref_validator("user")]
ProjectRef = Annotated[int, _ref_validator("project")]
TaskRef = Annotated[int, _ref_validator("task")]
SectionRef = Annotated[int, _ref_validator("section")]
WorkspaceRef = Annotated[int, _ref_validator("workspace")]
