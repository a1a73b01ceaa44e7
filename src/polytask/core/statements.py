"""Statements built once and run on the driver: the read path without the ORM's per-call work.

An ORM `session.execute(select(...))` compiles (or looks up) the statement, runs the
events, builds a result and hydrates objects on every call: for a read by key that is
several times the cost of the SQL itself. A `Prepared` statement is compiled once per
dialect, for positional placeholders, and run on the session's own driver connection (the
same transaction and snapshot as everything else in the unit); each column's value goes
through the dialect's result processor (with exact, faster equivalents for SQLite's
timestamps and JSON), and the rows come back as plain tuples for the caller to shape.

    TASK = Prepared(select(...).where(Task.id == bindparam("task_id", type_=Integer)))
    rows = TASK.rows(session, {"task_id": 42})

Expanding IN lists (`bindparam("ids", expanding=True)`) are compiled once per list length.
Pending ORM changes are flushed first, as an ORM execute would (autoflush), so a unit that
wrote reads its own writes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import DateTime, Dialect, Float, bindparam, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.types import JSON, TypeEngine

from polytask.core.db import CONNECTION_INFO, DRIVER_INFO, before_driver_statement
from polytask.core.jsontext import loads_exact

Convert = Callable[[Any], Any]
# A driver row as the list of its converted values.
RowConverter = Callable[[Sequence[Any]], list[Any]]


def positional(dialect: Dialect) -> Dialect:
    """The dialect, compiling for positional placeholders (a tuple is the cheapest thing to hand
    a driver; psycopg takes `%s` as well as `%(name)s`)."""
    if dialect.positional:
        return dialect
    dialect = copy.copy(dialect)
    dialect.paramstyle = "format"
    dialect.positional = True
    return dialect


class Compiled:
    """A statement compiled for one dialect; `params` orders a dict of values as its placeholders."""

    def __init__(self, stmt: Any, dialect: Dialect, expand: dict[str, int] | None = None) -> None:
        constants = stmt.compile(dialect=dialect).construct_params(_check=False)
        if expand:
            # Rendering the lists' placeholders needs a value for every parameter: the
            # others get a stand-in (they stay placeholders; `constants` says which they are).
            sample: dict[str, Any] = {name: 0 for name, value in constants.items() if value is None}
            sample.update({name: list(range(size)) for name, size in expand.items()})
            compiled = stmt.params(**sample).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        else:
            compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        if not compiled.positional:
            raise ValueError("prepared statements compile for positional placeholders")
        names: list[str] = list(compiled.positiontup or [])
        # Each placeholder: a constant of the statement, a named value, or item k of a list;
        # the items of a list that follow each other are one slice (an IN list of 50 ids is
        # one `extend`, not 50 look-ups).
        self._slots: list[tuple[str, Any]] = []
        for name in names:
            base, _, index = name.rpartition("_")
            if expand and base in expand and index.isdigit():
                k = int(index) - 1
                last = self._slots[-1] if self._slots else None
                if last is not None and last[0] == base and isinstance(last[1], slice) and last[1].stop == k:
                    self._slots[-1] = (base, slice(last[1].start, k + 1))
                else:
                    self._slots.append((base, slice(k, k + 1)))
            elif name in constants and constants[name] is not None:
                self._slots.append(("=", constants[name]))
            else:
                self._slots.append((name, None))

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        out: list[Any] = []
        for name, extra in self._slots:
            if name == "=":
                out.append(extra)
            elif extra is None:
                out.append(values[name])
            else:
                out.extend(values[name][extra])
        return tuple(out)

    def rows(self, conn: Any, values: dict[str, Any]) -> list[Any]:
        cursor = conn.cursor()
        try:
            cursor.execute(self.sql, self.params(values))
            return list(cursor.fetchall())
        finally:
            cursor.close()


def _processor(type_: TypeEngine[Any], dialect: Dialect) -> Convert | None:
    if isinstance(type_, Float) and not type_.asdecimal:
        # Every driver hands back a float for a float column; the processor would only ask
        # for the column's type code, which is known when a cursor has run, not here.
        return None
    impl = type_.dialect_impl(dialect)
    proc: Convert | None = impl.result_processor(dialect, None)
    return proc


# Marks a converter that reads SQLite's 26-character timestamps with fromisoformat and hands
# anything else to its fallback: a row converter writes that test inline (_row_converter).
_ISO26 = "__polytask_iso26__"


def _sqlite_datetime(fallback: Convert | None) -> Convert:
    """SQLite stores `YYYY-MM-DD HH:MM:SS.ffffff`; fromisoformat reads it exactly as
    SQLAlchemy's processor does (naive), and anything else goes to that processor."""

    def convert(value: Any) -> Any:
        if type(value) is str and len(value) == 26:
            return datetime.fromisoformat(value)
        return fallback(value) if fallback else value

    setattr(convert, _ISO26, True)
    return convert


