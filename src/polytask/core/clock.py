"""One place that says what time it is, always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def isoformat(value: datetime | None) -> str | None:
    """`2024-02-10T17:00:00Z` (microseconds when there are some); naive values are UTC."""
    if value is None:
        return None
    # isoformat() is several times faster than strftime. A naive value has no offset to strip;
    # an aware one renders UTC as "+00:00". Every rendered timestamp passes here.
    tz = value.tzinfo
    if tz is None:
        return value.isoformat() + "Z"
    if tz is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat()[:-6] + "Z"
