"""The TaskFlow Pro surface (taskflow-pro-api.md): `/api`, session login, its own envelope."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request

from polytask.api.kernel.surface import Surface
from polytask.api.sessions import session_auth
from polytask.api.taskflow.errors import error_response
from polytask.api.taskflow.paths import LOGIN_PATH, PREFIX
from polytask.api.v1.auth import authenticate as bearer_auth
from polytask.core.actor import Actor
from polytask.core.db import Database

# Its own OpenAPI document and docs page (api/taskflow/openapi.py): every TaskFlow route
# starts with a literal segment (auth, projects, tasks, users), none of them these two.
OPENAPI_URL = f"{PREFIX}/openapi.json"
DOCS_URL = f"{PREFIX}/docs"


def authenticate(db: Database, session: Session, request: Request, readonly: bool) -> Actor:
    """The session cookie (the doc's way); with an `Authorization` header, the /v1 credentials
    instead (an API key or OAuth access token, `Bearer`), for scripts and CI. A header wins."""
    if "authorization" in request.headers:
        return bearer_auth(db, session, request, readonly)
    return session_auth(db, session, request, readonly)


SURFACE = Surface(
    name="taskflow",
    prefix=PREFIX,
    render_error=error_response,
    authenticate=authenticate,
    # taskflow-pro-api.md: 1000 per hour authenticated, 100 unauthenticated, burst 20 per minute.
    plan="taskflow",
    anonymous_plan="taskflow-anonymous",
    session_cookie=True,
    login_path=LOGIN_PATH,
    openapi_url=OPENAPI_URL,
    docs_url=DOCS_URL,
)