def _sqlite_json(fallback: Convert | None) -> Convert:
    """orjson reads standard JSON as json.loads does, except integers wider than 64 bits (core/
    jsontext.py `loads_exact` reads those exactly); what orjson refuses (NaN) goes to the
    dialect's own deserializer."""

    def convert(value: Any) -> Any:
        try:
            return loads_exact(value)
        except ValueError:  # both modules' JSONDecodeError
            return fallback(value) if fallback else value

    return convert


class IdsJSON(JSON):
    """JSON made by a statement from stored ids, positions and names (a task's relations as
    arrays): no integer in it is wider than 64 bits, so SQLite's text goes to orjson as it is,
    without `loads_exact`'s look for long runs of digits."""

    cache_ok = True


def converters(columns: Sequence[ColumnElement[Any]], dialect: Dialect) -> RowConverter:
    """The function that converts a row of these columns: each non-NULL value of a column that
    needs it goes through its converter, the others are kept as the driver gave them."""
    found: list[tuple[int, Convert]] = []
    for index, col in enumerate(columns):
        proc = _processor(col.type, dialect)
        if dialect.name == "sqlite" and isinstance(col.type, DateTime):
            proc = _sqlite_datetime(proc)
        elif dialect.name == "sqlite" and isinstance(col.type, IdsJSON):
            proc = orjson.loads
        elif dialect.name == "sqlite" and isinstance(col.type, JSON):
            proc = _sqlite_json(proc)
        if proc is not None:
            found.append((index, proc))
    return _row_converter(len(columns), found)


def _row_converter(width: int, convert: list[tuple[int, Convert]]) -> RowConverter:
    """`convert` as one function written for the row's width: the row unpacked into locals,
    each converted column tested and converted in line, no loop over the converters (a page
    of 50 tasks converts 450 values; the loop and its calls were a third of that)."""
    if not convert:
        return list
    names = [f"c{i}" for i in range(width)]
    scope: dict[str, Any] = {"_fromiso": datetime.fromisoformat, "_str": str}
    lines = ["def convert(row):", f"    {', '.join(names)}, = row"]
    for index, fn in convert:
        c = names[index]
        scope[f"f{index}"] = fn
        if getattr(fn, _ISO26, False):
            lines.append(f"    if type({c}) is _str and len({c}) == 26:")
            lines.append(f"        {c} = _fromiso({c})")
            lines.append(f"    elif {c} is not None:")
        else:
            lines.append(f"    if {c} is not None:")
        lines.append(f"        {c} = f{index}({c})")
    lines.append(f"    return [{', '.join(names)}]")
    exec(compile("\n".join(lines), f"<row converter of {width} columns>", "exec"), scope)  # noqa: S102
    made: RowConverter = scope["convert"]
    return made


class _ForDialect:
    __slots__ = ("compiled", "convert", "dialect")

    def __init__(self, dialect: Dialect, compiled: dict[int, list[Compiled]], convert: RowConverter) -> None:
        self.dialect = dialect
        self.compiled = compiled
        self.convert = convert


