"""Task analytics of a workspace or a project: created, completed, overdue, completion rate,
throughput and cycle time per day or week, optionally by assignee, section or label.

Every figure is an aggregate statement (GROUP BY a bucket index and a group key); Python only
fills the empty buckets with zeros and divides. Buckets are the days (or Monday-based weeks)
of the workspace's time zone (`settings.timezone`, else UTC): each timestamp's UTC epoch
second plus its zone's offset at that instant (a CASE over the offset changes inside the
period, found here with zoneinfo) gives its wall-clock second, and whole days or weeks from
the first bucket's local midnight give its bucket. Both engines compute the same integers
(`_epoch`: whole seconds), so they give the same answer. Cycle time is completed_at minus
created_at in whole seconds; its median and 90th percentile are nearest-rank percentiles
(ROW_NUMBER over the cycle times, the value at rank ceil(p * n)), which both engines compute
with window functions. Decisions in docs/compat/native.md "Task analytics".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, FromClause, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.errors import ValidationFailed
from polytask.domain.projects.service import get_project_and_membership, get_project_for
from polytask.domain.reports.records import percent, rounded
from polytask.domain.workspaces.access import membership_for, require_flag
from polytask.domain.workspaces.service import workspace_zone
from polytask.models import Section, Task, TaskAssignee, TaskLabel, User

INTERVALS: dict[str, int] = {"day": 1, "week": 7}
GROUP_BY: tuple[str, ...] = ("none", "assignee", "section", "label")
# The longest period per interval (both ends counted): a year of days, two years of weeks.
MAX_DAYS: dict[str, int] = {"day": 366, "week": 742}
DEFAULT_DAYS = 30
EARLIEST, LATEST = date(1970, 1, 2), date(9998, 12, 31)
_DAY = 86_400


class _epoch(FunctionElement[int]):  # named like the SQL functions it stands for
    """A timestamp's UTC epoch second (fractions dropped), the same integer on either engine."""

    type = BigInteger()
    inherit_cache = True


