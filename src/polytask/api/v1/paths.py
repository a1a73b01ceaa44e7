"""Path parameters that take the native id forms (`task_42`, `42`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator, WithJsonSchema

from polytask.core.errors import NotFound
from polytask.core.ids import parse_id


def _path_id(kind: str) -> BeforeValidator:
    def check(value: object) -> int:
        pk = parse_id(kind, value)
        if pk is None:
            # A malformed id names nothing that exists: the same 404 as an unknown one.
            raise NotFound.of(kind, value)
        return pk

    return BeforeValidator(check)


def _schema(example: str) -> WithJsonSchema:
    # Clients send the string form; the handler receives the integer key.
    return WithJsonSchema({"type": "string", "pattern": r"^([a-z]+_)?[0-9]+$", "examples": [example]})


WorkspaceId = Annotated[int, _path_id("workspace"), _schema("workspace_1"), Path(description="A workspace id")]
ProjectId = Annotated[int, _path_id("project"), _schema("project_1"), Path(description="A project id")]
TaskId = Annotated[int, _path_id("task"), _schema("task_1"), Path(description="A task id")]
UserId = Annotated[int, _path_id("user"), _schema("user_1"), Path(description="A user id")]
InviteId = Annotated[int, _path_id("invite"), _schema("invite_1"), Path(description="An invite id")]
CommentId = Annotated[int, _path_id("comment"), _schema("comment_1"), Path(description="A comment id")]
SectionId = Annotated[int, _path_id("section"), _schema("section_1"), Path(description="A section id")]
