"""Taskforce reads run as read transactions: they take no write lock, and the few that must
write (the first listing creates the flagship list; a first look at a task marks it seen)
ask for a write unit only then."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from polytask.core.db import Database
from tests.api.taskforce.client import Taskforce
from tests.conftest import BACKEND
from tests.factories.people import Person, join, make_person

# Tables a Taskforce read could write to if it were a write: its key's "last used" time, the
# flagship list, read receipts, events.
WRITTEN_BY_MISTAKE = ("api_keys", "task_lists", "task_seen", "events")


@contextmanager
def writers_locked_out(db: Database) -> Iterator[None]:
    """Another connection holds what any writer would need, and nothing a reader needs.

    SQLite: the database's one write lock (BEGIN IMMEDIATE). PostgreSQL: EXCLUSIVE locks on the
    tables a read might write (they conflict with writes, not with reads)."""
    if BACKEND == "sqlite":
        engine = create_engine(db.url, connect_args={"timeout": 0})
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.isolation_level = None
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                raw.execute("ROLLBACK")
        engine.dispose()
        return
    url = make_url(db.url)
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text(f"LOCK TABLE {', '.join(WRITTEN_BY_MISTAKE)} IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


def test_reads_succeed_while_another_connection_holds_the_write_lock(base_url: str, db: Database) -> None:
    alice = make_person(db, email="reader@test.com")
    tf = Taskforce(base_url, alice, "json")
    try:
        # Before the lock: the flagship list exists, the task is made, the key's use recorded.
        flagship = tf.get("/lists")["lists"][0]["id"]
        task_id = tf.post("/tasks", {"name": "Read me", "list_id": flagship})["task_id"]
        tf.get(f"/tasks/{task_id}")
        with writers_locked_out(db):
            assert tf.get(f"/tasks/{task_id}")["task"]["name"] == "Read me"
            assert [lst["id"] for lst in tf.get("/lists")["lists"]] == [flagship]
            assert [t["id"] for t in tf.get(f"/lists/{flagship}/tasks")["tasks"]] == [task_id]
            assert tf.get("/tasks/count")["task_counts"]["total"] == 1
            assert tf.get("/user")["user"]["email"] == "reader@test.com"
    finally:
        tf.close()


def test_a_read_that_must_write_becomes_a_write(base_url: str, db: Database) -> None:
    """The first listing creates the flagship list; a first look marks a shared task seen."""
    alice = make_person(db)
    bob = make_person(db)
    join(db, alice, bob)
    alices = Taskforce(base_url, alice, "json")
    bobs = Taskforce(base_url, _key_in(db, bob, alice.workspace_pk), "json")
    try:
        [flagship] = alices.get("/lists")["lists"]  # no list yet: this read wrote one
        assert flagship["flagship"] is True
        assert alices.get("/lists")["lists"] == [flagship]  # and only once
        task_id = alices.post("/tasks", {"name": "Shared", "list_id": flagship["id"]})["task_id"]
        alices.post(f"/tasks/{task_id}/add_collaborator", {"email": bob.email})
        assert bobs.get("/tasks/count")["task_counts"]["unseen"] == 1
        assert bobs.get(f"/tasks/{task_id}")["task"]["seen"] is True  # this read wrote the receipt
        assert bobs.get("/tasks/count")["task_counts"]["unseen"] == 0
        with writers_locked_out(db):
            # Seen already: opening it again writes nothing, so the lock is no obstacle.
            assert bobs.get(f"/tasks/{task_id}")["task"]["seen"] is True
    finally:
        alices.close()
        bobs.close()


def _key_in(db: Database, person: Person, workspace_pk: int) -> Person:
    """A key of `person` bound to `workspace_pk` (Taskforce acts in the key's workspace)."""
    from polytask.domain.api_keys.service import create_api_key
    from polytask.domain.users.service import get_user

    with db.unit_of_work() as session:
        user = get_user(session, person.user_id)
        secret = create_api_key(session, None, user=user, workspace_id=workspace_pk).secret
    return Person(user_id=person.user_id, email=person.email, key=secret, workspace_pk=workspace_pk)
