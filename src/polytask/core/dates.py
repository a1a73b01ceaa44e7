"""Lenient date and datetime input: what clients send, normalised to aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator


def parse_datetime(value: Any) -> datetime:
    """ISO 8601 date or datetime; a bare date is midnight UTC; naive means UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0), tzinfo=UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = (
                datetime.fromisoformat(text)
                if "T" in text or " " in text
                else datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
            )
        except ValueError:
            raise ValueError("must be an ISO 8601 date (2024-01-31) or datetime (2024-01-31T17:00:00Z)") from None
    else:
        raise ValueError("must be an ISO 8601 date or datetime string")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def is_date_only(value: str) -> bool:
    return len(value.strip()) == 10


def _maybe(value: Any) -> Any:
    return None if value is None else parse_datetime(value)


FlexibleDateTime = Annotated[datetime, BeforeValidator(_maybe)]


# A number written as text, which pydantic would read as seconds since 1970.
_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?\s*")


def _date_text(value: Any) -> Any:
    # Pydantic's lax date also reads a number as a Unix time (0 is 1970-01-01), and so it
    # does a string of digits ("0", "20240131"): neither is the document's `format: date`.
    if value is not None and not isinstance(value, str | date):
        raise ValueError("must be an ISO 8601 date string such as 2024-01-31")
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("must be an ISO 8601 date string such as 2024-01-31")
    return value


# A plain date, written as JSON text ("2024-01-31"), as the document's `format: date` says.
JsonDate = Annotated[date, BeforeValidator(_date_text)]
