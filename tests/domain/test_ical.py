"""core/ical.py against the icalendar parser: any text survives escaping and folding (every
line at most 75 octets, no UTF-8 character split, CRLF only), and whole days stay dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from polytask.core import ical

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


@settings(max_examples=100, deadline=None)
@given(summary=st.text(min_size=1, max_size=300), description=st.text(max_size=300))
def test_any_text_comes_back_as_written(summary: str, description: str) -> None:
    summary = summary.replace("\r", "")
    description = description.replace("\r", "")
    event = ical.Event(uid="task_1@polytask", summary=summary, start=NOW, stamp=NOW, description=description)
    raw = "".join(ical.calendar("Name, with; marks", [event])).encode()
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines:
        assert len(line) <= ical.LIMIT
        assert b"\n" not in line
        line.decode()  # never splits a UTF-8 character
    [parsed] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == summary
    assert str(parsed.get("DESCRIPTION", "")) == description


def test_whole_days_and_moments() -> None:
    day = ical.Event(uid="a", summary="Day", start=datetime(2027, 1, 31, tzinfo=UTC), stamp=NOW)
    naive = ical.Event(uid="b", summary="Naive", start=datetime(2027, 1, 31, 17, 5), stamp=NOW)
    raw = "".join(ical.calendar("x", [day, naive])).encode()
    first, second = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert first["DTSTART"].dt == date(2027, 1, 31)
    assert first["DTEND"].dt == date(2027, 2, 1)
    assert second["DTSTART"].dt == datetime(2027, 1, 31, 17, 5, tzinfo=UTC)
    assert "DTEND" not in second
    assert ical.escape_text("a\\b;c,d\r\ne") == "a\\\\b\\;c\\,d\\ne"
