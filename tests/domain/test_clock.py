"""Rendered timestamps: `isoformat` against the standard library's own rendering."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from polytask.core.clock import isoformat


def _reference(value: datetime) -> str:
    """What a timestamp must look like: UTC, `datetime.isoformat()`'s digits, a `Z`."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def test_isoformat_renders_as_the_standard_library_does_in_utc() -> None:
    rng = random.Random(20261203)
    start = datetime(1, 1, 2)
    span = (datetime(9999, 12, 30) - start).total_seconds()
    zones = [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    zones += [ZoneInfo("Europe/London"), ZoneInfo("America/New_York")]
    for _ in range(5000):
        naive = start + timedelta(seconds=rng.uniform(0, span))
        if rng.random() < 0.3:
            naive = naive.replace(microsecond=0)
        zone = rng.choice(zones)
        value = naive if zone is None else naive.replace(tzinfo=zone)
        if zone is not None and not (datetime(2, 1, 1) < naive < datetime(9998, 12, 31)):
            continue  # astimezone past year 1 or 9999 is out of range for the reference too
        assert isoformat(value) == _reference(value), value


def test_isoformat_edges() -> None:
    assert isoformat(None) is None
    assert isoformat(datetime(2024, 2, 10, 17, 0)) == "2024-02-10T17:00:00Z"
    assert isoformat(datetime(2024, 2, 10, 17, 0, 0, 5)) == "2024-02-10T17:00:00.000005Z"
    assert isoformat(datetime(2024, 2, 10, 19, 0, tzinfo=timezone(timedelta(hours=2)))) == "2024-02-10T17:00:00Z"
    assert isoformat(datetime(1, 1, 1, 0, 0)) == "0001-01-01T00:00:00Z"
    assert isoformat(datetime(2024, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))) == "2024-07-01T11:00:00Z"