class Prepared:
    """A SELECT compiled once per dialect (and per list length), run on a session's driver
    connection; rows come back with every column converted as the ORM would.

    `arrays` gives, per dialect name, the same SELECT taking the expanding list as ONE array
    parameter (PostgreSQL: `col = ANY(:ids)`): one statement text whatever the list's length,
    which psycopg parses once and the server prepares once (psycopg caches and prepares only
    statements of at most 50 parameters; three IN lists of 50 ids are 150).

    `parts` gives, per dialect name, SELECTs run one after another in its place when the
    expanding list holds more than one value, their rows concatenated: the arms of a UNION
    ALL, each with the statement's columns. On SQLite 3.40 each arm of a UNION ALL whose IN
    list holds several values added about 40 us to the statement (measured: a task's three
    relations for 3 ids 95 us as a UNION ALL, 22 us as three statements; for 50 ids 194
    against 99), while one value (an equality) runs as fast either way or faster in one
    statement (6 against 16 us). On PostgreSQL each part would cost a round trip.
    """

    def __init__(
        self,
        stmt: Any,
        *,
        expanding: str | None = None,
        arrays: dict[str, Any] | None = None,
        parts: dict[str, Sequence[Any]] | None = None,
    ) -> None:
        self._stmt = stmt
        self._expanding = expanding
        self._arrays = arrays or {}
        self._parts = parts or {}
        self._by_dialect: dict[str, _ForDialect] = {}

    def _for(self, dialect: Dialect) -> _ForDialect:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            target = positional(dialect)
            found = _ForDialect(target, {}, converters(list(self._stmt.selected_columns), target))
            self._by_dialect[dialect.name] = found
        return found

    def _compiled(self, entry: _ForDialect, values: dict[str, Any]) -> list[Compiled]:
        array = self._arrays.get(entry.dialect.name)
        size = len(values[self._expanding]) if self._expanding and array is None else 0
        compiled = entry.compiled.get(size)
        if compiled is None:
            if array is not None:
                compiled = entry.compiled[size] = [Compiled(array, entry.dialect)]
            else:
                expand = {self._expanding: size} if self._expanding else None
                statements = (self._parts.get(entry.dialect.name) if size > 1 else None) or [self._stmt]
                compiled = entry.compiled[size] = [Compiled(stmt, entry.dialect, expand) for stmt in statements]
        return compiled

    def rows(self, session: Session, values: dict[str, Any]) -> list[list[Any]]:
        """The converted rows of the statement with `values`, in the session's transaction."""
        session.flush()
        info = session.info
        direct = info.get(DRIVER_INFO)
        if direct is not None:  # a loop read unit's transaction, on the driver (core/db.py)
            driver, dialect = direct
            before_driver_statement(info, driver)
        else:
            conn = session.connection()
            driver, dialect = conn.connection.driver_connection, conn.dialect
        entry = self._for(dialect)
        compiled = self._compiled(entry, values)
        if self._expanding and entry.dialect.name in self._arrays:
            values = {**values, self._expanding: _array_text(values[self._expanding])}
        found = compiled[0].rows(driver, values)
        for more in compiled[1:]:
            found += more.rows(driver, values)
        convert = entry.convert
        return [convert(row) for row in found]


def dialect_name(session: Session) -> str:
    """The name of the dialect the session's statements run on (a loop read unit's own
    driver connection included), without beginning a transaction."""
    direct = session.info.get(DRIVER_INFO)
    if direct is not None:
        return str(direct[1].name)
    return str(session.get_bind().dialect.name)


def _array_text(items: Any) -> Any:
    """A list of integers as PostgreSQL's array literal (`{1,2,3}`), which the statement's
    `::INTEGER[]` cast reads: psycopg's list adapter inspects every item to choose the
    array's type, about 30 us for 50 ids, three times for a page's relations. Anything else
    goes to the driver as it is."""
    if isinstance(items, list | tuple) and all(type(item) is int for item in items):
        return "{" + ",".join(map(str, items)) + "}"
    return items


class PreparedWrite:
    """An INSERT or UPDATE compiled once per dialect, run on the session's driver connection
    (its transaction): each value goes through its column's bind processor (a datetime in
    SQLite's text form, a JSON document as text), as an ORM or Core execute would, without
    their per-call statement handling. With RETURNING, `run` gives the first returned row.

    The statement names every value as a bind parameter:

        TOUCH = PreparedWrite(update(table).where(table.c.id == bindparam("row_id")).values(name=bindparam("name")))
        TOUCH.run(session, {"row_id": 7, "name": "New"})
    """

    def __init__(self, stmt: Any) -> None:
        self._stmt = stmt
        self._by_dialect: dict[str, tuple[Compiled, list[Convert | None], RowConverter]] = {}

    def _statement(self, dialect: Dialect) -> Any:
        return self._stmt

    def _for(self, dialect: Dialect) -> tuple[Compiled, list[Convert | None], RowConverter]:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            target = positional(dialect)
            stmt = self._statement(target)
            compiled = Compiled(stmt, target)
            binds = stmt.compile(dialect=target).binds
            process: list[Convert | None] = []
            for name, _extra in compiled._slots:
                bind = binds.get(name)
                process.append(None if bind is None else bind.type.dialect_impl(target).bind_processor(target))
            returning = getattr(stmt, "_returning", ()) or ()
            found = (compiled, process, converters(list(returning), target))
            self._by_dialect[dialect.name] = found
        return found

    def run(self, session: Session, values: dict[str, Any]) -> list[Any] | None:
        """Execute with `values` in the session's transaction; the first RETURNING row, if any."""
        row, _ = self._run(session, values)
        return row

    def _run(self, session: Session, values: dict[str, Any]) -> tuple[list[Any] | None, Any]:
        conn = session.connection()
        compiled, process, convert = self._for(conn.dialect)
        params = [
            fn(value) if fn is not None and value is not None else value
            for fn, value in zip(process, compiled.params(values), strict=True)
        ]
        driver: Any = conn.connection.driver_connection
        cursor = driver.cursor()
        try:
            cursor.execute(compiled.sql, tuple(params))
            row = cursor.fetchone() if cursor.description else None
            lastrowid = getattr(cursor, "lastrowid", None)
        finally:
            cursor.close()
        return (None if row is None else convert(row)), lastrowid


