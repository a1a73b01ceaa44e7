"""Path parameters that take the native id forms (`task_42`, `42`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BeforeValidator, WithJsonSchema

from polytask.api.kernel.routes import exact_path_value
from polytask.core.errors import NotFound
from polytask.core.ids import id_pattern, parse_id, render_id


def _path_id(kind: str) -> BeforeValidator:
    def check(value: object) -> int:
        pk = parse_id(kind, value)
        if pk is None:
            # A malformed id names nothing that exists: the same 404 as an unknown one.
            raise NotFound.of(kind, value)
        return pk

    return exact_path_value(check)


def _schema(kind: str) -> WithJsonSchema:
    # Clients send the string form; the handler receives the integer key.
    return WithJsonSchema({"type": "string", "pattern": id_pattern(kind), "examples": [render_id(kind, 1)]})


WorkspaceId = Annotated[int, _path_id("workspace"), _schema("workspace"), Path(description="A workspace id")]
ProjectId = Annotated[int, _path_id("project"), _schema("project"), Path(description="A project id")]
TaskId = Annotated[int, _path_id("task"), _schema("task"), Path(description="A task id")]
UserId = Annotated[int, _path_id("user"), _schema("user"), Path(description="A user id")]
InviteId = Annotated[int, _path_id("invite"), _schema("invite"), Path(description="An invite id")]
CommentId = Annotated[int, _path_id("comment"), _schema("comment"), Path(description="A comment id")]
SectionId = Annotated[int, _path_id("section"), _schema("section"), Path(description="A section id")]
CalendarFeedId = Annotated[
    int, _path_id("calendar_feed"), _schema("calendar_feed"), Path(description="A calendar feed id")
]
ApiKeyId = Annotated[int, _path_id("api_key"), _schema("api_key"), Path(description="An API key id")]
CustomFieldId = Annotated[int, _path_id("custom_field"), _schema("custom_field"), Path(description="A custom field id")]
ViewId = Annotated[int, _path_id("view"), _schema("view"), Path(description="A saved view id")]
WebhookId = Annotated[int, _path_id("webhook"), _schema("webhook"), Path(description="A webhook id")]
DeliveryId = Annotated[
    int, _path_id("webhook_delivery"), _schema("webhook_delivery"), Path(description="A delivery id")
]
TimeEntryId = Annotated[int, _path_id("time_entry"), _schema("time_entry"), Path(description="A time entry id")]
ExpenseId = Annotated[int, _path_id("expense"), _schema("expense"), Path(description="An expense id")]
RiskId = Annotated[int, _path_id("risk"), _schema("risk"), Path(description="A risk id")]
DepartmentId = Annotated[int, _path_id("department"), _schema("department"), Path(description="A department id")]
ImportId = Annotated[int, _path_id("import"), _schema("import"), Path(description="An import job id")]
TemplateId = Annotated[int, _path_id("template"), _schema("template"), Path(description="A template id")]
AutomationId = Annotated[int, _path_id("automation"), _schema("automation"), Path(description="An automation id")]
