"""The one list pipeline: every list of every surface is a `ListSpec` handed to `run_list`.

A resource declares its list once (the query-engine registry, the id column, the default
sort, where full-text search comes from, how a page's rows become items). `run_list` then
filters (the query engine's tree), searches (rank order unless sorted), counts (a bare
`count(*)`, only when asked and not already known from the page), orders (NULLs last,
ties by id) and pages by offset or by cursor. Services bring the base statement (what the
actor may see) and the checks that need the domain; nothing else builds a page by hand
(tests/architecture/test_listing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, ColumnElement, Select, Subquery, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.pagination import (
    AnySelect,
    OrderTerm,
    PageRequest,
    PageResult,
    SortKey,
    decode_cursor,
    encode_cursor,
)
from polytask.core.query.fields import CustomResolver, Registry, compile_tree, order_terms
from polytask.core.query.tree import Condition, Node
from polytask.core.query.values import Context
from polytask.core.statements import SHAPES

T = TypeVar("T")

# (id, score) of the rows matching a search text; raises ValidationFailed for an unusable one.
SearchSource = Callable[[Session, str], Subquery]
# The leading entities of a page's rows (one entity: the entities; several: tuples) -> items.
Loader = Callable[[Session, list[Any]], list[T]]


def as_selected(session: Session, rows: list[Any]) -> list[Any]:
    """The page's entities as selected (the loader of most lists)."""
    return rows


@dataclass(frozen=True, slots=True)
class ListSpec(Generic[T]):
    """A list, declared: its fields, id column, default order, search source and loader."""

    name: str
    fields: Registry
    id_column: Any
    default_sort: tuple[SortKey, ...] = ()
    search: SearchSource | None = None
    load: Loader[T] = as_selected
    # The base selects columns, not ORM entities: pages are read on the driver, compiled
    # once per shape (core/statements.py ShapeCache), and `load` gets plain rows.
    columns: bool = False


def run_list(
    session: Session,
    spec: ListSpec[T],
    *,
    actor: Actor | None,
    base: AnySelect,
    page: PageRequest,
    sort: Sequence[SortKey] = (),
    tree: Node | None = None,
    search: str | None = None,
    custom: CustomResolver | None = None,
    default_sort: Sequence[SortKey] | None = None,
    check: Callable[[], None] | None = None,
    params: Mapping[str, Any] | None = None,
) -> PageResult[T]:
    """One page of `base` (the rows the actor may see), filtered by `tree`, matching `search`,
    ordered by `sort` (else best match first when searching, else the default) and counted
    when `page.want_total` asks.

    `custom` resolves `custom_fields.<key>` for this call; `default_sort` replaces the spec's
    for this call; `check` runs once the filter has compiled (access checks on what it names,
    so a malformed filter is a 422 before a foreign id is a 404); `params` gives the values
    of the parameters `base` names (a base built once per shape, e.g. task_list_base).
    """
    registry = spec.fields.with_custom(custom) if custom is not None else spec.fields
    context = Context(now=utcnow(), user_id=actor.user_id if actor is not None else None)
    clause, clause_key = (None, None) if tree is None else _compiled(tree, spec.fields, registry, context)
    stmt = base if clause is None else base.where(clause)
    if check is not None:
        check()
    rank: Subquery | None = None
    if search is not None:
        if spec.search is None:
            raise AssertionError(f"the {spec.name} list has no search")
        rank = spec.search(session, search)
        stmt = stmt.join(rank, rank.c.id == spec.id_column)
    if sort:
        terms = _ordered(spec.fields, registry, sort)
    elif rank is not None:
        terms = [OrderTerm("_rank", rank.c.score, descending=True)]
    else:
        terms = _ordered(spec.fields, registry, spec.default_sort if default_sort is None else default_sort)
    width = len(base.selected_columns) if spec.columns else len(base.column_descriptions)
    # A base built once per shape (`params`), narrowed by no search: its offset pages are
    # built once per filter shape too (_offset_page).
    shared = (base, clause, clause_key) if params is not None and rank is None and spec.columns else None
    rows, next_cursor = _page(
        session, stmt, page, terms, spec.id_column, width, columns=spec.columns, params=params, shared=shared
    )
    more = next_cursor is not None
    total = (
        _total(session, stmt, page, len(rows), more=more, params=params, shared=clause is None and shared is not None)
        if page.want_total
        else _seen_total(page, len(rows), more)
    )
    return PageResult(spec.load(session, rows), total, page, next_cursor)


