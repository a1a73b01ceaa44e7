"""Prepared statements (core/statements.py) hand the driver each value in its placeholder's
place: constants, named values and the items of expanding lists, in any mix, on both engines."""

from __future__ import annotations

from sqlalchemy import bindparam, literal, select, union_all

from polytask.core.db import Database
from polytask.core.statements import Prepared
from polytask.models import User
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
