"""Health, readiness and offline interactive docs."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, JSONResponse

from polytask.api.kernel.routes import unit_router
from polytask.core.db import Database

router = unit_router(tags=["System"])

# The Swagger UI and ReDoc bundles ship inside the fastapi-offline wheel.
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class EventBus(BaseModel):
    transport: str = Field(examples=["redis"], description="'redis', 'postgres', 'memory', or 'none' (no lifespan ran)")
    state: str = Field(
        examples=["connected"],
        description="'connected', 'connecting', 'reconnecting', 'in_process' (memory) or 'not_started'",
    )
    error: str | None = Field(default=None, description="The kind of the last failure while reconnecting")


class Readiness(BaseModel):
    status: str = Field(examples=["ok"], description="'ok', or 'unavailable' with a 503")
    database: str = Field(examples=["ok"], description="'ok' or 'unreachable'")
    error: str | None = Field(default=None, description="The kind of failure when unreachable")
    event_bus: EventBus = Field(
        description="The event bus transport (POLYTASK_EVENT_BUS). Informational: a bus that is "
        "reconnecting costs other processes at most a poll interval, so it never makes this a 503."
    )


@router.get("/healthz", response_model=Health)
@router.head("/healthz", response_model=Health)
async def healthz() -> JSONResponse:
    """Liveness: the process answers. Also the benchmark's floor endpoint."""
    return JSONResponse({"status": "ok"})


def _event_bus(request: Request) -> dict[str, str]:
    running = getattr(request.app.state, "event_bus", None)
    if running is None:
        return {"transport": "none", "state": "not_started"}
    status: dict[str, str] = running.status()
    return status


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "The database is unreachable"}},
)
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers a query; the event bus's state is reported, not required."""
    db: Database = request.app.state.db
    event_bus = _event_bus(request)
    try:
        db.ping()
    except Exception as exc:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "error": type(exc).__name__, "event_bus": event_bus},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "event_bus": event_bus})


def swagger_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI for the document at `openapi_url`, with the assets served from /docs/assets."""
    return get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon.png",
        # Where the Authorize button's OAuth authorization code flow comes back to.
        oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
        # Swagger UI's default validator badge is an image from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )


def mount_docs(app: FastAPI) -> None:
    """Interactive docs at /docs and /redoc that load nothing from another host."""
    app.mount("/docs/assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return swagger_page("/openapi.json", "Polytask API")

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="Polytask API",
            redoc_js_url="/docs/assets/redoc.standalone.js",
            redoc_favicon_url="/docs/assets/favicon.png",
            with_google_fonts=False,
        )


def add_docs_page(app: FastAPI, path: str, openapi_url: str, title: str) -> None:
    """Another surface's Swagger UI page (its own document), on the same local assets."""

    async def page() -> HTMLResponse:
        return swagger_page(openapi_url, title)

    app.add_api_route(path, page, methods=["GET"], include_in_schema=False, name=f"docs:{path}")