# Filters seen before: the expression a tree compiled to, with its cache key, by the list's
# registry, the tree and the caller (`me` is the caller). Building the expression through
# SQLAlchemy and its key was about 6% of a filtered page; a client asking the same question
# again (a board refreshing, a script polling) skips both. Never for a tree with a value
# relative to the clock (`now`, `today-7d`: its values move with the clock) or naming a custom
# field (what those mean is looked up per call: the `custom` resolver). The entry holds the
# registry, so its id cannot be reused while the entry lives.
_TREES: dict[tuple[int, Node, int | None], tuple[Registry, Any, Any]] = {}
_MEMO_MAX = 1024
_CUSTOM = "custom_fields."


def _compiled(tree: Node, fields: Registry, registry: Registry, context: Context) -> tuple[Any, Any]:
    """The tree's clause through `registry` (the list's `fields`, with the call's custom
    fields), and its cache key (None: not worked out yet)."""
    if _per_call(tree):
        return compile_tree(tree, registry, context), None
    key = (id(fields), tree, context.user_id)
    found = _TREES.get(key)
    if found is not None and found[0] is fields:
        return found[1], found[2]
    clause = compile_tree(tree, registry, context)
    clause_key = clause._generate_cache_key()
    if len(_TREES) >= _MEMO_MAX:
        _TREES.clear()  # bounded: start again
    _TREES[key] = (fields, clause, clause_key)
    return clause, clause_key


def _per_call(node: Node) -> bool:
    """Whether the tree names a custom field, or holds a value that may be read relative to
    the clock (values.py `parse_span`): compiled for each call."""
    if isinstance(node, Condition):
        return node.field.startswith(_CUSTOM) or any(("now" in value or "today" in value) for value in node.values)
    return any(_per_call(child) for child in node.children)


# ORDER BY terms by the list's registry and the sort keys (custom fields aside: per call).
_ORDERS: dict[tuple[int, tuple[SortKey, ...]], tuple[Registry, tuple[OrderTerm, ...]]] = {}


def _ordered(fields: Registry, registry: Registry, keys: Sequence[SortKey]) -> Sequence[OrderTerm]:
    if any(k.field.startswith(_CUSTOM) for k in keys):
        return order_terms(registry, keys)
    key = (id(fields), tuple(keys))
    found = _ORDERS.get(key)
    if found is not None and found[0] is fields:
        return found[1]
    terms = tuple(order_terms(registry, keys))
    if len(_ORDERS) >= _MEMO_MAX:
        _ORDERS.clear()
    _ORDERS[key] = (fields, terms)
    return terms


def _seen_total(page: PageRequest, found: int, more: bool) -> int | None:
    """The number of rows in the list when the page shows its end (an offset page that came up
    short, and not past the end; a first cursor page with no next), else None."""
    if page.cursor is None and found < page.limit and (found > 0 or page.offset == 0):
        return page.offset + found
    if page.cursor == "" and not more:
        return found
    return None


def _total(
    session: Session,
    stmt: AnySelect,
    page: PageRequest,
    found: int,
    *,
    more: bool,
    params: Mapping[str, Any] | None,
    shared: bool = False,
) -> int:
    """The number of rows `stmt` selects: seen on the page when it shows the end, else counted.
    `shared`: `stmt` is a base built once per shape, unfiltered, whose count is built once too."""
    seen = _seen_total(page, found, more)
    if seen is not None:
        return seen
    if shared:
        entry = _COUNTS.get(id(stmt))
        if entry is None or entry[0] is not stmt:
            if len(_COUNTS) >= _OFFSET_PAGES_MAX:
                _COUNTS.clear()
            entry = _COUNTS[id(stmt)] = (stmt, count_of(stmt))
        counted = entry[1]
    else:
        counted = count_of(stmt)
    return int(SHAPES.rows(session, counted, params)[0][0] or 0)


