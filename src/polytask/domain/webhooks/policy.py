"""What an attempt's outcome means: success, retry when, or give up (and maybe disable)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from polytask.core.clock import utcnow

MAX_RETRY_AFTER_SECONDS = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one HTTP attempt gave: a status (None when no response came) or an error."""

    status: int | None
    headers: dict[str, str]
    body_excerpt: str | None
    duration_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status == 410


def retry_after_seconds(outcome: Outcome, now: datetime | None = None) -> float | None:
    """Seconds asked for by Retry-After on a 429 or 503 (delta-seconds or HTTP-date)."""
    if outcome.status not in (429, 503):
        return None
    raw = next((v for k, v in outcome.headers.items() if k.lower() == "retry-after"), None)
    if raw is None:
        return None
    raw = raw.strip()
    seconds: float | None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = (when - (now or utcnow())).total_seconds()
    if math.isnan(seconds):
        return None  # "nan" parses as a float; clamping cannot place it, so keep to the schedule
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def next_delay(attempts_made: int, schedule: list[float], outcome: Outcome) -> float | None:
    """Seconds until the next try after `attempts_made` failed attempts; None: give up.

    The schedule's n-th entry (jittered by +/-20%) follows the n-th failure; a Retry-After
    on 429/503 replaces it, as long as the schedule has retries left.
    """
    if attempts_made > len(schedule):
        return None
    asked = retry_after_seconds(outcome)
    if asked is not None:
        return asked
    base = schedule[attempts_made - 1]
    return base * random.uniform(0.8, 1.2)
