"""Every example of the Taskforce API v1 document, replayed over HTTP in JSON and in XML.

Each test makes the request the spec shows and checks the response has the example's shape
(the same names, the same kinds of values) and the values that follow from the request.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from polytask.core.db import Database
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, join, make_person

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
TASK_KEYS = {
    "id",
    "user_id",
    "owner",
    "name",
    "seen",
    "due_at",
    "completed_at",
    "delayed_until",
    "created",
    "modified",
    "lists",
    "collaborators",
    "emails",
}
LIST_KEYS = {"id", "name", "description", "flagship", "added_by", "created", "modified", "collaborators", "task_counts"}
COUNT_KEYS = {"total", "active", "complete", "delayed", "overdue", "unseen"}


def flagship_id(tf: Taskforce) -> int:
    [flagship] = [lst for lst in tf.get("/lists")["lists"] if lst["flagship"]]
    return int(flagship["id"])


def new_task(tf: Taskforce, name: str = "file the TPS reports", list_id: int | None = None) -> int:
    body = tf.post("/tasks", {"name": name, "list_id": list_id or flagship_id(tf)})
    return int(body["task_id"])


def assert_task_shape(task: dict[str, Any]) -> None:
    assert set(task) >= TASK_KEYS
    assert isinstance(task["id"], int)
    assert isinstance(task["user_id"], int)
    assert isinstance(task["owner"], bool)
    assert isinstance(task["seen"], bool)
    assert TIMESTAMP.match(task["created"])
    assert TIMESTAMP.match(task["modified"])
    for key in ("due_at", "completed_at", "delayed_until"):
        assert task[key] is None or DATE.match(task[key])
    assert all(set(item) == {"id"} for item in task["lists"])
    assert all(set(item) == {"email"} for item in task["collaborators"])
    assert all(set(item) == {"sender", "subject", "gmail_thread_id"} for item in task["emails"])


def assert_list_shape(lst: dict[str, Any]) -> None:
    assert set(lst) == LIST_KEYS
    assert isinstance(lst["flagship"], bool)
    assert isinstance(lst["added_by"], int)
    assert TIMESTAMP.match(lst["created"])
    assert TIMESTAMP.match(lst["modified"])
    assert set(lst["task_counts"]) == COUNT_KEYS
    counts = lst["task_counts"]
    assert counts["total"] == counts["active"] + counts["complete"] + counts["delayed"]


# --- User ------------------------------------------------------------------------------------


def test_get_user(tf: Taskforce, alice: Person) -> None:
    body = tf.get("/user")
    assert body["success"] is True
    user = body["user"]
    assert set(user) == {"name", "email", "created", "service", "api_key"}
    assert user["name"] == "John Doe"
    assert user["email"] == "johndoe@test.com"
    assert TIMESTAMP.match(user["created"])
    assert user["api_key"] == alice.key


# --- Tasks -----------------------------------------------------------------------------------


def test_get_tasks(tf: Taskforce, db: Database, alice: Person) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    task_id = new_task(tf)
    tf.post(f"/tasks/{task_id}/set_due_date", {"date": "12/02/2010"})
    tf.post(f"/tasks/{task_id}/set_start_date", {"date": "11/30/2010"})
    tf.post(f"/tasks/{task_id}/complete")
    tf.post(f"/tasks/{task_id}/add_collaborator", {"email": bob.email})
    tf.post(
        f"/tasks/{task_id}/add_email",
        {"gmail_thread_id": "12c3f0e", "subject": "read this report", "sender": bob.email},
    )
    body = tf.get("/tasks")
    assert body["success"] is True
    [task] = body["tasks"]
    assert_task_shape(task)
    assert task["id"] == task_id
    assert task["user_id"] == alice.user_id
    assert task["owner"] is True
    assert task["name"] == "file the TPS reports"
    assert task["seen"] is True
    assert task["due_at"] == "12/02/2010"
    assert task["delayed_until"] == "11/30/2010"
    assert DATE.match(task["completed_at"])
    assert task["lists"] == [{"id": flagship_id(tf)}]
    assert task["collaborators"] == [{"email": bob.email}]
    assert task["emails"] == [{"sender": bob.email, "subject": "read this report", "gmail_thread_id": "12c3f0e"}]


def test_create_task(tf: Taskforce) -> None:
    body = tf.post("/tasks", {"name": "file the TPS reports", "list_id": flagship_id(tf), "details": "by Friday"})
    assert body["success"] is True
    assert isinstance(body["task_id"], int)
    task = tf.get(f"/tasks/{body['task_id']}")["task"]
    assert task["name"] == "file the TPS reports"
    assert task["details"] == "by Friday"


def test_get_task(tf: Taskforce) -> None:
    task_id = new_task(tf)
    body = tf.get(f"/tasks/{task_id}")
    assert body["success"] is True
    assert_task_shape(body["task"])
    assert body["task"]["id"] == task_id


def test_update_task(tf: Taskforce) -> None:
    task_id = new_task(tf)
    tf.post(f"/tasks/{task_id}", {"details": "new details"})
    assert tf.post(f"/tasks/{task_id}", {"name": "renamed"}) == {"success": True}
    task = tf.get(f"/tasks/{task_id}")["task"]
    # Only the attributes given change.
    assert task["name"] == "renamed"
    assert task["details"] == "new details"


def test_count_tasks(tf: Taskforce) -> None:
    for name in ("a", "b", "c"):
        new_task(tf, name)
    body = tf.get("/tasks/count")
    assert body["success"] is True
    counts = body["task_counts"]
    assert set(counts) == COUNT_KEYS
    assert counts == {"total": 3, "active": 3, "complete": 0, "delayed": 0, "overdue": 0, "unseen": 0}


def test_add_and_remove_task_collaborator(tf: Taskforce, db: Database, alice: Person) -> None:
    bob = make_person(db, email="bob@test.com")
    join(db, alice, bob)
    task_id = new_task(tf)
    assert tf.post(f"/tasks/{task_id}/add_collaborator", {"email": "bob@test.com"}) == {"success": True}
    assert tf.get(f"/tasks/{task_id}")["task"]["collaborators"] == [{"email": "bob@test.com"}]
    assert tf.post(f"/tasks/{task_id}/remove_collaborator", {"email": "bob@test.com"}) == {"success": True}
    assert tf.get(f"/tasks/{task_id}")["task"]["collaborators"] == []


def test_complete_and_uncomplete(tf: Taskforce) -> None:
    task_id = new_task(tf)
    assert tf.post(f"/tasks/{task_id}/complete") == {"success": True}
    assert DATE.match(tf.get(f"/tasks/{task_id}")["task"]["completed_at"])
    assert tf.get("/tasks/count")["task_counts"]["complete"] == 1
    assert tf.post(f"/tasks/{task_id}/uncomplete") == {"success": True}
    assert tf.get(f"/tasks/{task_id}")["task"]["completed_at"] is None
    assert tf.get("/tasks/count")["task_counts"]["active"] == 1


@pytest.mark.parametrize(("endpoint", "field"), [("set_due_date", "due_at"), ("set_start_date", "delayed_until")])
def test_set_dates(tf: Taskforce, endpoint: str, field: str) -> None:
    task_id = new_task(tf)
    assert tf.post(f"/tasks/{task_id}/{endpoint}", {"date": "03/22/2012"}) == {"success": True, "date": "03/22/2012"}
    assert tf.get(f"/tasks/{task_id}")["task"][field] == "03/22/2012"


def test_add_to_and_remove_from_list(tf: Taskforce) -> None:
    task_id = new_task(tf)
    other = int(tf.post("/lists", {"name": "Business Tasks"})["list_id"])
    assert tf.post(f"/tasks/{task_id}/add_to_list", {"list_id": other}) == {"success": True}
    # A task can be in several lists.
    assert tf.get(f"/tasks/{task_id}")["task"]["lists"] == [{"id": flagship_id(tf)}, {"id": other}]
    assert tf.post(f"/tasks/{task_id}/remove_from_list", {"list_id": other}) == {"success": True}
    assert tf.get(f"/tasks/{task_id}")["task"]["lists"] == [{"id": flagship_id(tf)}]


def test_add_comment(tf: Taskforce, base_url: str, alice: Person) -> None:
    import httpx

    task_id = new_task(tf)
    assert tf.post(f"/tasks/{task_id}/add_comment", {"comment": "on it"}) == {"success": True}
    # The comment is the core's comment, readable through /v1.
    r = httpx.get(f"{base_url}/v1/tasks/task_{task_id}/comments", headers=alice.headers)
    assert r.status_code == 200, r.text
    assert [c["attributes"]["body"] for c in r.json()["data"]] == ["on it"]


def test_add_and_remove_email(tf: Taskforce) -> None:
    task_id = new_task(tf)
    body = {"gmail_thread_id": "12c3f0e", "subject": "read this report and get back to me", "sender": "a@test.com"}
    assert tf.post(f"/tasks/{task_id}/add_email", body) == {"success": True}
    assert tf.get(f"/tasks/{task_id}")["task"]["emails"] == [
        {"sender": "a@test.com", "subject": "read this report and get back to me", "gmail_thread_id": "12c3f0e"}
    ]
    assert tf.post(f"/tasks/{task_id}/remove_email", {"gmail_thread_id": "12c3f0e"}) == {"success": True}
    assert tf.get(f"/tasks/{task_id}")["task"]["emails"] == []


def test_delete_task(tf: Taskforce) -> None:
    task_id = new_task(tf)
    assert tf.post(f"/tasks/{task_id}/delete") == {"success": True}
    gone = tf.get(f"/tasks/{task_id}", expect=404)
    assert gone["success"] is False
    assert "not found" in gone["message"]


# --- Lists -----------------------------------------------------------------------------------


def test_get_lists(tf: Taskforce, alice: Person) -> None:
    tf.post("/lists", {"name": "Business Tasks", "description": "Tasks that have to do with business"})
    body = tf.get("/lists")
    assert body["success"] is True
    flagship, business = body["lists"]
    for lst in (flagship, business):
        assert_list_shape(lst)
        assert lst["added_by"] == alice.user_id
    assert flagship["flagship"] is True
    assert business["flagship"] is False
    assert business["name"] == "Business Tasks"
    assert business["description"] == "Tasks that have to do with business"


def test_create_list(tf: Taskforce) -> None:
    body = tf.post("/lists", {"name": "Business Tasks"})
    assert body["success"] is True
    assert isinstance(body["list_id"], int)
    assert tf.get(f"/lists/{body['list_id']}")["list"]["description"] == ""


def test_get_list(tf: Taskforce, db: Database, alice: Person) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    list_id = tf.post("/lists", {"name": "Business Tasks", "description": "Tasks that have to do with business"})[
        "list_id"
    ]
    tf.post(f"/lists/{list_id}/add_collaborator", {"email": bob.email})
    new_task(tf, "one", list_id)
    body = tf.get(f"/lists/{list_id}")
    assert body["success"] is True
    assert_list_shape(body["list"])
    assert body["list"]["collaborators"] == [{"email": bob.email}]
    assert body["list"]["task_counts"]["total"] == 1


def test_update_list(tf: Taskforce) -> None:
    list_id = tf.post("/lists", {"name": "Business Tasks", "description": "old"})["list_id"]
    assert tf.post(f"/lists/{list_id}", {"description": "Tasks that have to do with business"}) == {"success": True}
    lst = tf.get(f"/lists/{list_id}")["list"]
    assert lst["name"] == "Business Tasks"
    assert lst["description"] == "Tasks that have to do with business"
    tf.post(f"/lists/{list_id}", {"name": "Renamed"})
    assert tf.get(f"/lists/{list_id}")["list"]["name"] == "Renamed"


def test_get_tasks_of_list(tf: Taskforce) -> None:
    list_id = tf.post("/lists", {"name": "Business Tasks"})["list_id"]
    first, second = new_task(tf, "first", list_id), new_task(tf, "second", list_id)
    new_task(tf, "elsewhere")
    body = tf.get(f"/lists/{list_id}/tasks")
    assert body["success"] is True
    assert [t["id"] for t in body["tasks"]] == [first, second]
    for task in body["tasks"]:
        assert_task_shape(task)


def test_reorder_tasks(tf: Taskforce) -> None:
    list_id = tf.post("/lists", {"name": "Business Tasks"})["list_id"]
    a, b, c = (new_task(tf, n, list_id) for n in "abc")
    assert tf.post(f"/lists/{list_id}/reorder_tasks", {"task_ids[]": [c, a]}) == {"success": True}
    # b was not named: it goes to the end.
    assert [t["id"] for t in tf.get(f"/lists/{list_id}/tasks")["tasks"]] == [c, a, b]


def test_add_and_remove_list_collaborator(tf: Taskforce, db: Database, alice: Person) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    list_id = tf.post("/lists", {"name": "Business Tasks"})["list_id"]
    assert tf.post(f"/lists/{list_id}/add_collaborator", {"email": bob.email}) == {"success": True}
    assert tf.get(f"/lists/{list_id}")["list"]["collaborators"] == [{"email": bob.email}]
    assert tf.post(f"/lists/{list_id}/remove_collaborator", {"email": bob.email}) == {"success": True}
    assert tf.get(f"/lists/{list_id}")["list"]["collaborators"] == []


def test_delete_list(tf: Taskforce) -> None:
    list_id = tf.post("/lists", {"name": "Business Tasks"})["list_id"]
    assert tf.post(f"/lists/{list_id}/delete") == {"success": True}
    assert tf.get(f"/lists/{list_id}", expect=404)["success"] is False