# The count of each base shared by its shape (run_list's `params`), kept with the base (an id
# is only unique while its object lives).
_COUNTS: dict[int, tuple[Any, Any]] = {}


def count_of(stmt: AnySelect) -> Select[int]:
    """`SELECT count(*)` over the statement's FROM and WHERE, without its ORDER BY.

    Bare (no subquery around the statement) so the planner counts through an index; a
    statement that groups, deduplicates or limits is counted as a subquery instead."""
    unordered = stmt.order_by(None)
    shaped = (
        unordered._group_by_clauses
        or unordered._having_criteria
        or unordered._distinct
        or unordered._limit_clause is not None
        or unordered._offset_clause is not None
    )
    if shaped:
        return select(func.count()).select_from(unordered.subquery())
    return unordered.with_only_columns(func.count(), maintain_column_froms=True)


def _may_be_null(expr: Any) -> bool:
    column = expr.expression if isinstance(expr, InstrumentedAttribute) else expr
    return not isinstance(column, Column) or bool(column.nullable)


def _ordering(term: OrderTerm) -> Any:
    ordered = term.expr.desc() if term.descending else term.expr.asc()
    # NULLs last both ways; said only where a NULL can occur, so an index on a NOT NULL
    # column still serves the order (PostgreSQL's DESC and SQLite's ASC put NULLs first).
    return ordered.nulls_last() if _may_be_null(term.expr) else ordered


def after_row(terms: Sequence[OrderTerm], values: Sequence[Any], id_column: Any, last_id: int) -> ColumnElement[bool]:
    """Rows that sort after (values, last_id) in ORDER BY terms..., id (NULLs last both ways)."""
    alternatives: list[Any] = []
    prefix: list[Any] = []
    for term, value in zip(terms, values, strict=True):
        if value is None:
            # Nothing non-null comes after a NULL (NULLs sort last); only ties on the next keys.
            later: Any = false()
            equal: Any = term.expr.is_(None)
        else:
            beyond = term.expr < value if term.descending else term.expr > value
            later = or_(beyond, term.expr.is_(None)) if _may_be_null(term.expr) else beyond
            equal = term.expr == value
        alternatives.append(and_(*prefix, later))
        prefix.append(equal)
    alternatives.append(and_(*prefix, id_column > last_id))
    return or_(*alternatives)


def _page(
    session: Session,
    stmt: AnySelect,
    page: PageRequest,
    terms: Sequence[OrderTerm],
    id_column: Any,
    width: int,
    *,
    columns: bool = False,
    params: Mapping[str, Any] | None = None,
    shared: tuple[AnySelect, Any, Any] | None = None,
) -> tuple[list[Any], str | None]:
    """One page of what `stmt` selects (its first `width` columns), ordered by `terms` then id.

    Offset mode uses LIMIT/OFFSET. Cursor mode seeks past the last row of the previous page,
    so rows inserted or deleted meanwhile never make a page repeat or skip a row.
    """
    if page.cursor is None:
        ordered, extracted = _offset_page(stmt, page, terms, id_column, shared)
        return _leading(_rows(session, ordered, columns, params, extracted), width), None
    ordered = stmt.order_by(*_order(terms, id_column))
    signature = ",".join(("-" if t.descending else "") + t.name for t in terms)
    if page.cursor:
        values, last_id = decode_cursor(page.cursor, signature, len(terms))
        ordered = ordered.where(after_row(terms, values, id_column, last_id))
    rows = _rows(
        session, ordered.add_columns(*[t.expr for t in terms], id_column).limit(page.limit + 1), columns, params
    )
    items = _leading(rows[: page.limit], width)
    if len(rows) <= page.limit:
        return items, None
    last = rows[page.limit - 1]
    return items, encode_cursor(signature, list(last[width:-1]), last[-1])


