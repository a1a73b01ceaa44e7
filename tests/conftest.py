"""Test setup: a real database built by the migrations, the real app served over HTTP.

`POLYTASK_TEST_DB=sqlite` (default) uses a fresh SQLite file; `POLYTASK_TEST_DB=postgres`
creates a fresh database on the server at POLYTASK_TEST_POSTGRES_URL (scripts/with-postgres.sh
starts one). The app runs under uvicorn on 127.0.0.1 in a background thread; tests talk to
it with httpx, and every response is validated against its surface's OpenAPI document
(TaskFlow's paths against /api/openapi.json, strictly; the rest against /openapi.json).
Tables are emptied after each test.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from scripts.scratchdb import scratch_database
from sqlalchemy import text
from starlette.types import ASGIApp

from polytask.api.app import create_app
from polytask.api.kernel.units import release_gates
from polytask.api.surfaces import TASKFLOW, TASKIP, surface_for
from polytask.core.db import Database
from polytask.core.keycache import KEYS
from polytask.core.migrate import upgrade
from polytask.core.settings import Settings
from polytask.models import Base
from tests.openapi_check import OpenAPIChecker

# The contract modules hold the asserts of inherited test cases: show their values on failure.
pytest.register_assert_rewrite("tests.contracts")

BACKEND = os.environ.get("POLYTASK_TEST_DB", "sqlite")


def pytest_report_header() -> str:
    return f"polytask test database: {BACKEND}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "polytask-test.db"
        yield f"sqlite:///{path}"
        return
    if BACKEND != "postgres":
        raise pytest.UsageError(f"POLYTASK_TEST_DB must be sqlite or postgres, not {BACKEND!r}")
    admin_url = os.environ.get("POLYTASK_TEST_POSTGRES_URL")
    if not admin_url:
        raise pytest.UsageError(
            "POLYTASK_TEST_DB=postgres needs POLYTASK_TEST_POSTGRES_URL (see scripts/with-postgres.sh)"
        )
    with scratch_database(admin_url, "polytask_test") as url:
        yield url


HIGH_SURFACE_PLANS = json.dumps(
    {name: {"per_minute": 1_000_000, "per_hour": 0} for name in ("taskip", "taskflow", "taskflow-anonymous")}
)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Limits high enough that no ordinary test meets them (tests/api/test_rate_limits.py sets
    # its own), while every /v1 response still carries the X-RateLimit-* headers.
    return Settings(
        home=Path(tmp_path_factory.mktemp("home")),
        database_url=database_url,
        rate_limit_per_minute=1_000_000,
        rate_limit_concurrency=0,
        # The spec plans of the TaskIP and TaskFlow surfaces (core/rateplans.py), just as high.
        rate_plans=HIGH_SURFACE_PLANS,
    )


@pytest.fixture(scope="session")
def db(settings: Settings) -> Iterator[Database]:
    upgrade(settings.effective_database_url)
    database = Database(settings.effective_database_url)
    yield database
    database.dispose()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test thread must not steal signals
        pass


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve `app` under uvicorn on a free loopback port in a thread; yields its base URL."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        # The lifespan is off: release what the app's gates hold (the event loop's own
        # database connection) as its shutdown would.
        state = getattr(app, "state", None)
        if state is not None:
            release_gates(state)


@pytest.fixture(scope="session")
def base_url(settings: Settings, db: Database) -> Iterator[str]:
    with serve(create_app(settings, db)) as url:
        yield url


@pytest.fixture(scope="session")
def serve_app() -> Callable[[ASGIApp], AbstractContextManager[str]]:
    """For tests that need an app of their own (e.g. with an extra route) served the same way."""
    return serve


@pytest.fixture(scope="session")
def openapi(base_url: str) -> OpenAPIChecker:
    # Generous: building the document under a loaded machine can take seconds.
    # Strict for the native surface (/v1): undocumented JSON bodies and statuses fail too, and
    # an unknown path's answer must be the error envelope. TaskFlow's and OAuth's operations
    # in the same document are checked against their schemas only.
    document = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    return OpenAPIChecker(document, strict_prefix="/v1/", fallback="ErrorDocument")


@pytest.fixture(scope="session")
def taskflow_openapi(base_url: str) -> OpenAPIChecker:
    """TaskFlow's own document, strictly: documented JSON bodies, media types (CSV, PDF) and
    headers, and any response of a path or method it does not have must be its error envelope
    (`Error`)."""
    assert TASKFLOW.openapi_url is not None
    document = httpx.get(f"{base_url}{TASKFLOW.openapi_url}", timeout=60).json()
    return OpenAPIChecker(document, strict=True, fallback="Error", media_types=True)


@pytest.fixture(scope="session")
def taskip_openapi(base_url: str) -> OpenAPIChecker:
    """TaskIP's own document, strictly, as TaskFlow's."""
    assert TASKIP.openapi_url is not None
    document = httpx.get(f"{base_url}{TASKIP.openapi_url}", timeout=60).json()
    return OpenAPIChecker(document, strict=True, fallback="Error", media_types=True)


class SurfaceCheck:
    """A response hook: each response checked against the document of its path's surface."""

    # The documents and docs pages themselves are no operations of the documents.
    UNDOCUMENTED = frozenset(
        {
            TASKFLOW.openapi_url,
            TASKFLOW.docs_url,
            f"{TASKFLOW.docs_url}/openapi.json",
            TASKIP.openapi_url,
            TASKIP.docs_url,
        }
    )

    def __init__(self, native: OpenAPIChecker, taskflow: OpenAPIChecker, taskip: OpenAPIChecker) -> None:
        self.native = native
        self.taskflow = taskflow
        self.taskip = taskip

    def __call__(self, response: httpx.Response) -> None:
        path = response.request.url.path
        surface = surface_for(path)
        if path in self.UNDOCUMENTED:
            return
        if surface is TASKFLOW:
            self.taskflow.check_response(response)
        elif surface is TASKIP:
            self.taskip.check_response(response)
        else:
            self.native.check_response(response)


@pytest.fixture(scope="session")
def check_response(
    openapi: OpenAPIChecker, taskflow_openapi: OpenAPIChecker, taskip_openapi: OpenAPIChecker
) -> SurfaceCheck:
    return SurfaceCheck(openapi, taskflow_openapi, taskip_openapi)


@pytest.fixture
def client(base_url: str, check_response: SurfaceCheck) -> Iterator[httpx.Client]:
    """An HTTP client whose every response is checked against its surface's OpenAPI document."""
    with httpx.Client(base_url=base_url, event_hooks={"response": [check_response]}, timeout=30) as c:
        yield c


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "db" not in request.fixturenames:
        return
    database: Database = request.getfixturevalue("db")
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
            # Like RESTART IDENTITY: each test starts its ids from 1 on both engines.
            conn.execute(text("DELETE FROM sqlite_sequence"))
    # The rows went behind the services' back: so must the keys this process verified.
    KEYS.clear()
