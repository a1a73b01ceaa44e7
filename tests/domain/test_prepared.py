"""Prepared statements (core/statements.py) hand the driver each value in its placeholder's
place: constants, named values and the items of expanding lists, in any mix, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, literal, select, text, union_all, update
from sqlalchemy.exc import InvalidRequestError

from polytask.core.db import Database
from polytask.core.statements import Prepared, ShapeCache
from polytask.models import ApiKey, User, Workspace
from tests.factories.people import make_person


def test_lists_named_values_and_constants_reach_their_placeholders(db: Database) -> None:
    people = [make_person(db, name=f"Person {n}") for n in range(6)]
    ids = [p.user_id for p in people]
    # The list twice (one IN per branch), a named value between them and constants around them.
    stmt = union_all(
        select(User.id, literal("first").label("part")).where(
            User.id.in_(bindparam("ids", expanding=True)), User.name != bindparam("skip")
        ),
        select(User.id, literal("second")).where(User.id.in_(bindparam("ids", expanding=True)), User.id > 0),
    )
    prepared = Prepared(stmt, expanding="ids")
    with db.unit_of_work(readonly=True) as session:
        for chosen in (ids[:1], ids[1:4], ids):
            rows = prepared.rows(session, {"ids": chosen, "skip": "Person 2"})
            first = sorted(r[0] for r in rows if r[1] == "first")
            second = sorted(r[0] for r in rows if r[1] == "second")
            assert first == sorted(i for i in chosen if i != ids[2])
            assert second == sorted(chosen)


def test_list_pages_read_the_same_on_the_loop_driver_through_the_connection_and_on_a_thread(db: Database) -> None:
    """ShapeCache runs a page on a loop read unit's driver connection; with a statement listener
    attached it goes through SQLAlchemy's Connection instead, so the listener sees it. Every way
    reads the same converted rows (timestamps as datetimes, flags as booleans)."""
    people = [make_person(db, name=f"Person {n}") for n in range(4)]
    ids = sorted(p.user_id for p in people)
    stmt = (
        select(User.id, User.name, User.created_at, User.is_active)
        .where(User.id.in_(ids[1:]), User.name != bindparam("skip"))
        .order_by(User.id)
    )
    cache = ShapeCache()
    with db.unit_of_work(readonly=True) as session:
        on_thread = cache.rows(session, stmt, {"skip": "Person 2"})
    assert [r[0] for r in on_thread] == [ids[1], ids[3]]
    assert all(isinstance(r[2], datetime) and r[3] is True for r in on_thread)
    units = db.loop_units(budget_ms=1000)
    assert units is not None
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    try:
        assert units.usable_here()
        with units.unit() as session:
            on_driver = cache.rows(session, stmt, {"skip": "Person 2"})
        event.listen(Engine, "before_cursor_execute", listen)
        try:
            with units.unit() as session:
                listened = cache.rows(session, stmt, {"skip": "Person 2"})
        finally:
            event.remove(Engine, "before_cursor_execute", listen)
    finally:
        units.close()
    assert on_driver == on_thread
    assert listened == on_thread
    assert any("FROM users" in s for s in seen)


def test_a_statement_run_in_parts_reads_what_its_union_reads(db: Database) -> None:
    """`parts` runs the arms of a UNION ALL one after another (SQLite, several values in the
    expanding list): the same rows as the union, named values and constants included, for
    one value, several and none matching. On another engine the union itself runs."""
    people = [make_person(db, name=f"Part {n}") for n in range(5)]
    ids = [p.user_id for p in people]

    def arms() -> list[Any]:
        return [
            select(User.id, literal("a").label("kind"), User.name).where(
                User.id.in_(bindparam("ids", expanding=True)), User.name != bindparam("skip")
            ),
            select(User.id, literal("b"), User.username).where(User.id.in_(bindparam("ids", expanding=True))),
        ]

    whole = Prepared(union_all(*arms()), expanding="ids")
    split = Prepared(union_all(*arms()), expanding="ids", parts={db.engine.dialect.name: arms()})
    with db.unit_of_work(readonly=True) as session:
        for chosen in (ids[:1], ids[1:4], ids, [max(ids) + 1000, max(ids) + 1001]):
            values = {"ids": chosen, "skip": "Part 2"}
            expected = sorted(whole.rows(session, values))
            assert sorted(split.rows(session, values)) == expected
            assert len(expected) == 2 * len(set(chosen) & set(ids)) - (ids[2] in chosen)


def test_a_shape_run_with_another_statements_values_reads_what_that_statement_reads(db: Database) -> None:
    """ShapeCache works a shape's placeholders out once (core/statements.py `_plan`): a statement
    built once and run with the values of later ones of its shape (listing.py's offset pages)
    reads what each of those reads through SQLAlchemy, constants, named values, computed values
    and a timestamp (bound through its processor) alike; a missing named value is refused as
    SQLAlchemy refuses it, and an expanding list takes SQLAlchemy's way."""
    people = [make_person(db, name=f"Shape {n}") for n in range(6)]
    ids = sorted(p.user_id for p in people)
    future = datetime(2100, 1, 1)

    def stmt(low: int, name: str) -> Any:
        return (
            select(User.id, User.name)
            .where(
                User.id >= low,
                User.name != name,
                User.created_at < future,
                User.id != bindparam("skip"),
                User.id > bindparam("computed", callable_=lambda: ids[0] - 1),
            )
            .order_by(User.id)
            .limit(10)
        )

    first = stmt(ids[0], "Shape 1")
    cache = ShapeCache()
    with db.unit_of_work(readonly=True) as session:
        for low, name, skip in ((ids[0], "Shape 1", ids[3]), (ids[2], "Shape 4", ids[5]), (ids[1], "Shape 0", 0)):
            later = stmt(low, name)
            expected = [list(r) for r in session.execute(later, {"skip": skip}).all()]
            assert expected, "each case reads some rows"
            bound = later._generate_cache_key().bindparams
            assert cache.rows(session, first, {"skip": skip}, extracted=bound) == expected
            assert cache.rows(session, later, {"skip": skip}) == expected
        with pytest.raises(InvalidRequestError):
            cache.rows(session, first, {}, extracted=first._generate_cache_key().bindparams)
        listed = select(User.id).where(User.id.in_(ids[:3])).order_by(User.id)
        assert [r[0] for r in cache.rows(session, listed)] == ids[:3]
    assert len(cache) == 2


def test_rows_convert_as_the_orm_reads_them(db: Database) -> None:
    """Prepared rows (a converter written per statement: core/statements.py `converters`) hold
    what the ORM reads: NULLs, timestamps with and without microseconds, JSON with a wide
    integer; on SQLite also a timestamp stored without its fraction, which only the dialect's
    own reader takes."""
    person = make_person(db, name="Converted")
    with db.unit_of_work() as session:
        key_id = session.scalars(select(ApiKey.id).where(ApiKey.user_id == person.user_id)).one()
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(scopes=["tasks:read"], expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), last_used_at=None)
        )
        session.execute(
            update(Workspace).where(Workspace.id == person.workspace_pk).values(settings={"big": 2**70, "n": 1.5})
        )
    if db.is_sqlite:
        with db.unit_of_work() as session:
            fractionless = text("UPDATE api_keys SET created_at = '2024-02-10 17:00:00' WHERE id = :id")
            session.execute(fractionless, {"id": key_id})
    stmt = (
        select(
            ApiKey.id,
            ApiKey.name,
            ApiKey.scopes,
            ApiKey.expires_at,
            ApiKey.last_used_at,
            ApiKey.created_at,
            Workspace.settings,
            Workspace.security,
        )
        .join_from(ApiKey, Workspace, Workspace.id == person.workspace_pk)
        .where(ApiKey.id == key_id)
    )
    with db.unit_of_work(readonly=True) as session:
        by_orm = [list(row) for row in session.execute(stmt)]
        prepared = Prepared(stmt).rows(session, {})
    assert prepared == by_orm
    (row,) = prepared
    assert row[2] == ["tasks:read"]
    assert row[3].replace(tzinfo=UTC) == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert row[4] is None
    assert row[6] == {"big": 2**70, "n": 1.5}
    if db.is_sqlite:
        assert row[5] == datetime(2024, 2, 10, 17, 0, 0)
