"""Field types, the per-resource registry, and compilation of a filter tree to SQL.

A resource declares its filterable fields once (name, type, the SQL expression behind it);
the same registry then checks bracket parameters, expressions and sort keys, so every
spelling of a filter means the same thing and an unknown field or operator is always a
422 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, SmallInteger, and_, case, false, func, not_, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from polytask.core.errors import ValidationFailed
from polytask.core.pagination import OrderTerm, SortKey
from polytask.core.query.tree import Condition, Group, Node
from polytask.core.query.values import (
    Context,
    Span,
    iso_date,
    iso_text,
    parse_bool,
    parse_number,
    parse_ref,
    parse_span,
)

# A SQL boolean expression. SQLAlchemy types its comparison operators loosely (Any), so
# this alias is Any rather than ColumnElement[bool] to keep mypy --strict quiet.
Clause = Any
LIST_OPS = frozenset({"in", "nin", "between", "contains"})
MAX_VALUES = 500

TEXT_OPS = frozenset({"eq", "ne", "in", "nin", "contains", "icontains", "startswith", "like", "exists"})
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte", "between"})
SET_OPS = frozenset({"eq", "ne", "in", "nin", "exists"})


class FieldType:
    """How values of one kind are parsed and compared."""

    label = "value"
    ops: frozenset[str] = SET_OPS
    # Whether `x=a,b` means "a or b" (ids, choices, numbers) or the literal text "a,b".
    splits = True

    def parse(self, raw: str, ctx: Context) -> Any:
        return raw

    def store(self, value: Any) -> Any:
        """The value as the column holds it."""
        return value

    def order_expr(self, expr: ColumnElement[Any]) -> ColumnElement[Any]:
        return expr

    def clause(self, expr: ColumnElement[Any], op: str, values: list[Any]) -> Clause:
        stored = [self.store(v) for v in values]
        if op == "eq":
            return expr == stored[0]
        if op == "ne":
            return expr.is_distinct_from(stored[0])
        if op == "in":
            return expr.in_(stored)
        if op == "nin":
            return or_(expr.is_(None), expr.not_in(stored))
        ordered = self.order_expr(expr)
        ranks = [self.rank(v) for v in values]
        if op == "gt":
            return ordered > ranks[0]
        if op == "gte":
            return ordered >= ranks[0]
        if op == "lt":
            return ordered < ranks[0]
        if op == "lte":
            return ordered <= ranks[0]
        if op == "between":
            return and_(ordered >= ranks[0], ordered <= ranks[1])
        raise AssertionError(op)

    def rank(self, value: Any) -> Any:
        return self.store(value)


class text_position(FunctionElement[int]):  # named like the SQL functions it stands for
    """Where `needle` starts in `haystack` (0 if absent), case-sensitively, on either engine."""

    type = Integer()
    inherit_cache = True


@compiles(text_position)
def _instr(element: text_position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(text_position, "postgresql")
def _strpos(element: text_position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


class Text(FieldType):
    """Free text. A `caseless` field compares lower-cased (its expression must be lower-cased too)."""

    label = "text"
    ops = TEXT_OPS
    splits = False

    def __init__(self, *, caseless: bool = False) -> None:
        self.caseless = caseless

    def parse(self, raw: str, ctx: Context) -> str:
        return raw.lower() if self.caseless else raw

    def clause(self, expr: ColumnElement[Any], op: str, values: list[Any]) -> Clause:
        if op == "contains":
            # instr() is case-sensitive on both engines (SQLite's LIKE is not).
            return and_(*[text_position(expr, v) > 0 for v in values]) if values else true()
        if op == "icontains":
            return func.lower(expr).contains(values[0].lower(), autoescape=True)
        if op == "startswith":
            return func.substr(expr, 1, len(values[0])) == values[0]
        if op == "like":
            return func.lower(expr).like(like_pattern(values[0].lower()), escape="\\")
        return super().clause(expr, op, values)


def like_pattern(text: str) -> str:
    """`*` and `%` are wildcards; without one the pattern matches anywhere in the text."""
    escaped = text.replace("\\", "\\\\").replace("_", "\\_")
    escaped = escaped.replace("*", "%")
    return escaped if "%" in escaped else f"%{escaped}%"


class Choice(FieldType):
    """One of fixed options, matched case-insensitively; `ordered` options also compare."""

    label = "choice"

    def __init__(self, options: Sequence[str], *, ordered: bool = False) -> None:
        self.options = tuple(options)
        self.ordered = ordered
        self.ops = SET_OPS | ORDER_OPS if ordered else SET_OPS
        self._lookup = {o.lower(): o for o in self.options}

    def parse(self, raw: str, ctx: Context) -> str:
        value = self._lookup.get(raw.strip().lower())
        if value is None:
            raise ValueError(f"must be one of {', '.join(self.options)}")
        return value

    def order_expr(self, expr: ColumnElement[Any]) -> ColumnElement[Any]:
        return case({o: i for i, o in enumerate(self.options)}, value=expr, else_=None)

    def rank(self, value: Any) -> Any:
        return self.options.index(value)


class Number(FieldType):
    label = "number"
    ops = SET_OPS | ORDER_OPS

    def __init__(self, *, integer: bool = False, bounds: tuple[int, int] | None = None) -> None:
        self.integer = integer
        # For a column narrower than the values a client may write (a 32-bit integer on PostgreSQL).
        self.bounds = bounds

    def parse(self, raw: str, ctx: Context) -> float | int:
        number = parse_number(raw, integer=self.integer)
        if self.bounds is not None and not self.bounds[0] <= number <= self.bounds[1]:
            raise ValueError(f"must be between {self.bounds[0]} and {self.bounds[1]}")
        return number


class Boolean(FieldType):
    label = "boolean"
    ops = frozenset({"eq", "ne", "exists"})
    splits = False

    def __init__(self, *, as_int: bool = False) -> None:
        self.as_int = as_int

    def parse(self, raw: str, ctx: Context) -> bool:
        return parse_bool(raw)

    def store(self, value: Any) -> Any:
        return int(value) if self.as_int else value


class Ref(FieldType):
    """An id of `kind` (`user_4`, `4`, or `me` for users); `prefixed` columns hold `user_4`."""

    label = "id"

    def __init__(self, kind: str, *, prefixed: bool = False) -> None:
        self.kind = kind
        self.prefixed = prefixed

    def parse(self, raw: str, ctx: Context) -> int:
        return parse_ref(raw, self.kind, ctx)

    def store(self, value: Any) -> Any:
        from polytask.core.ids import render_id

        return render_id(self.kind, value) if self.prefixed else value


class Moment(FieldType):
    """Dates and datetimes. Values naming a whole day (`2024-01-31`, `today`) cover that day.

    `storage` is how the column holds it: "datetime" (timestamp column), "date" (date
    column), "iso" (text `2024-01-31T17:00:00Z`) or "iso_date" (text `2024-01-31`).
    """

    label = "date"
    ops = frozenset({"eq", "ne", "gt", "gte", "lt", "lte", "between", "exists"})
    splits = False

    def __init__(self, storage: str = "datetime") -> None:
        self.storage = storage

    def parse(self, raw: str, ctx: Context) -> Span:
        return parse_span(raw, ctx)

    def at(self, moment: Any) -> Any:
        if self.storage == "date":
            return moment.date()
        if self.storage == "iso":
            return iso_text(moment)
        if self.storage == "iso_date":
            return iso_date(moment)
        return moment

    def _bounds(self, span: Span) -> tuple[Any, Any | None]:
        return self.at(span.start), self.at(span.end) if span.end else None

    def clause(self, expr: ColumnElement[Any], op: str, values: list[Any]) -> Clause:
        if self.storage in ("date", "iso_date"):
            return self._day_clause(expr, op, values)
        spans: list[Span] = values
        start, end = self._bounds(spans[0])
        if op == "before":
            # The named `*_before` filters: strictly before an instant, or up to the end of a day.
            return expr < (end if end is not None else start)
        if op == "eq":
            return and_(expr >= start, expr < end) if end is not None else expr == start
        if op == "ne":
            return or_(expr.is_(None), expr < start, expr >= end) if end is not None else expr.is_distinct_from(start)
        if op == "gt":
            return expr >= end if end is not None else expr > start
        if op == "gte":
            return expr >= start
        if op == "lt":
            return expr < start
        if op == "lte":
            return expr < end if end is not None else expr <= start
        if op == "between":
            upper_start, upper_end = self._bounds(spans[1])
            upper = expr < upper_end if upper_end is not None else expr <= upper_start
            return and_(expr >= start, upper)
        raise AssertionError(op)

    def _day_clause(self, expr: ColumnElement[Any], op: str, values: list[Span]) -> Clause:
        # Day columns: compare days. An instant names the day it falls on.
        first = self.at(values[0].start)
        if op == "eq":
            return expr == first
        if op == "ne":
            return expr.is_distinct_from(first)
        if op == "gt":
            return expr > first
        if op == "gte":
            return expr >= first
        if op == "lt":
            return expr < first
        if op == "lte":
            return expr <= first
        if op == "between":
            return and_(expr >= first, expr <= self.at(values[1].start))
        raise AssertionError(op)


class Loose(FieldType):
    """A custom field without a definition: numbers compare as numbers, anything else as text."""

    label = "value"
    ops = TEXT_OPS | ORDER_OPS
    splits = False

    def __init__(self, number_expr: Any) -> None:
        self.number_expr = number_expr

    def clause(self, expr: ColumnElement[Any], op: str, values: list[Any]) -> Clause:
        numeric = op in ORDER_OPS and all(_is_number(v) for v in values)
        if numeric:
            return Number().clause(self.number_expr, op, [parse_number(v) for v in values])
        return Text().clause(expr, op, values)


def _lowered(expr: Any) -> bool:
    return isinstance(expr, FunctionElement) and getattr(expr, "name", "") == "lower"


def _is_number(raw: str) -> bool:
    try:
        parse_number(raw)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Field:
    """A filterable (and maybe sortable) field of a resource.

    Scalar fields have `expr`. Collections (labels, assignees) have `any_of(values)`, a
    clause meaning "some element is one of `values`" (or "has any element" for None).
    `implied_op` makes an alias such as `due_before` (= `due_date[lt]`).
    """

    name: str
    type: FieldType
    expr: Any = None
    any_of: Callable[[list[Any] | None], Clause] | None = None
    implied_op: str | None = None
    sortable: bool = True
    sort_expr: Any = None

    def __post_init__(self) -> None:
        # A number compared with an integer column is held to the column's range: a value past
        # it could match nothing anyway, and PostgreSQL refuses to bind it (a 500, not a 422).
        if isinstance(self.type, Number) and self.type.bounds is None:
            bounds = _integer_range(self.expr)
            if bounds is not None:
                object.__setattr__(self, "type", Number(integer=self.type.integer, bounds=bounds))
        # A caseless text field compares the lower-cased value with its expression lower-cased
        # too: a column given as it is stored is lowered here (and still sorts as stored).
        if isinstance(self.type, Text) and self.type.caseless and self.expr is not None and not _lowered(self.expr):
            object.__setattr__(self, "sort_expr", self.expr if self.sort_expr is None else self.sort_expr)
            object.__setattr__(self, "expr", func.lower(self.expr))

    @property
    def ops(self) -> frozenset[str]:
        if self.implied_op is not None:
            return frozenset({self.implied_op})
        if self.any_of is not None:
            return frozenset({"eq", "ne", "in", "nin", "contains", "exists"})
        return self.type.ops


CustomResolver = Callable[[str, str], Field]

# Integer column types, narrowest last (BigInteger and SmallInteger are Integers too).
_INTEGER_RANGES = ((BigInteger, 2**63), (SmallInteger, 2**15), (Integer, 2**31))


def _integer_range(expr: Any) -> tuple[int, int] | None:
    """The values an integer-typed expression holds, or None for any other type."""
    kind = getattr(expr, "type", None)
    for column_type, size in _INTEGER_RANGES:
        if isinstance(kind, column_type):
            return -size, size - 1
    return None


@dataclass
class Registry:
    """The fields of one resource; `custom` resolves `custom_fields.<key>` on demand."""

    resource: str
    fields: dict[str, Field] = field(default_factory=dict)
    custom: CustomResolver | None = None

    @classmethod
    def of(cls, resource: str, fields: Iterable[Field], custom: CustomResolver | None = None) -> Registry:
        return cls(resource, {f.name: f for f in fields}, custom)

    def with_custom(self, custom: CustomResolver | None) -> Registry:
        return Registry(self.resource, self.fields, custom)

    def without(self, *names: str) -> Registry:
        return Registry(self.resource, {k: v for k, v in self.fields.items() if k not in names}, self.custom)

    def names(self) -> list[str]:
        extra = ["custom_fields.<key>"] if self.custom is not None else []
        return sorted(self.fields) + extra

    def field(self, name: str, param: str) -> Field:
        found = self.fields.get(name)
        if found is not None:
            return found
        if self.custom is not None and name.startswith("custom_fields.") and len(name) > len("custom_fields."):
            return self.custom(name.removeprefix("custom_fields."), param)
        raise ValidationFailed(
            f"Unknown filter '{name}' for {self.resource}s",
            {"field": param, "issue": f"unknown field '{name}'", "allowed": self.names()},
        )

    def sort_expr(self, name: str, param: str = "sort") -> Any:
        found = self.fields.get(name)
        if found is None and self.custom is not None and name.startswith("custom_fields."):
            found = self.custom(name.removeprefix("custom_fields."), param)
        if found is None or not found.sortable or found.implied_op is not None or found.expr is None:
            allowed = [n for n, f in self.fields.items() if f.sortable and f.expr is not None and not f.implied_op]
            if self.custom is not None:
                allowed.append("custom_fields.<key>")
            raise ValidationFailed(
                f"Cannot sort by '{name}'",
                {"field": param, "issue": f"unknown sort field '{name}'", "allowed": sorted(allowed)},
            )
        if found.sort_expr is not None:
            return found.sort_expr
        return found.type.order_expr(found.expr) if isinstance(found.type, Choice) else found.expr


def sort_columns(registry: Registry, names: Iterable[str], param: str = "sort") -> dict[str, Any]:
    """The SQL expression behind each sort key (422 naming `param` for unknown ones)."""
    return {name: registry.sort_expr(name, param) for name in names}


def order_terms(registry: Registry, keys: Iterable[SortKey], param: str = "sort") -> list[OrderTerm]:
    """Sort keys as ORDER BY terms (422 naming `param` for fields that do not sort)."""
    return [OrderTerm(k.field, registry.sort_expr(k.field, param), k.descending) for k in keys]


def _values(cond: Condition, fld: Field, op: str, ctx: Context) -> list[Any]:
    raw: list[str] = []
    split = cond.split and (op in LIST_OPS or fld.type.splits or fld.any_of is not None)
    for value in cond.values:
        raw.extend(p.strip() for p in value.split(",")) if split else raw.append(value)
    if op == "exists":
        if len(raw) != 1:
            raise ValidationFailed.field(cond.param, "takes one value, true or false", list(cond.values))
        try:
            return [parse_bool(raw[0]) if raw[0].strip() else True]
        except ValueError as exc:
            raise ValidationFailed.field(cond.param, str(exc), raw[0]) from None
    raw = [r for r in raw if r != ""] if split else raw
    if not raw or any(r == "" for r in raw):
        raise ValidationFailed.field(cond.param, "needs a value")
    if len(raw) > MAX_VALUES:
        raise ValidationFailed.field(cond.param, f"takes at most {MAX_VALUES} values")
    if op == "between" and len(raw) != 2:
        raise ValidationFailed.field(cond.param, "takes two values: low,high", list(cond.values))
    if op in ("eq", "ne", "gt", "gte", "lt", "lte", "like", "icontains", "startswith") and len(raw) != 1:
        raise ValidationFailed.field(cond.param, f"takes one value for '{op}'", list(cond.values))
    if isinstance(fld.type, Loose):
        return raw
    try:
        return [fld.type.parse(r, ctx) for r in raw]
    except ValueError as exc:
        bad = next((r for r in raw if not _parses(fld.type, r, ctx)), raw[0])
        raise ValidationFailed.field(cond.param, str(exc), bad) from None


def _parses(kind: FieldType, raw: str, ctx: Context) -> bool:
    try:
        kind.parse(raw, ctx)
    except ValueError:
        return False
    return True


def _condition(cond: Condition, registry: Registry, ctx: Context) -> Clause:
    fld = registry.field(cond.field, cond.param)
    op = cond.op
    if fld.implied_op is not None:
        if op != "eq":
            raise ValidationFailed.field(cond.param, f"'{cond.field}' takes no operator")
        op = fld.implied_op
    # A comma list with equality means any of them (`status=open,done`).
    splits = cond.split and (fld.type.splits or fld.any_of is not None)
    if op in ("eq", "ne") and splits and any("," in v for v in cond.values):
        op = "in" if op == "eq" else "nin"
    if op not in fld.ops and not (op in ("in", "nin") and fld.implied_op is None and "eq" in fld.ops):
        raise ValidationFailed(
            f"Operator '{op}' does not apply to '{cond.field}'",
            {"field": cond.param, "issue": f"operator '{op}' not allowed", "allowed": sorted(fld.ops)},
        )
    values = _values(cond, fld, op, ctx)
    if fld.any_of is not None:
        return _collection(fld.any_of, op, values)
    if op == "exists":
        return fld.expr.is_not(None) if values[0] else fld.expr.is_(None)
    return fld.type.clause(fld.expr, op, values)


def _collection(any_of: Callable[[list[Any] | None], Clause], op: str, values: list[Any]) -> Clause:
    if op == "exists":
        return any_of(None) if values[0] else not_(any_of(None))
    if op in ("eq", "in"):
        return any_of(values)
    if op in ("ne", "nin"):
        return not_(any_of(values))
    if op == "contains":
        return and_(*[any_of([v]) for v in values])
    raise AssertionError(op)


def compile_tree(node: Node | None, registry: Registry, ctx: Context) -> Clause:
    """The tree as one SQL boolean expression (TRUE for no filter)."""
    if node is None:
        return true()
    if isinstance(node, Condition):
        return _condition(node, registry, ctx)
    assert isinstance(node, Group)
    parts = [compile_tree(child, registry, ctx) for child in node.children]
    if not parts:
        return true() if node.kind == "and" else false()
    return and_(*parts) if node.kind == "and" else or_(*parts)
