"""Schedule triggers: the next due time of a cron expression or an interval (UTC: workspaces
have no time zone of their own yet)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter  # type: ignore[import-untyped]

from polytask.core.errors import ValidationFailed


def check_cron(expression: str, field: str = "trigger.cron") -> None:
    """Five fields (minute hour day month weekday); a 422 naming `field` otherwise."""
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValidationFailed.field(field, "is not a five-field cron expression", expression)


def next_after(trigger: dict[str, Any], moment: datetime) -> datetime:
    """The first due time after `moment`."""
    minutes = trigger.get("every_minutes")
    if isinstance(minutes, int):
        return moment + timedelta(minutes=minutes)
    expression = str(trigger.get("cron", ""))
    check_cron(expression)
    following: datetime = croniter(expression, moment.astimezone(UTC)).get_next(datetime)
    return following.astimezone(UTC)