class PreparedInsert(PreparedWrite):
    """An INSERT of one row into a table with an integer `id`; `insert` returns the new id
    (PostgreSQL: RETURNING; SQLite: the cursor's last row id, which any version gives)."""

    def __init__(self, table: Any, columns: Sequence[str]) -> None:
        self._table = table
        super().__init__(insert(table).values({c: bindparam(c) for c in columns}))

    def _statement(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return self._stmt
        return self._stmt.returning(self._table.c.id)

    def insert(self, session: Session, values: dict[str, Any]) -> int:
        row, lastrowid = self._run(session, values)
        return int(row[0] if row is not None else lastrowid)


# --- statements built per request, compiled once per shape -----------------------------------


def _observed(conn: Any) -> bool:
    """Whether anything watches the statements this Connection runs (statement listeners, echo)."""
    dispatch = conn.dispatch
    return bool(conn._echo or dispatch.before_cursor_execute or dispatch.after_cursor_execute)


class _Shape:
    __slots__ = ("binds", "compiled", "convert", "plan")

    def __init__(self, compiled: Any, convert: RowConverter, dialect: Dialect) -> None:
        self.compiled = compiled
        self.convert = convert
        # Each placeholder's bind processor (a datetime in SQLite's text form, ...).
        self.binds: dict[str, Convert] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.binds[name] = process
        self.plan = _plan(compiled, self.binds)


# Where each placeholder of a shape takes its value from: (the bind's key, its compiled
# name, its index among the cache key's bound values or None for its own, whether its value
# is computed, whether it is required, its bind processor, the bind itself).
_Step = tuple[str, str, int | None, bool, bool, Convert | None, Any]


def _plan(compiled: Any, binds: Mapping[str, Convert]) -> tuple[_Step, ...] | None:
    """The placeholders' values worked out once per shape, as SQLAlchemy's
    `construct_params` and `construct_expanded_state` work them out on every call (about 40
    us of a list page): None for what that shortcut does not cover (expanding lists, values
    rendered into the text, escaped names), which then takes SQLAlchemy's way."""
    if (
        compiled.positiontup is None
        or compiled.cache_key is None
        or compiled.post_compile_params
        or compiled.literal_execute_params
        or compiled.escaped_bind_names
        or getattr(compiled, "_collect_params", False)
    ):
        return None
    matched, _ = compiled._cache_key_bind_match
    place = {bind: index for index, orig in enumerate(compiled.cache_key[1]) for bind in matched.get(orig, ())}
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    steps: list[_Step] = []
    for name in compiled.positiontup:
        bind = by_name.get(name)
        if bind is None:
            return None
        steps.append(
            (bind.key, name, place.get(bind), bind.callable is not None, bool(bind.required), binds.get(name), bind)
        )
    return tuple(steps)


def _planned_values(
    plan: tuple[_Step, ...], params: Mapping[str, Any] | None, extracted: Sequence[Any]
) -> list[Any] | None:
    """The driver's values by the shape's plan; None when a required value is missing (the
    caller then lets SQLAlchemy raise its own error)."""
    values: list[Any] = []
    for key, name, index, computed, required, process, bind in plan:
        if params and key in params:
            value = params[key]
        elif params and name in params:
            value = params[name]
        elif required and params is not None:
            return None
        else:
            source = bind if index is None else extracted[index]
            value = source.effective_value if computed else source.value
        values.append(process(value) if process is not None and value is not None else value)
    return values


class ShapeCache:
    """Column SELECTs built per request (a list's filters, sort and page), run on the driver.

    Two statements that differ only in their values share a shape (SQLAlchemy's cache key):
    the shape is compiled once, for positional placeholders, with the converters a Prepared
    statement uses; each run only extracts the values, expands IN lists and binds them
    through the dialect's bind processors (so a datetime is written exactly as the ORM
    would). At most `size` shapes are kept, the least recently used leaving first. The
    statement must select columns only (no ORM entities): rows come back as lists.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._shapes: dict[tuple[str, Any], _Shape] = {}
        # Statements built once and run many times (listing.py's offset pages) find their
        # shape by identity: a cache key is a deep tuple, and hashing it twice per run (to
        # find its shape and to mark it recently used) cost about 2% of a list page.
        self._pinned: dict[int, tuple[Any, str, _Shape]] = {}

    def _pinned_shape(self, stmt: Any, dialect: Dialect) -> _Shape | None:
        found = self._pinned.get(id(stmt))
        if found is not None and found[0] is stmt and found[1] == dialect.name:
            return found[2]
        return None

    def _pin(self, stmt: Any, dialect: Dialect, shape: _Shape) -> None:
        if len(self._pinned) >= self._size:
            self._pinned.clear()  # bounded; the statements held here stay alive, so ids are not reused
        self._pinned[id(stmt)] = (stmt, dialect.name, shape)

    def __len__(self) -> int:
        return len(self._shapes)

    def _shape(self, stmt: Any, key: Any, dialect: Dialect) -> _Shape:
        index = (dialect.name, key.key)
        shape = self._shapes.pop(index, None)
        if shape is None:
            target = positional(dialect)
            compiled = stmt.compile(dialect=target, cache_key=key)
            shape = _Shape(compiled, converters(list(stmt.selected_columns), target), target)
            if len(self._shapes) >= self._size:
                del self._shapes[next(iter(self._shapes))]
        self._shapes[index] = shape  # most recently used last
        return shape

    def rows(
        self, session: Session, stmt: Any, params: Mapping[str, Any] | None = None, *, extracted: Any = None
    ) -> list[list[Any]]:
        """The converted rows of `stmt`, in the session's transaction (pending changes flushed);
        `params` gives the values of the parameters it names (bindparam("name") with no value),
        `extracted` the bound values to use in place of those of its cache key, in their order
        (a statement built once and run with another request's values: listing.py)."""
        session.flush()
        # A loop read unit's own Connection when the ORM has not begun a transaction on it
        # (core/db.py CONNECTION_INFO): the session's transaction would cost more than a page.
        conn = session.info.get(CONNECTION_INFO)
        if conn is None or session.in_transaction():
            conn = session.connection()
        key = stmt._generate_cache_key()
        if key is None:  # a construct SQLAlchemy cannot cache: let it run the statement
            return [list(row) for row in conn.execute(stmt, dict(params) if params else None)]
        dialect = conn.dialect
        # In a loop read unit the transaction is open on the driver itself (core/db.py
        # DRIVER_INFO), as for Prepared statements: run there, without the Connection's
        # execution context, result object and autobegun transaction (about a tenth of a
        # list page). Unless someone listens to the engine's statements (tests counting
        # them, a tracer): then through the Connection, which tells them.
        direct = session.info.get(DRIVER_INFO)
        if direct is not None and _observed(conn):
            direct = None
        shape = self._pinned_shape(stmt, dialect) if extracted is not None else None
        if shape is None:
            shape = self._shape(stmt, key, dialect)
            if extracted is not None:
                self._pin(stmt, dialect, shape)
        compiled = shape.compiled
        bound = key.bindparams if extracted is None else extracted
        planned = None if shape.plan is None else _planned_values(shape.plan, params, bound)
        if planned is not None:
            statement, values = compiled.string, planned
        else:
            state = compiled.construct_expanded_state(
                compiled.construct_params(
                    dict(params) if params else None, extracted_parameters=bound, _check=params is not None
                )
            )
            # Expanded IN lists come with their own processors; every other value has its bind's.
            expanded, binds = state.processors, shape.binds
            values = []
            for name in state.positiontup or ():
                value = state.parameters[name]
                process = expanded.get(name) or binds.get(name)
                values.append(process(value) if process is not None and value is not None else value)
            statement = state.statement
        if direct is not None:
            before_driver_statement(session.info, direct[0])
            cursor = direct[0].cursor()
            try:
                cursor.execute(statement, tuple(values))
                found = cursor.fetchall()
            finally:
                cursor.close()
        else:
            found = conn.exec_driver_sql(statement, tuple(values)).fetchall()
        convert = shape.convert
        return [convert(row) for row in found]


SHAPES = ShapeCache()
