"""Writing many rows straight through the database driver, inside the session's transaction.

Why this exists: for 10,000 new tasks, SQLAlchemy's per-row parameter processing and
psycopg's client-side conversion of multi-row statements (thousands of placeholders, parsed
again for every statement) cost several times the database's own work; see
docs/performance.md, "Bulk create". This is the one place in the domain that uses the DBAPI
connection. It shares the session's connection and transaction, so the rows commit or roll
back with everything else in the unit of work.

Callers give rows as tuples in the table's column order they name, with each value already
in the form the column stores: timestamps through `timestamp`, JSON documents through
`json`. Nothing here runs ORM events or column defaults: every column must be given.

- SQLite: multi-row `INSERT ... VALUES (?, ...), (...)` statements. The tasks table's FTS5
  trigger runs several times faster inside a few large statements than across one
  statement per row.
- PostgreSQL: `COPY ... FROM STDIN` (row triggers still fire, so the search index stays
  current), with ids reserved from the tables' own sequences up front; a few rows (a
  one-task create) go in one multi-row INSERT instead, a round trip fewer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.orm import Session

from polytask.core.jsontext import dumps

# Rows per multi-row INSERT on SQLite: large enough that statement overhead vanishes,
# small enough to stay under the driver's bound-variable limit for wide tables.
_SQLITE_ROWS_PER_STATEMENT = 500

# PostgreSQL: up to this many values a multi-row INSERT, beyond it COPY. COPY costs a
# round trip more than an INSERT (the server answers the COPY command before the rows go
# out), which a create's one task row and one event row paid each: 0.90 of a create's CPU
# with INSERT (bench/paired.py, durable cluster); a bulk request's thousands of rows stay
# with COPY, whose per-row cost is far lower.
_POSTGRES_INSERT_VALUES = 2000


_STAMPS: dict[str, Callable[[Any], Any] | None] = {}


def _timestamp_processor(dialect: Any) -> Callable[[Any], Any] | None:
    """The dialect's bind processor for timestamps, worked out once per dialect (adapting a
    type to a dialect is no small part of a one-task create)."""
    name = dialect.name
    if name not in _STAMPS:
        _STAMPS[name] = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    return _STAMPS[name]


class RowWriter:
    """Bulk inserts for one unit of work; create it after the rows' validation is done."""

    def __init__(self, session: Session) -> None:
        # Objects still pending in the ORM go in first, so raw rows that refer to them
        # (and anything the caller reads back) see them.
        session.flush()
        self._session = session
        connection = session.connection()
        dialect = connection.dialect
        self.postgres = dialect.name == "postgresql"
        self._driver: Any = connection.connection.driver_connection
        # SQLite stores timestamps as text in SQLAlchemy's layout; reuse its own converter so
        # rows written here read back exactly like rows written through the ORM.
        self._stamp = _timestamp_processor(dialect)
        self._pipelined = False

    def timestamp(self, value: datetime | None) -> Any:
        """A timestamp in the column's stored form (psycopg takes datetimes as they are)."""
        if value is None or self._stamp is None:
            return value
        return self._stamp(value)

    @staticmethod
    def json(value: Any) -> str:
        """A JSON document as text: SQLite's JSON columns and PostgreSQL's jsonb both accept it.

        orjson is several times faster than the json module SQLAlchemy uses; the text differs
        only in whitespace, which readers never see (core/jsontext.py writes any integer wider
        than orjson takes exactly; request bodies holding one are refused before they get here).
        """
        return dumps(value).decode()

    def reserve_ids(self, counts: dict[str, int]) -> dict[str, list[int]]:
        """Primary keys for new rows of each table (its integer `id` column): `counts` gives
        how many per table.

        PostgreSQL: values drawn from the columns' own sequences, which never hand one out
        twice; every table's in one statement (a round trip each cost about 3% of a one-task
        create). SQLite: write transactions begin IMMEDIATE, so no other writer can insert
        between reading a table's high-water mark (AUTOINCREMENT's sqlite_sequence included)
        and our insert; explicit ids above the mark move sqlite_sequence on as usual.
        """
        wanted = {table: count for table, count in counts.items() if count > 0}
        out: dict[str, list[int]] = {table: [] for table in counts}
        if not wanted:
            return out
        if self.postgres:
            # One array per table: 10,000 rows of one value each cost more to fetch.
            arms = ", ".join(
                f"(SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) FROM generate_series(1, %s))"
                for table in wanted
            )
            found = self._row(f"SELECT {arms}", tuple(wanted.values()))
            for table, values in zip(wanted, found, strict=True):
                out[table] = sorted(int(v) for v in values)
            return out
        for table, count in wanted.items():
            top = self._row(
                f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0),"
                f" coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0))",
                (),
            )[0]
            first = int(top or 0) + 1
            out[table] = list(range(first, first + count))
        return out

    def _row(self, sql: str, params: tuple[Any, ...]) -> Any:
        """The one row `sql` returns, asked of the driver directly."""
        cursor = self._driver.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()
        finally:
            cursor.close()

    @contextmanager
    def together(self, values: int) -> Iterator[None]:
        """The inserts made inside go to the database together: on PostgreSQL in one pipeline
        (one round trip for all of them instead of one each; their errors are raised when the
        block ends), when none of them holds more than `values` values (above that an insert
        is a COPY, which a pipeline cannot carry). SQLite: nothing changes."""
        if not self.postgres or values > _POSTGRES_INSERT_VALUES:
            yield
            return
        with self._driver.pipeline():
            self._pipelined = True
            try:
                yield
            finally:
                self._pipelined = False

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert `rows` (tuples in `columns` order) into `table`."""
        if not rows:
            return
        names = ", ".join(columns)
        if self._pipelined and len(rows) * len(columns) > _POSTGRES_INSERT_VALUES:
            raise ValueError(f"{len(rows)} rows of {table} are more than RowWriter.together() was told")
        if self.postgres and len(rows) * len(columns) <= _POSTGRES_INSERT_VALUES:
            one = "(" + ", ".join(["%s"] * len(columns)) + ")"
            with self._driver.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(rows))}",
                    [value for row in rows for value in row],
                )
            return
        if self.postgres:
            with self._driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        width = len(columns)
        limit = self._driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per_statement = max(1, min(_SQLITE_ROWS_PER_STATEMENT, limit // width))
        one = "(" + ", ".join("?" * width) + ")"
        cursor = self._driver.cursor()
        try:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                values = ", ".join([one] * len(chunk))
                params = [value for row in chunk for value in row]
                cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)
        finally:
            cursor.close()
