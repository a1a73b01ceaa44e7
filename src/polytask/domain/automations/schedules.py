"""Schedule triggers: the next due time of a cron expression (read in the workspace's time
zone, so `0 9 * * 1-5` is nine o'clock there, daylight saving included) or an interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from croniter import croniter  # type: ignore[import-untyped]

from polytask.core.errors import ValidationFailed


def check_cron(expression: str, field: str = "trigger.cron") -> None:
    """Five fields (minute hour day month weekday); a 422 naming `field` otherwise."""
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValidationFailed.field(field, "is not a five-field cron expression", expression)


def next_after(trigger: dict[str, Any], moment: datetime, zone: tzinfo = UTC) -> datetime:
    """The first due time after `moment` (in UTC), a cron expression's fields read in `zone`."""
    minutes = trigger.get("every_minutes")
    if isinstance(minutes, int):
        return moment + timedelta(minutes=minutes)
    expression = str(trigger.get("cron", ""))
    check_cron(expression)
    following: datetime = croniter(expression, moment.astimezone(zone)).get_next(datetime)
    return following.astimezone(UTC)
