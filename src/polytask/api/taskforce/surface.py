"""The Taskforce surface (taskforce-api-v1.txt): `/api/v1`, HTTP Basic, XML or `.json`."""

from __future__ import annotations

from polytask.api.kernel.surface import Surface
from polytask.api.taskforce.auth import basic_auth
from polytask.api.taskforce.errors import error_document

PREFIX = "/api/v1"
# Its own OpenAPI document and docs page (api/taskforce/openapi.py); no Taskforce operation is
# named `openapi` or `docs`, so neither path is taken.
OPENAPI_URL = f"{PREFIX}/openapi.json"
DOCS_URL = f"{PREFIX}/docs"

SURFACE = Surface(
    name="taskforce",
    prefix=PREFIX,
    render_error=error_document,
    authenticate=basic_auth,
    plan="default",  # the document names no limit
    anonymous_plan="default",
    openapi_url=OPENAPI_URL,
    docs_url=DOCS_URL,
)
