"""Writing API usage: a process's counts added to the buckets, and retention.

Each flush adds a process's counts into the minute, hour and day rows at once (the hour and
day rows are the minutes rolled up as they are written), as upserts that add to what other
processes wrote. Retention then only deletes: minute rows past
POLYTASK_API_USAGE_MINUTE_RETENTION_HOURS, hour rows past ..._HOUR_RETENTION_DAYS, day rows
past ..._DAY_RETENTION_DAYS (0 keeps them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from polytask.domain.usage.recorder import HISTOGRAM, LATENCY_US, RATE_LIMITED, REQUESTS, ROW_LENGTH, Counts
from polytask.models.usage import GRANULARITIES, LATENCY_COLUMNS, ApiUsage

KEY_COLUMNS = ("granularity", "bucket", "surface", "api_key_id", "oauth_client_id", "workspace_id", "status")
SUM_COLUMNS = ("requests", "rate_limited", "latency_us", *LATENCY_COLUMNS)
# Counts-row position of each summed column.
_POSITIONS = (REQUESTS, RATE_LIMITED, LATENCY_US, *range(HISTOGRAM, ROW_LENGTH))


def rolled_up(counts: Counts) -> dict[tuple[Any, ...], list[int]]:
    """The per-minute counts as rows of every granularity, by primary key."""
    rows: dict[tuple[Any, ...], list[int]] = {}
    for (minute, surface, key, client, workspace, status), counted in counts.items():
        for granularity, length in GRANULARITIES.items():
            ident = (granularity, minute // length * length, surface, key, client, workspace, status)
            held = rows.get(ident)
            if held is None:
                rows[ident] = list(counted)
            else:
                for i, value in enumerate(counted):
                    held[i] += value
    return rows


def flush_usage(session: Session, counts: Counts) -> int:
    """Add `counts` to the api_usage rows (minute, hour and day); returns the rows written."""
    if not counts:
        return 0
    rows = rolled_up(counts)
    # One order for every process, so that concurrent flushes lock rows in the same order.
    values = [
        {
            **dict(zip(KEY_COLUMNS, ident, strict=True)),
            **{column: counted[pos] for column, pos in zip(SUM_COLUMNS, _POSITIONS, strict=True)},
        }
        for ident, counted in sorted(rows.items())
    ]
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ApiUsage)
    table = ApiUsage.__table__.c
    upsert = stmt.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={column: table[column] + stmt.excluded[column] for column in SUM_COLUMNS},
    )
    session.execute(upsert, values)
    return len(values)


@dataclass
class UsagePruned:
    """Rows deleted by one retention pass, per granularity."""

    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def prune_usage(session: Session, *, now: float, minute_hours: int, hour_days: int, day_days: int) -> UsagePruned:
    """Delete the buckets that started before each granularity's retention."""
    report = UsagePruned()
    keep = {"minute": minute_hours * 3600, "hour": hour_days * 86400, "day": day_days * 86400}
    for granularity, seconds in keep.items():
        if seconds <= 0:
            continue
        result = session.execute(
            delete(ApiUsage)
            .where(ApiUsage.granularity == granularity, ApiUsage.bucket < int(now) - seconds)
            .execution_options(synchronize_session=False)
        )
        report.deleted[granularity] = int(getattr(result, "rowcount", 0) or 0)
    return report