@compiles(_epoch)
def _epoch_sqlite(element: _epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(_epoch, "postgresql")
def _epoch_postgresql(element: _epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(floor(extract(epoch FROM {compiler.process(element.clauses, **kw)})) AS BIGINT)"


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnalyticsQuery:
    """What a caller asks: the period's local days (both included; None: the default), the
    bucket size, the breakdown and the task filters."""

    start: date | None = None
    end: date | None = None
    interval: str = "day"
    group_by: str = "none"
    project_id: int | None = None
    assignee_id: int | None = None


@dataclass(frozen=True, slots=True)
class CycleTime:
    """Seconds from creation to completion of the tasks completed in a bucket (None: none were)."""

    count: int
    average: int | None
    p50: int | None
    p90: int | None


_NO_CYCLES = CycleTime(0, None, None, None)


@dataclass(frozen=True, slots=True)
class Bucket:
    start: date
    end: date  # its last day, included (the period's edges clip the first and last week)
    created: int
    completed: int
    completion_rate: Decimal  # per cent of the bucket's created tasks completed by the period's end, 1 place
    overdue: int  # open past their due date at its end (or at as_of, if that is earlier)
    cycle_time: CycleTime


@dataclass(frozen=True, slots=True)
class Figures:
    """A whole period's figures."""

    created: int
    completed: int
    completion_rate: Decimal
    overdue: int  # open past their due date at `as_of`
    throughput: Decimal  # tasks completed per bucket, 2 places
    cycle_time: CycleTime


@dataclass(frozen=True, slots=True)
class Group:
    kind: str  # assignee, section or label
    key: int | str | None  # a user or section id, a label; None: unassigned, no section, no label
    name: str | None
    totals: Figures
    series: tuple[Bucket, ...]


@dataclass(frozen=True, slots=True)
class Analytics:
    workspace_id: int
    project_id: int | None
    assignee_id: int | None
    start: date
    end: date
    interval: str
    group_by: str
    time_zone: str
    as_of: datetime
    totals: Figures
    series: tuple[Bucket, ...]
    groups: tuple[Group, ...]


# --- entry points ---------------------------------------------------------------------------


def workspace_analytics(session: Session, actor: Actor, *, workspace_id: int, query: AnalyticsQuery) -> Analytics:
    """A workspace's task analytics (the view_analytics permission there); `query.project_id`
    narrows it to one of its projects (another workspace's: NotFound)."""
    membership = membership_for(session, actor, workspace_id)
    require_flag(membership, "view_analytics")
    if query.project_id is not None:
        get_project_for(session, actor, query.project_id, workspace_id=workspace_id)
    return _analytics(session, workspace_id, query)


def project_analytics(session: Session, actor: Actor, *, project_id: int, query: AnalyticsQuery) -> Analytics:
    """One project's task analytics (the view_analytics permission in its workspace)."""
    project, membership = get_project_and_membership(session, actor, project_id)
    require_flag(membership, "view_analytics")
    return _analytics(session, project.workspace_id, replace(query, project_id=project.id))


# --- the period and its buckets -------------------------------------------------------------


def _period(query: AnalyticsQuery, today: date) -> tuple[date, date]:
    if query.interval not in INTERVALS:
        raise ValidationFailed.field("interval", f"must be one of: {', '.join(INTERVALS)}", query.interval)
    if query.group_by not in GROUP_BY:
        raise ValidationFailed.field("group_by", f"must be one of: {', '.join(GROUP_BY)}", query.group_by)
    for name, day in (("from", query.start), ("to", query.end)):
        # Epoch seconds are whole and positive, and the day after the period still exists.
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationFailed.field(name, f"must lie between {EARLIEST} and {LATEST}", day.isoformat())
    end = query.end or (today if query.start is None else max(today, query.start))
    if query.end is None and query.start is not None:
        end = min(end, query.start + timedelta(days=MAX_DAYS[query.interval] - 1))
    start = query.start or max(end - timedelta(days=DEFAULT_DAYS - 1), EARLIEST)
    if start > end:
        raise ValidationFailed.field("from", "must not be after 'to'", start.isoformat())
    span = (end - start).days + 1
    if span > MAX_DAYS[query.interval]:
        raise ValidationFailed.field(
            "to",
            f"the period may span at most {MAX_DAYS[query.interval]} days with interval={query.interval}",
            end.isoformat(),
        )
    return start, end


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _offset(moment: datetime, zone: ZoneInfo) -> int:
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _offsets(zone: ZoneInfo, since: datetime, until: datetime) -> list[tuple[int | None, int]]:
    """The zone's UTC offsets in [since, until): (epoch second it holds until, None for the last; seconds)."""
    pieces: list[tuple[int | None, int]] = []
    cursor, current = since, _offset(since, zone)
    while cursor < until:
        step = min(cursor + timedelta(days=1), until)
        if _offset(step, zone) == current:
            cursor = step
            continue
        low, high = int(cursor.timestamp()), int(step.timestamp())  # current holds at low, not at high
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(datetime.fromtimestamp(middle, UTC), zone) == current:
                low = middle
            else:
                high = middle
        pieces.append((high, current))
        cursor = datetime.fromtimestamp(high, UTC)
        current = _offset(cursor, zone)
    pieces.append((None, current))
    return pieces


@dataclass(frozen=True, slots=True)
class _Frame:
    """The period in UTC and how a timestamp column becomes a bucket index."""

    since: datetime
    until: datetime
    first: date  # the first bucket's first day (a Monday for weeks)
    step: int  # days per bucket
    offsets: list[tuple[int | None, int]]

    def bucket(self, column: Any) -> ColumnElement[int]:
        seconds = _epoch(column)
        if len(self.offsets) == 1:
            local: Any = seconds + self.offsets[0][1]
        else:
            whens = [(seconds < until, offset) for until, offset in self.offsets[:-1]]
            local = seconds + case(*whens, else_=self.offsets[-1][1])
        anchor = int(datetime.combine(self.first, time(), UTC).timestamp())
        result: ColumnElement[int] = (local - anchor) // (self.step * _DAY)
        return result

    def within(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.since, column < self.until]


def _buckets(start: date, end: date, first: date, step: int) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    day = first
    while day <= end:
        last = day + timedelta(days=step - 1)
        out.append((max(day, start), min(last, end)))
        day += timedelta(days=step)
    return out


# --- the statements -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Counted:
    created: int
    done: int  # of those created, completed by the period's end


def _analytics(session: Session, workspace_id: int, query: AnalyticsQuery) -> Analytics:
    zone_name, zone = workspace_zone(session, workspace_id)
    # To the minute: two requests in one minute get the same document (and ETag).
    now = utcnow().replace(second=0, microsecond=0)
    start, end = _period(query, now.astimezone(zone).date())
    step = INTERVALS[query.interval]
    first = start - timedelta(days=start.weekday()) if step == 7 else start
    since, until = _midnight(start, zone), _midnight(end + timedelta(days=1), zone)
    frame = _Frame(since, until, first, step, _offsets(zone, since, until))
    as_of = min(now, until)
    spans = _buckets(start, end, first, step)

    conditions: list[ColumnElement[bool]] = [Task.workspace_id == workspace_id]
    if query.project_id is not None:
        conditions.append(Task.project_id == query.project_id)
    if query.assignee_id is not None:
        conditions.append(Task.id.in_(select(TaskAssignee.task_id).where(TaskAssignee.user_id == query.assignee_id)))
    plain: FromClause = Task.__table__
    figures = _Statements(session, frame, conditions, as_of)

    created = figures.created(plain, [frame.bucket(Task.created_at)])
    completed = figures.completed(plain, [frame.bucket(Task.completed_at)])
    overall_completed = figures.completed(plain, [])
    overdue = _running(figures.overdue_changes(plain, []), len(spans))
    series = _series(spans, created, completed, overdue, ())
    # Each task is in one bucket (of each group): a period's created counts are its buckets' sums.
    totals = _totals(_sums(created).get((), _Counted(0, 0)), overall_completed.get((), _NO_CYCLES), overdue, (), spans)

    groups: list[Group] = []
    if query.group_by != "none":
        source, key = _grouping(query.group_by)
        by_bucket = figures.created(source, [key, frame.bucket(Task.created_at)])
        done_by_bucket = figures.completed(source, [key, frame.bucket(Task.completed_at)])
        done_by_group = figures.completed(source, [key])
        group_sums = _sums(by_bucket)
        overdue_by_group = _running(figures.overdue_changes(source, [key]), len(spans))
        keys = {k[0] for k in (*by_bucket, *done_by_bucket, *overdue_by_group)}
        names = _names(session, query.group_by, keys)
        for k in sorted(keys, key=lambda k: (k is None, names.get(k) or "", str(k))):
            groups.append(
                Group(
                    kind=query.group_by,
                    key=k,
                    name=names.get(k),
                    totals=_totals(
                        group_sums.get((k,), _Counted(0, 0)),
                        done_by_group.get((k,), _NO_CYCLES),
                        overdue_by_group,
                        (k,),
                        spans,
                    ),
                    series=_series(spans, by_bucket, done_by_bucket, overdue_by_group, (k,)),
                )
            )
    return Analytics(
        workspace_id=workspace_id,
        project_id=query.project_id,
        assignee_id=query.assignee_id,
        start=start,
        end=end,
        interval=query.interval,
        group_by=query.group_by,
        time_zone=zone_name,
        as_of=as_of,
        totals=totals,
        series=series,
        groups=tuple(groups),
    )


def _sums(counts: dict[tuple[Any, ...], _Counted]) -> dict[tuple[Any, ...], _Counted]:
    """The buckets' counts added up per group key (keys are (group, bucket) or (bucket,))."""
    out: dict[tuple[Any, ...], _Counted] = {}
    for key, c in counts.items():
        before = out.get(key[:-1], _Counted(0, 0))
        out[key[:-1]] = _Counted(before.created + c.created, before.done + c.done)
    return out


def _grouping(group_by: str) -> tuple[FromClause, Any]:
    if group_by == "assignee":
        return Task.__table__.outerjoin(TaskAssignee, TaskAssignee.task_id == Task.id), TaskAssignee.user_id
    if group_by == "label":
        return Task.__table__.outerjoin(TaskLabel, TaskLabel.task_id == Task.id), TaskLabel.label
    return Task.__table__, Task.section_id


def _names(session: Session, group_by: str, keys: set[Any]) -> dict[Any, str | None]:
    ids = [k for k in keys if k is not None]
    if group_by == "label":
        return {k: k for k in ids}
    if not ids:
        return {}
    table: Any = User if group_by == "assignee" else Section
    return {pk: name for pk, name in session.execute(select(table.id, table.name).where(table.id.in_(ids)))}


class _Statements:
    """The aggregate statements, over the tasks the conditions keep, grouped by `keys`."""

    def __init__(self, session: Session, frame: _Frame, conditions: list[ColumnElement[bool]], as_of: datetime):
        self.session = session
        self.frame = frame
        self.conditions = conditions
        self.as_of = as_of

    def created(self, source: FromClause, keys: Sequence[Any]) -> dict[tuple[Any, ...], _Counted]:
        """Tasks created in the period, and how many of them were completed by its end."""
        inner = (
            select(*_labelled(keys), Task.completed_at)
            .select_from(source)
            .where(*self.conditions, *self.frame.within(Task.created_at))
            .subquery()
        )
        grouped = [inner.c[f"k{i}"] for i in range(len(keys))]
        # By the period's end: no completion lies in the future, so for a period reaching
        # today this is "by now", and a task completed this minute counts as it does in `completed`.
        done = func.coalesce(func.sum(case((inner.c.completed_at < self.frame.until, 1), else_=0)), 0)
        stmt = select(*grouped, func.count(), done).select_from(inner).group_by(*grouped)
        return {tuple(row[: len(keys)]): _Counted(int(row[-2]), int(row[-1])) for row in self.session.execute(stmt)}

    def completed(self, source: FromClause, keys: Sequence[Any]) -> dict[tuple[Any, ...], CycleTime]:
        """Tasks completed in the period: count, average and nearest-rank p50/p90 cycle times."""
        cycle = _epoch(Task.completed_at) - _epoch(Task.created_at)
        partition = [k for k in keys] or None
        inner = (
            select(
                *_labelled(keys),
                cycle.label("cycle"),
                func.row_number().over(partition_by=partition, order_by=cycle).label("rank"),
                func.count().over(partition_by=partition).label("n"),
            )
            .select_from(source)
            .where(*self.conditions, *self.frame.within(Task.completed_at))
            .subquery()
        )
        grouped = [inner.c[f"k{i}"] for i in range(len(keys))]
        n, rank, value = inner.c.n, inner.c.rank, inner.c.cycle
        stmt = select(
            *grouped,
            func.max(n),
            func.sum(value),
            func.max(case((rank == (n + 1) // 2, value))),
            func.max(case((rank == (n * 9 + 9) // 10, value))),
        ).group_by(*grouped)
        out: dict[tuple[Any, ...], CycleTime] = {}
        for row in self.session.execute(stmt):
            if row[len(keys)] is None:  # no keys and no rows: one row of NULLs
                continue
            count, total, p50, p90 = (int(v) for v in row[len(keys) :])
            # Half up, in integers: the same second on both engines.
            out[tuple(row[: len(keys)])] = CycleTime(count, (2 * total + count) // (2 * count), p50, p90)
        return out

    def overdue_changes(self, source: FromClause, keys: Sequence[Any]) -> dict[tuple[Any, ...], int]:
        """How the count of overdue tasks changes per bucket (keys, then the bucket index).

        A task is overdue at a moment T when it was created and due before T and not completed
        by T: from the bucket holding the later of its creation and due date (the first whose
        end is past it) to the bucket before the one holding its completion. Each task adds one
        at the first and takes one off at the second (before the period: bucket 0), so the
        running sum over the buckets is the count at each bucket's end; moments after as_of
        are left out, so the buckets from the one holding as_of on show the count at as_of.
        """
        due = Task.due_date
        later = case((Task.created_at > due, Task.created_at), else_=due)
        done = Task.completed_at
        changes: dict[tuple[Any, ...], int] = {}
        for moment, sign, extra in (
            (later, 1, [later < self.as_of, done.is_(None) | (done > later)]),
            (done, -1, [later < self.as_of, done > later, done < self.as_of]),
        ):
            index = case((moment < self.frame.since, 0), else_=self.frame.bucket(moment))
            inner = (
                select(*_labelled([*keys, index]), Task.id)
                .select_from(source)
                .where(*self.conditions, due.is_not(None), *extra)
                .subquery()
            )
            grouped = [inner.c[f"k{i}"] for i in range(len(keys) + 1)]
            for row in self.session.execute(select(*grouped, func.count()).select_from(inner).group_by(*grouped)):
                key = tuple(row[:-1])
                changes[key] = changes.get(key, 0) + sign * int(row[-1])
        return changes


def _running(changes: dict[tuple[Any, ...], int], buckets: int) -> dict[tuple[Any, ...], list[int]]:
    """Per group key, the running sums of the changes over the buckets."""
    out: dict[tuple[Any, ...], list[int]] = {}
    for key, change in changes.items():
        series = out.setdefault(key[:-1], [0] * buckets)
        series[int(key[-1])] += change
    for series in out.values():
        for i in range(1, buckets):
            series[i] += series[i - 1]
    return out


def _labelled(keys: Sequence[Any]) -> list[Any]:
    # Grouped in an outer statement by these names: PostgreSQL would not match a GROUP BY
    # expression to the same expression selected with its own bound parameters.
    return [k.label(f"k{i}") for i, k in enumerate(keys)]


def _series(
    spans: list[tuple[date, date]],
    created: dict[tuple[Any, ...], _Counted],
    completed: dict[tuple[Any, ...], CycleTime],
    overdue: dict[tuple[Any, ...], list[int]],
    prefix: tuple[Any, ...],
) -> tuple[Bucket, ...]:
    out: list[Bucket] = []
    late = overdue.get(prefix, [0] * len(spans))
    for index, (first, last) in enumerate(spans):
        made = created.get((*prefix, index), _Counted(0, 0))
        done = completed.get((*prefix, index), _NO_CYCLES)
        out.append(
            Bucket(
                start=first,
                end=last,
                created=made.created,
                completed=done.count,
                completion_rate=percent(made.done, made.created),
                overdue=late[index],
                cycle_time=done,
            )
        )
    return tuple(out)


def _totals(
    made: _Counted,
    done: CycleTime,
    overdue: dict[tuple[Any, ...], list[int]],
    prefix: tuple[Any, ...],
    spans: list[tuple[date, date]],
) -> Figures:
    late = overdue.get(prefix)
    return Figures(
        created=made.created,
        completed=done.count,
        completion_rate=percent(made.done, made.created),
        overdue=late[-1] if late else 0,  # the last bucket's: at as_of
        throughput=rounded(Decimal(done.count) / len(spans), 2),
        cycle_time=done,
    )
