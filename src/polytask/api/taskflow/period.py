"""The query parameters every TaskFlow stat and report takes: `start_date`, `end_date` (both
included, `YYYY-MM-DD`) and, for reports, `format` (json, csv or pdf). A malformed date, an end
before the start or an unknown format is a 422 naming the parameter."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BeforeValidator

from polytask.domain.reports.records import Period

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day_text(value: Any) -> Any:
    # Pydantic's lax date would also read a Unix time ("1700000000") or a timestamp.
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("must be a date such as 2025-01-31")
    return value


StartDate = Annotated[
    date | None,
    BeforeValidator(_day_text),
    Query(description="First day of the period (YYYY-MM-DD, included); open when absent", examples=["2025-01-01"]),
]
EndDate = Annotated[
    date | None,
    BeforeValidator(_day_text),
    Query(description="Last day of the period (YYYY-MM-DD, included; not before start_date)", examples=["2025-06-30"]),
]
ReportFormat = Literal["json", "csv", "pdf"]
FormatParam = Annotated[
    ReportFormat,
    Query(description="json (the default): the envelope; csv: a streamed attachment; pdf: a printable document"),
]


def period_of(start: date | None, end: date | None) -> Period:
    """The period, or a 422 naming `end_date` when it ends before it starts."""
    return Period(start, end)


def period_payload(period: Period) -> dict[str, str | None]:
    return {
        "start_date": None if period.start is None else period.start.isoformat(),
        "end_date": None if period.end is None else period.end.isoformat(),
    }