def _order(terms: Sequence[OrderTerm], id_column: Any) -> list[Any]:
    order = [_ordering(t) for t in terms]
    if not any(t.expr is id_column for t in terms):
        order.append(id_column.asc())
    return order


# Offset pages of a base shared by every request of its shape (task_list_base), narrowed by
# a filter of a given shape: the page's statement is built once, with SQLAlchemy's cache key
# (memoized on the object), and each request brings only its filter's values. The filter's
# clause is still compiled per request (its values are checked and converted there); its own
# cache key gives its shape and its bound values in order, which take the places of the
# first request's in the page's key (SQLAlchemy's own statement cache works the same way).
# An entry answers only for the very base and sort expressions it was built from (compared
# by identity), and only when every value of the filter was found at exactly one place.
@dataclass(frozen=True, slots=True)
class _OffsetPage:
    base: Any
    exprs: tuple[Any, ...]
    stmt: Any
    # For each bound value of the page's cache key: its index among the filter's, or None.
    places: tuple[int | None, ...]


_OFFSET_PAGES: dict[tuple[Any, ...], _OffsetPage] = {}
_OFFSET_PAGES_MAX = 512


def _offset_page(
    stmt: AnySelect,
    page: PageRequest,
    terms: Sequence[OrderTerm],
    id_column: Any,
    shared: tuple[Any, Any, Any] | None,
) -> tuple[Any, list[Any] | None]:
    """The LIMIT/OFFSET page of `stmt`, and the bound values to run it with (None: its own)."""
    key: tuple[Any, ...] | None = None
    values: Sequence[Any] = ()
    # The clause's cache key comes along when it was memoised with the clause (_compiled).
    base, clause, clause_key = shared if shared is not None else (None, None, None)
    if shared is not None:
        if clause is not None and clause_key is None:
            clause_key = clause._generate_cache_key()
        if clause is None or clause_key is not None:
            values = () if clause_key is None else clause_key.bindparams
            shape = None if clause_key is None else clause_key.key
            key = (id(base), shape, tuple((t.name, t.descending) for t in terms), page.limit, page.offset)
    exprs = (*(t.expr for t in terms), id_column)
    if key is not None:
        found = _OFFSET_PAGES.get(key)
        if found is not None and found.base is base and all(a is b for a, b in zip(found.exprs, exprs, strict=True)):
            bound = found.stmt._generate_cache_key().bindparams
            return found.stmt, [bp if i is None else values[i] for bp, i in zip(bound, found.places, strict=True)]
    ordered = stmt.order_by(*_order(terms, id_column)).limit(page.limit)
    if page.offset:
        ordered = ordered.offset(page.offset)
    if key is not None:
        full = ordered._generate_cache_key()
        index = {id(bp): i for i, bp in enumerate(values)}
        places = tuple(index.get(id(bp)) for bp in full.bindparams) if full is not None else ()
        if full is not None and sorted(i for i in places if i is not None) == list(range(len(values))):
            if len(_OFFSET_PAGES) >= _OFFSET_PAGES_MAX:
                _OFFSET_PAGES.clear()  # a client paging far: start again, bounded
            _OFFSET_PAGES[key] = _OffsetPage(base, exprs, ordered, places)
    return ordered, None


def _rows(
    session: Session,
    stmt: AnySelect,
    columns: bool,
    params: Mapping[str, Any] | None,
    extracted: list[Any] | None = None,
) -> Sequence[Any]:
    if columns:
        return SHAPES.rows(session, stmt, params, extracted=extracted)
    return session.execute(stmt, params).all()


def _leading(rows: Sequence[Any], width: int) -> list[Any]:
    if width == 1:
        return [row[0] for row in rows]
    return [tuple(row[:width]) for row in rows]
