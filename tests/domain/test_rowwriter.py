"""RowWriter (core/rowwriter.py): rows written together (on PostgreSQL in one pipeline) land
together; a failure among them is raised and the unit leaves nothing behind, on both engines."""

from __future__ import annotations

import sqlite3

import httpx
import psycopg
import pytest
from sqlalchemy import select

from polytask.core.db import Database
from polytask.core.rowwriter import RowWriter
from polytask.models import TaskLabel
from tests.factories.people import make_person
from tests.factories.work import make_project, make_task


def _labels(db: Database, task_id: int) -> list[str]:
    with db.unit_of_work(readonly=True) as session:
        return sorted(session.scalars(select(TaskLabel.label).where(TaskLabel.task_id == task_id)))


def test_rows_written_together_land_and_a_failure_among_them_leaves_nothing(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    first = int(make_task(client, alice, project)["id"].removeprefix("task_"))
    second = int(make_task(client, alice, project)["id"].removeprefix("task_"))
    missing = second + 1_000_000  # no such task: a label of it breaks the foreign key

    with db.unit_of_work() as session:
        writer = RowWriter(session)
        with writer.together(10):
            writer.insert("task_labels", ("task_id", "label"), [(first, "a"), (first, "b")])
            writer.insert("task_labels", ("task_id", "label"), [])  # nothing to write: nothing sent
            writer.insert("task_labels", ("task_id", "label"), [(second, "c")])
    assert _labels(db, first) == ["a", "b"]
    assert _labels(db, second) == ["c"]

    # A good insert, then a failing one, in one block: the error is raised (on PostgreSQL when
    # the pipeline syncs at the block's end) and the unit rolls back, the good row included.
    # RowWriter talks to the driver: its own error type reaches the caller.
    def good_then_failing() -> None:
        with db.unit_of_work() as session:
            writer = RowWriter(session)
            with writer.together(10):
                writer.insert("task_labels", ("task_id", "label"), [(second, "d")])
                writer.insert("task_labels", ("task_id", "label"), [(missing, "e")])

    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)):
        good_then_failing()
    assert _labels(db, second) == ["c"]
    assert _labels(db, missing) == []


def test_together_refuses_more_rows_than_it_was_told(db: Database) -> None:
    with db.unit_of_work(readonly=True) as session:
        writer = RowWriter(session)
        if not writer.postgres:
            pytest.skip("the bound matters only where a pipeline is used (PostgreSQL)")
        with pytest.raises(ValueError, match=r"more than RowWriter\.together"), writer.together(4):
            writer.insert("task_labels", ("task_id", "label"), [(1, str(n)) for n in range(3000)])
