"""The Taskforce surface (taskforce-api-v1.txt): `/api/v1`, HTTP Basic, XML or `.json`."""

from __future__ import annotations

from polytask.api.kernel.surface import Surface
from polytask.api.taskforce.auth import basic_auth
from polytask.api.taskforce.errors import error_document

PREFIX = "/api/v1"

SURFACE = Surface(
    name="taskforce",
    prefix=PREFIX,
    render_error=error_document,
    authenticate=basic_auth,
    plan="default",  # the document names no limit
    anonymous_plan="default",
)
