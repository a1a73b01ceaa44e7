"""Typed values for filters: how the text of a query parameter becomes a comparable value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from polytask.core.dates import parse_datetime
from polytask.core.ids import parse_id, render_id


@dataclass(frozen=True, slots=True)
class Context:
    """What relative values are relative to: the clock and the caller (`me`)."""

    now: datetime
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A point in time, or a whole period when the value named a day (`2024-01-31`, `today`).

    `end` is exclusive and set only for whole days, so `due_date <= 2024-01-31` includes
    that day and `due_date = today` means "some time today".
    """

    start: datetime
    end: datetime | None = None


_RELATIVE = re.compile(r"^(?P<base>now|today)\s*(?:(?P<sign>[+-])\s*(?P<n>\d{1,6})\s*(?P<unit>min|mo|[smhdwMy]))?$")
_UNITS = {
    "s": timedelta(seconds=1),
    "min": timedelta(minutes=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return moment.replace(year=year, month=month, day=day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse_span(raw: str, ctx: Context) -> Span:
    """ISO dates and datetimes, and `now`, `today`, `now-7d`, `today+1w`, `now+2h`, `today-1mo`.

    Units: s, min (or m), h, d, w, mo (or M) for months, y for years. `today` and its day
    offsets are whole days in UTC; `now` and its offsets are instants.
    """
    text = raw.strip()
    match = _RELATIVE.match(text)
    if match is not None:
        base = match.group("base")
        midnight = datetime.combine(ctx.now.astimezone(UTC).date(), time(0), tzinfo=UTC)
        moment = ctx.now if base == "now" else midnight
        unit = match.group("unit")
        if unit is not None:
            n = int(match.group("n")) * (-1 if match.group("sign") == "-" else 1)
            if unit in ("mo", "M"):
                moment = _add_months(moment, n)
            elif unit == "y":
                moment = _add_months(moment, 12 * n)
            else:
                moment = moment + _UNITS[unit] * n
        whole_day = base == "today" and unit in (None, "d", "w", "mo", "M", "y")
        return Span(moment, moment + timedelta(days=1) if whole_day else None)
    try:
        moment = parse_datetime(text)
    except ValueError:
        raise ValueError(
            "must be a date (2024-01-31), a datetime (2024-01-31T17:00:00Z) or relative (now, today, now-7d, today+1w)"
        ) from None
    if len(text) == 10:
        return Span(moment, moment + timedelta(days=1))
    return Span(moment)


def parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ValueError("must be true or false")


def parse_number(raw: str, *, integer: bool = False) -> float | int:
    text = raw.strip()
    try:
        if integer:
            return int(text)
        number = float(text)
    except ValueError:
        raise ValueError("must be an integer" if integer else "must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("must be a finite number")
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def parse_ref(raw: str, kind: str, ctx: Context) -> int:
    text = raw.strip()
    if kind == "user" and text == "me":
        if ctx.user_id is None:
            raise ValueError("'me' needs a signed-in user")
        return ctx.user_id
    pk = parse_id(kind, text)
    if pk is None:
        raise ValueError(f"must be a {kind} id such as '{render_id(kind, 123)}'")
    return pk


def iso_text(moment: datetime) -> str:
    """The text form custom datetime values are stored in, so they compare as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(moment: datetime | date) -> str:
    return moment.strftime("%Y-%m-%d")
