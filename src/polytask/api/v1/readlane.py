"""The read lane: GET a page of a project's tasks without the framework's routing, a worker
thread or the ORM, when the request is plain enough to be sure of the answer. (One task is
no longer the lane's: its route reads it by prepared statements, as fast; the page is next,
once the list pipeline renders records.)

Requests it serves (anything else, and any doubt, goes on to the routes in api/v1/tasks.py):
`GET /v1/projects/{project_id}/tasks` with nothing but `limit`/`offset`, `page`/`per_page`
and a `sort` on the task's own fields;

with `Authorization: Bearer` and an API key. The lane never answers with an error: a bad
parameter, an unknown or invisible id, an invalid, revoked or scope-less key all fall
through, and the route renders the error exactly as it always does. What the lane returns
is byte-for-byte the document the route would return (tests/api/v1/test_read_lane.py
compares the two on both databases).

It sits inside every other middleware (request id, rate limits, CSRF, idempotency,
conditional requests), so they treat its answers like any route's. On SQLite it reads on
the event loop through `Database.loop_reader` with a time budget (a read past it is
interrupted and falls through); on PostgreSQL it takes one worker thread, as a route does.
Turned off with POLYTASK_READ_LANE=false. The reasoning and the figures are in
docs/performance.md.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from typing import Any

import anyio.to_thread
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from polytask.api.kernel.units import SHARED_UNIT, thread_limiter
from polytask.api.v1 import resources
from polytask.api.v1.documents import JSONAPIResponse, list_document
from polytask.api.v1.params import page_request
from polytask.core.actor import Actor
from polytask.core.db import Database, LoopReader, ReadTooSlow
from polytask.core.errors import DomainError
from polytask.core.ids import parse_id
from polytask.core.pagination import parse_sort
from polytask.core.settings import Settings
from polytask.domain.tasks.reads import TaskReads

log = logging.getLogger("polytask.api.readlane")

_SCOPE = "tasks:read"
_LIST = re.compile(r"^/v1/projects/([^/]+)/tasks$")
_LIST_PARAMS = frozenset({"limit", "offset", "page", "per_page", "sort"})


class LaneStats:
    """How often the lane answered and how often it let the route answer (`app.state.read_lane`)."""

    def __init__(self) -> None:
        self.served = 0
        self.cached = 0
        self.passed = 0


class ReadLaneMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, database: Database, stats: LaneStats) -> None:
        self.app = app
        self.stats = stats
        self.settings = settings
        self.db = database
        self.reads = TaskReads(database.engine.dialect)
        self._loop_reader: LoopReader | None = None
        self._loop_reader_made = False
        # Pages are reused only on SQLite, where event ids follow commit order (see workspace_stamp).
        cache_size = settings.read_lane_cache_pages if database.is_sqlite else 0
        self.pages = PageCache(cache_size) if cache_size > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and SHARED_UNIT not in scope:
            path: str = scope["path"]
            if path.startswith("/v1/") and "/tasks" in path:
                response = await self._answer(scope, path)
                if response is not None:
                    self.stats.served += 1
                    await response(scope, receive, send)
                    return
                self.stats.passed += 1
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, path: str) -> Response | None:
        raw = _api_key(scope)
        if raw is None:
            return None
        client = scope.get("client")
        client_ip = client[0] if client else None
        if (m := _LIST.match(path)) is not None:
            project_id = parse_id("project", m.group(1))
            if project_id is None:
                return None
            params = QueryParams(scope["query_string"])
            keys = [key for key, _ in params.multi_items()]
            if len(keys) != len(set(keys)) or not _LIST_PARAMS.issuperset(keys):
                return None
            return await self._run(scope, lambda conn: self._list(conn, scope, raw, client_ip, project_id, params))
        return None

    async def _run(self, scope: Scope, work: Any) -> Response | None:
        try:
            reader = self._reader()
            if reader is not None:
                try:
                    with reader.read() as conn:
                        result: Response | None = work(conn)
                        return result
                except ReadTooSlow:
                    return None

            def in_thread() -> Response | None:
                with self.db.driver_read() as conn:
                    out: Response | None = work(conn)
                    return out

            return await anyio.to_thread.run_sync(in_thread, limiter=thread_limiter(Request(scope)))
        except DomainError:
            return None  # a parameter the route will refuse with its own message
        except Exception:
            # Whatever went wrong here, the route knows how to answer (and to report it).
            log.exception("read lane failed on %s; the route answers instead", scope["path"])
            return None

    def _reader(self) -> LoopReader | None:
        if not self._loop_reader_made:
            self._loop_reader_made = True
            self._loop_reader = self.db.loop_reader(self.settings.read_lane_budget_ms)
        return self._loop_reader

    def _actor(self, conn: Any, scope: Scope, raw: str, client_ip: str | None) -> Actor | None:
        actor = self.reads.authenticate(conn, raw, client_ip, _SCOPE)
        if actor is not None:
            # The rate limiter learns the credential's plan from the actor, as after a route.
            scope.setdefault("state", {})["actor"] = actor
        return actor

    def _list(
        self, conn: Any, scope: Scope, raw: str, client_ip: str | None, project_id: int, params: QueryParams
    ) -> Response | None:
        page = page_request(params, default=self.settings.default_page_size, maximum=self.settings.max_page_size)
        sort = parse_sort(params.get("sort"), None)
        if page.cursor is not None or not self.reads.plain_sort(sort):
            return None
        actor = self._actor(conn, scope, raw, client_ip)
        if actor is None:
            return None
        workspace_id = self.reads.project_workspace(conn, actor, project_id)
        if workspace_id is None:
            return None
        cache, key, stamp = self.pages, (scope["path"], scope["query_string"]), ()
        if cache is not None:
            stamp = self.reads.workspace_stamp(conn, workspace_id)
            body = cache.get(key, workspace_id, stamp)
            if body is not None:
                self.stats.cached += 1
                return Response(body, media_type=JSONAPIResponse.media_type)
        result = self.reads.page_of(conn, project_id, page, sort)
        response = list_document(Request(scope), result, [resources.task(v) for v in result.items])
        if cache is not None:
            cache.put(key, workspace_id, stamp, bytes(response.body))
        return response


class PageCache:
    """Rendered list pages of the read lane, each valid while its workspace's event stamp
    (TaskReads.workspace_stamp) is unchanged; least recently used pages go first.

    Every request still authenticates and checks that the project is visible; only the
    page itself (rows, relations, rendering) is reused. The stamp is read in the same
    snapshot the page was read in, so a page is never older than the data it is served for.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._pages: OrderedDict[tuple[str, bytes], tuple[int, tuple[Any, ...], bytes]] = OrderedDict()

    def get(self, key: tuple[str, bytes], workspace_id: int, stamp: tuple[Any, ...]) -> bytes | None:
        entry = self._pages.get(key)
        if entry is None or entry[0] != workspace_id or entry[1] != stamp:
            return None
        self._pages.move_to_end(key)
        return entry[2]

    def put(self, key: tuple[str, bytes], workspace_id: int, stamp: tuple[Any, ...], body: bytes) -> None:
        self._pages[key] = (workspace_id, stamp, body)
        self._pages.move_to_end(key)
        while len(self._pages) > self._size:
            self._pages.popitem(last=False)


def _api_key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            if scheme.lower() == "bearer" and token.startswith("ptk_"):
                return str(token)
            return None
    return None
