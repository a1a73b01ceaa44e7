"""The read lane: the hottest read (a page of a project's tasks) through the driver.

The ORM path (service.list_tasks_for) answers every request; this module
answers the plainest of them faster, with the same rules and the same statements' meaning:

- the credential is an API key, checked by `api_keys.service.check_key`, the function the
  ORM path uses, on the row of the same statement (`KEY_BY_PREFIX`);
- a project is visible when the key's user is a member of its workspace and the key
  is not bound to another workspace (`queries._one_task_for`, `projects.get_project_for`);
- pages are ordered as `core.pagination.fetch_page` orders them, from the same registry
  (`TASK_FIELDS`), and relations come from the same `RELATIONS` query.

Statements are SQLAlchemy Core, compiled once per dialect and run on the driver's cursor
(core/statements.py);
rows become `TaskRecord`s through the dialect's own result processors (with faster exact
equivalents for SQLite's timestamps and JSON). Whenever the lane cannot be sure of the
answer (another kind of credential, a key due for its "last used" touch, an IP allowlist,
a missing or invisible object, any parameter beyond paging and plain sorting) it returns
None and the caller takes the ORM path, which gives the canonical answer or error.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from typing import Any

from sqlalchemy import Dialect, Integer, and_, bindparam, func, or_, select
from sqlalchemy.sql import Select

from polytask.core.actor import Actor
from polytask.core.errors import AuthenticationFailed, DomainError
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.scopes import require_scope
from polytask.core.statements import Compiled, convert_row, converters, positional
from polytask.domain.api_keys.service import KEY_BY_PREFIX, Authenticated, check_key, parse_key_prefix
from polytask.domain.tasks.queries import RELATIONS, TASK_FIELDS, group_relations
from polytask.domain.tasks.records import TASK_COLUMNS, TaskRecord, TaskRecordView
from polytask.models import Event, Membership, Project, Task

Convert = Callable[[Any], Any]

_TASK_SELECT = [getattr(Task, name) for name in TASK_COLUMNS]
_USER = bindparam("user_id", type_=Integer)
_PROJECT_VISIBLE = (
    select(Project.workspace_id)
    .join(
        Membership,
        and_(
            Membership.workspace_id == Project.workspace_id, Membership.user_id == bindparam("user_id", type_=Integer)
        ),
    )
    .where(Project.id == bindparam("project_id", type_=Integer))
    .where(or_(bindparam("bound", type_=Integer) == 0, Project.workspace_id == bindparam("bound", type_=Integer)))
)
# A task's workspace is always its project's (tasks move only within a workspace), so once
# the project is visible its tasks are: the ORM path's workspace filter would change nothing
# here, and SQLite would pick the workspace index for it.
_IN_PROJECT = Task.project_id == bindparam("project_id", type_=Integer)
_PROJECT_COUNT = select(Task.id).where(_IN_PROJECT)
_WORKSPACE_STAMP = (
    select(Event.id, Event.occurred_at)
    .where(Event.workspace_id == bindparam("workspace_id", type_=Integer))
    .order_by(Event.id.desc())
    .limit(1)
)

# The sort fields the lane orders by itself; others (custom fields) take the ORM path.
LANE_SORTS = frozenset(
    {
        "id",
        "name",
        "status",
        "priority",
        "due_date",
        "start_date",
        "created_at",
        "updated_at",
        "completed_at",
        "progress",
        "estimated_hours",
        "position",
    }
)
_MAX_SORT_KEYS = 3


class TaskReads:
    """The lane's statements for one dialect; see the module's docstring."""

    def __init__(self, dialect: Dialect) -> None:
        dialect = positional(dialect)
        self.dialect = dialect
        self._key = Compiled(KEY_BY_PREFIX, dialect)
        key_columns = list(KEY_BY_PREFIX.selected_columns)
        self._key_row = namedtuple("_KeyRow", [c.key for c in key_columns])  # type: ignore[misc]
        self._key_converters = converters(key_columns, dialect)
        self._task_converters = converters(_TASK_SELECT, dialect)
        self._relations: dict[int, Compiled] = {}
        self._project = Compiled(_PROJECT_VISIBLE, dialect)
        self._count = Compiled(select(func.count()).select_from(_PROJECT_COUNT.subquery()), dialect)
        self._pages: dict[tuple[SortKey, ...], Compiled] = {}
        self._stamp = Compiled(_WORKSPACE_STAMP, dialect)

    # --- credentials ---------------------------------------------------------------------------

    def authenticate(self, conn: Any, raw: str, client_ip: str | None, scope: str) -> Actor | None:
        """The actor of a plain, valid API key carrying `scope`; None for anything else
        (the ORM path then answers: 401, 403, an IP allowlist, or the "last used" touch)."""
        prefix = parse_key_prefix(raw)
        if prefix is None:
            return None
        found = self._key.rows(conn, {"prefix": prefix})
        if not found:
            return None
        key: Any = self._key_row(*convert_row(found[0], self._key_converters))
        if key.allowlisted:
            return None
        try:
            auth: Authenticated = check_key(key, raw, client_ip=client_ip, blocked=frozenset())
            require_scope(auth.actor, scope)
        except (AuthenticationFailed, DomainError):
            return None
        return None if auth.needs_touch else auth.actor

    # --- a page of a project's tasks -----------------------------------------------------------

    def project_workspace(self, conn: Any, actor: Actor, project_id: int) -> int | None:
        """The workspace of the project when the actor may see it, else None."""
        visible = self._project.rows(
            conn, {"project_id": project_id, "user_id": actor.user_id, "bound": actor.workspace_id or 0}
        )
        return int(visible[0][0]) if visible else None

    def workspace_stamp(self, conn: Any, workspace_id: int) -> tuple[Any, ...]:
        """The id and time of the workspace's latest event. Every change to its tasks (their
        rows, assignees, labels, dependencies) records one in the same transaction, so a page
        read in the same snapshot as this stamp is current for as long as the stamp is. The
        time guards against SQLite handing out an id again after the newest events were pruned.

        Only sound where event ids are handed out in commit order: SQLite, whose writers hold
        the one write lock from their first statement to their commit. On PostgreSQL a
        transaction can commit a lower id after a higher one is visible."""
        rows = self._stamp.rows(conn, {"workspace_id": workspace_id})
        return tuple(rows[0]) if rows else ()

    def plain_sort(self, sort: list[SortKey]) -> bool:
        """Whether the lane orders pages by `sort` itself (task fields, at most three keys)."""
        return len(sort) <= _MAX_SORT_KEYS and all(k.field in LANE_SORTS for k in sort)

    def page_of(self, conn: Any, project_id: int, page: PageRequest, sort: list[SortKey]) -> PageResult[TaskRecordView]:
        """One offset page of a visible project's tasks, ordered by a `plain_sort` (manual
        order without one) as `fetch_page` orders it, with the total when asked."""
        where = {"project_id": project_id}
        total = self._count.rows(conn, where)[0][0] if page.want_total else None
        keys = tuple(sort) or (SortKey("position"),)
        stmt = self._pages.get(keys)
        if stmt is None:
            stmt = self._pages[keys] = Compiled(_page_statement(keys), self.dialect)
        rows = stmt.rows(conn, {**where, "limit": page.limit, "offset": page.offset})
        convert = self._task_converters
        records = [TaskRecord(*convert_row(row, convert)) for row in rows]
        relations = self._relations_of(conn, [r.id for r in records])
        return PageResult([TaskRecordView(r, relations[r.id]) for r in records], total, page)

    def _relations_of(self, conn: Any, ids: list[int]) -> Any:
        if not ids:
            return group_relations([])
        stmt = self._relations.get(len(ids))
        if stmt is None:
            stmt = self._relations[len(ids)] = Compiled(RELATIONS, self.dialect, expand={"ids": len(ids)})
        return group_relations(stmt.rows(conn, {"ids": ids}))


def _page_statement(keys: tuple[SortKey, ...]) -> Select[Any]:
    """The page query of `fetch_page` (NULLs last, ties by id) for a project's tasks."""
    order = []
    for key in keys:
        expr = TASK_FIELDS.sort_expr(key.field, "sort")
        order.append(expr.desc().nulls_last() if key.descending else expr.asc().nulls_last())
    return (
        select(*_TASK_SELECT)
        .where(_IN_PROJECT)
        .order_by(*order, Task.id.asc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
