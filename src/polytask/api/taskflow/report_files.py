"""Reports as files: CSV streamed a chunk at a time, PDF rendered whole.

CSV: the request's own unit of work checks the role, the parameters and access, and reads the
first chunk (so every refusal is the usual JSON error, before any byte of the file). The
response then streams: each further chunk is read in a short read-only unit of work of its own
on a worker thread (keyset on the report's (name, id) order, `domain/reports` `after=`), written
and dropped, so memory holds one chunk whatever the report's length. Each chunk is its own
snapshot of the database (like the /v1 event stream's batches).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TypeVar

import anyio
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from polytask.core.db import Database
from polytask.domain.reports.records import After, Period

R = TypeVar("R")
# Rows read per unit of work while streaming (read when a report starts: tests make it small).
CHUNK = 500
# A spreadsheet would run a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NO_STORE = {"Cache-Control": "no-store"}


def filename_for(name: str, period: Period, extension: str) -> str:
    """`projects-report_2025-01-01_2025-06-30.csv` (`all` for an open end)."""
    start = period.start.isoformat() if period.start else "all"
    end = period.end.isoformat() if period.end else "all"
    return f"{name}_{start}_{end}.{extension}"


def text_cell(value: str) -> str:
    """Client text as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _lines(rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_attachment(
    request: Request,
    *,
    filename: str,
    columns: Sequence[str],
    first: list[R],
    read_more: Callable[[Session, After], list[R]],
    key: Callable[[R], After],
    cells: Callable[[R], Sequence[str]],
    chunk: int,
) -> StreamingResponse:
    """A CSV attachment: the header, `first` (a whole chunk, or the end), then chunk after chunk."""
    db: Database = request.app.state.db

    def more(after: After) -> list[R]:
        with db.unit_of_work(readonly=True) as session:
            return read_more(session, after)

    async def body() -> AsyncIterator[bytes]:
        yield _lines([columns])
        rows = first
        while rows:
            yield _lines([cells(row) for row in rows])
            if len(rows) < chunk:
                return
            rows = await anyio.to_thread.run_sync(more, key(rows[-1]))

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **_NO_STORE},
    )


async def pdf_attachment(filename: str, render: Callable[[], bytes]) -> Response:
    """The PDF `render` makes (on a worker thread: drawing is CPU work), as an attachment."""
    content = await anyio.to_thread.run_sync(render)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **_NO_STORE},
    )
