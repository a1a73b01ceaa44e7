"""iCalendar (RFC 5545) text: escaping, line folding, and a calendar of all-day or timed
events, written line by line (CRLF, at most 75 octets a line, continuation lines start with a
space, never splitting a UTF-8 character)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

LIMIT = 75  # octets per line, CRLF excluded (RFC 5545 3.1)
CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value (3.3.11): backslash, semicolon and comma escaped, line breaks as `\\n`."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (3.1), with its CRLF."""
    raw = line.encode()
    if len(raw) <= LIMIT:
        return line + CRLF
    parts: list[str] = []
    start, room = 0, LIMIT
    while start < len(raw):
        end = min(start + room, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # not inside a UTF-8 sequence
            end -= 1
        parts.append(raw[start:end].decode())
        start, room = end, LIMIT - 1  # a continuation line's leading space counts
    return (CRLF + " ").join(parts) + CRLF


def _utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive value is taken as UTC (SQLite gives them back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC (`20260105T093000Z`)."""
    return _utc(moment).strftime("%Y%m%dT%H%M%SZ")


def is_whole_day(moment: datetime) -> bool:
    """A due date given as a bare date is stored as midnight UTC (core/dates.py)."""
    return _utc(moment).time() == time(0, 0)


@dataclass(frozen=True, slots=True)
class Event:
    uid: str
    summary: str
    start: datetime  # midnight UTC: an all-day event on that date
    stamp: datetime  # when the information last changed (DTSTAMP, LAST-MODIFIED)
    description: str = ""
    url: str | None = None
    categories: tuple[str, ...] = ()


def _event_lines(e: Event) -> Iterator[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{escape_text(e.uid)}"
    yield f"DTSTAMP:{utc_stamp(e.stamp)}"
    yield f"LAST-MODIFIED:{utc_stamp(e.stamp)}"
    if is_whole_day(e.start):
        day = _utc(e.start).date()
        yield f"DTSTART;VALUE=DATE:{day:%Y%m%d}"
        yield f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"
    else:
        # A moment, not a span: no DTEND (it would have to be later than DTSTART).
        yield f"DTSTART:{utc_stamp(e.start)}"
    yield f"SUMMARY:{escape_text(e.summary)}"
    if e.description:
        yield f"DESCRIPTION:{escape_text(e.description)}"
    if e.categories:
        yield "CATEGORIES:" + ",".join(escape_text(c) for c in e.categories)
    if e.url:
        yield f"URL:{e.url}"
    yield "TRANSP:TRANSPARENT"
    yield "END:VEVENT"


def calendar(name: str, events: Iterable[Event], *, prodid: str = "-//Polytask//Calendar feed//EN") -> Iterator[str]:
    """The calendar's folded lines, each ending in CRLF, events as they come."""
    head = (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    )
    for line in head:
        yield fold(line)
    for event in events:
        for line in _event_lines(event):
            yield fold(line)
    yield fold("END:VCALENDAR")
