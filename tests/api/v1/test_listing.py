"""The list pipeline (core/query/listing.py) seen through lists: when it counts, how it
counts, and cursor paging on lists that used to page by offset only.

The statements are observed on the database engine the server runs on (an SQLAlchemy
event listener), so "no count was run" is a fact about the database, not about a stub.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from polytask.core.db import Database
from polytask.core.query.listing import _compiled
from polytask.core.query.tree import Condition
from polytask.core.query.values import Context
from polytask.domain.tasks.queries import TASK_FIELDS
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task

COUNT = re.compile(r"SELECT count\(\*\) AS \w+\s+FROM (?P<from>\S+)", re.IGNORECASE)


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run while the block runs, on any of the server's engines (the
    worker threads' pool, and on SQLite the event loop's own connection for read units)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    del db  # the listener is on the Engine class: every engine the app made
    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def task_counts(seen: list[str]) -> list[str]:
    """The count statements over the tasks table (their FROM as written)."""
    return [m.group("from") for s in seen if (m := COUNT.search(s)) and "tasks" in m.group("from")]


def get(client: httpx.Client, who: Person, url: str) -> dict[str, Any]:
    r = client.get(url, headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
def three_tasks(client: httpx.Client, db: Database) -> tuple[Person, str]:
    alice = make_person(db)
    project = make_project(client, alice)
    for name in ("one", "two", "three"):
        make_task(client, alice, project, name=name)
    return alice, project


def test_a_cursor_page_counts_only_when_asked(
    client: httpx.Client, db: Database, three_tasks: tuple[Person, str]
) -> None:
    alice, project = three_tasks
    with statements(db) as seen:
        first = get(client, alice, f"/v1/tasks?project_id={project}&cursor=&limit=2")
    assert "total" not in first["meta"]
    assert first["meta"]["next_cursor"]
    assert task_counts(seen) == []
    with statements(db) as seen:
        counted = get(client, alice, f"/v1/tasks?project_id={project}&cursor=&limit=2&total=true")
    assert counted["meta"]["total"] == 3
    # One count, straight over the table (no subquery around the list's SELECT), so the
    # planner can answer it from an index.
    assert task_counts(seen) == ["tasks"]
    assert not any("FROM (SELECT" in s for s in seen if COUNT.search(s))
    # A later page asked for its total counts again: it cannot know the rows before it.
    with statements(db) as seen:
        later = client.get(first["links"]["next"] + "&total=true", headers=alice.headers).json()
    assert [t["attributes"]["name"] for t in later["data"]] == ["three"]
    assert later["meta"]["total"] == 3
    assert task_counts(seen) == ["tasks"]


def test_a_page_that_shows_the_end_needs_no_count(
    client: httpx.Client, db: Database, three_tasks: tuple[Person, str]
) -> None:
    alice, project = three_tasks
    cases = [
        ("limit=10", 3, False),  # the whole list on one page
        ("limit=2&offset=2", 1, False),  # the last, short page
        ("limit=2&total=true", 2, True),  # a full page asked for its total: more may follow
        ("limit=2&offset=9&total=true", 0, True),  # past the end: nothing on the page says how many
        ("cursor=&limit=10&total=true", 3, False),  # a first cursor page with no next
        ("cursor=&limit=10", 3, False),  # the same, not even asked
    ]
    for query, shown, counts in cases:
        with statements(db) as seen:
            body = get(client, alice, f"/v1/tasks?project_id={project}&{query}")
        assert len(body["data"]) == shown, query
        assert body["meta"]["total"] == 3, query
        assert task_counts(seen) == (["tasks"] if counts else []), query


def test_a_full_page_counts_only_when_asked(
    client: httpx.Client, db: Database, three_tasks: tuple[Person, str]
) -> None:
    """Counting is what grows with the data: an offset page not asked for its total (and
    not showing the end) runs no count and says nothing about it; its next link is there."""
    alice, project = three_tasks
    for query in ("limit=2", "page=1&per_page=2", "limit=2&offset=9", "limit=2&total=false"):
        with statements(db) as seen:
            body = get(client, alice, f"/v1/tasks?project_id={project}&{query}")
        assert task_counts(seen) == [], query
        assert "total" not in body["meta"], query
        assert "last" not in body["links"], query
    first = get(client, alice, f"/v1/tasks?project_id={project}&limit=2")
    assert first["links"]["next"]
    rest = get(client, alice, first["links"]["next"])
    assert [t["attributes"]["name"] for t in rest["data"]] == ["three"]
    assert rest["meta"]["total"] == 3  # the short last page shows the end
    r = client.get(f"/v1/tasks?project_id={project}&limit=2&total=maybe", headers=alice.headers)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["field"] == "total"


def test_members_page_by_cursor(client: httpx.Client, db: Database) -> None:
    alice = make_person(db, name="Alice")
    for name in ("Erin", "Bob", "Dave", "Carol"):
        join(db, alice, make_person(db, name=name))
    url = f"/v1/workspaces/{alice.workspace}/users?sort=-name&limit=2&cursor="
    names: list[str] = []
    body = get(client, alice, url + "&total=true")
    assert body["meta"]["total"] == 5
    while True:
        names += [m["attributes"]["name"] for m in body["data"]]
        if not body["links"]["next"]:
            break
        body = get(client, alice, body["links"]["next"])
    assert names == ["Erin", "Dave", "Carol", "Bob", "Alice"]
    # Offset paging answers as before.
    offset = get(client, alice, f"/v1/workspaces/{alice.workspace}/users?sort=-name&limit=2&offset=2&total=true")
    assert [m["attributes"]["name"] for m in offset["data"]] == ["Carol", "Bob"]
    assert offset["meta"]["total"] == 5


def test_sections_page_by_cursor_in_board_order(client: httpx.Client, db: Database) -> None:
    alice = make_person(db)
    project = make_project(client, alice)
    for name, position in (("c", 3.0), ("a", 1.0), ("b", 2.0)):
        r = client.post(
            f"/v1/projects/{project}/sections", json={"name": name, "position": position}, headers=alice.headers
        )
        assert r.status_code == 201, r.text
    first = get(client, alice, f"/v1/projects/{project}/sections?cursor=&limit=2")
    assert [s["attributes"]["name"] for s in first["data"]] == ["a", "b"]
    rest = get(client, alice, first["links"]["next"])
    assert [s["attributes"]["name"] for s in rest["data"]] == ["c"]
    assert rest["links"]["next"] is None


@pytest.mark.parametrize("sort", ["name", "-name", "-created_at", "priority", "-due_date,name", "position"])
def test_cursor_walks_match_offset_pages(client: httpx.Client, db: Database, sort: str) -> None:
    """Keyset pages over NOT NULL columns (no NULLS LAST written), nullable ones and ranks
    put the rows in the order offset pages do, ties by id."""
    alice = make_person(db)
    project = make_project(client, alice)
    for i, (name, priority, due) in enumerate(
        [("b", "high", None), ("a", "low", "2030-01-02"), ("b", None, "2030-01-01"), ("c", "high", None)] * 2
    ):
        fields: dict[str, Any] = {"name": name, "position": float(i % 3)}
        if priority:
            fields["priority"] = priority
        if due:
            fields["due_date"] = due
        make_task(client, alice, project, **fields)
    everything = get(client, alice, f"/v1/tasks?project_id={project}&sort={sort}&limit=100")
    expected = [t["id"] for t in everything["data"]]
    assert len(expected) == 8
    walked: list[str] = []
    url: str | None = f"/v1/tasks?project_id={project}&sort={sort}&limit=3&cursor="
    while url:
        body = get(client, alice, url)
        walked += [t["id"] for t in body["data"]]
        url = body["links"]["next"]
        assert len(walked) <= 8
    assert walked == expected


def test_a_filter_asked_again_answers_for_its_caller_and_the_data_of_now(client: httpx.Client, db: Database) -> None:
    """A filter seen before reuses its compiled expression (listing.py `_compiled`): `me`
    still means whoever asks, and the answer is read afresh each time."""
    alice, bob = make_person(db), make_person(db)
    join(db, alice, bob)
    project = make_project(client, alice)
    mine = make_task(client, alice, project, name="alice's", assignee_ids=[alice.id])["id"]
    theirs = make_task(client, alice, project, name="bob's", assignee_ids=[bob.id])["id"]

    def assigned_to_me(who: Person) -> list[str]:
        r = client.get(f"/v1/projects/{project}/tasks", params={"assignee": "me"}, headers=who.headers)
        assert r.status_code == 200, r.text
        return [t["id"] for t in r.json()["data"]]

    for _ in range(2):
        assert assigned_to_me(alice) == [mine]
        assert assigned_to_me(bob) == [theirs]
    newer = make_task(client, alice, project, name="bob's too", assignee_ids=[bob.id])["id"]
    assert assigned_to_me(bob) == [theirs, newer]


def test_a_filter_relative_to_the_clock_is_compiled_for_each_request() -> None:
    """`now` and `today` move: a tree holding them is never taken from the memo."""

    def bound(tree: Condition, ctx: Context) -> list[Any]:
        clause, _ = _compiled(tree, TASK_FIELDS, TASK_FIELDS, ctx)
        return [bp.value for bp in clause._generate_cache_key().bindparams]

    first = Context(now=datetime(2024, 1, 1, tzinfo=UTC), user_id=1)
    later = Context(now=first.now + timedelta(days=3), user_id=1)
    relative = Condition("due_date", "lte", ("now",), "due_date[lte]", True)
    assert bound(relative, first) != bound(relative, later)
    fixed = Condition("status", "eq", ("pending",), "status", True)
    assert bound(fixed, first) == bound(fixed, later) == ["pending"]
    # The same tree asked again is the same expression.
    assert _compiled(fixed, TASK_FIELDS, TASK_FIELDS, later)[0] is _compiled(fixed, TASK_FIELDS, TASK_FIELDS, first)[0]
