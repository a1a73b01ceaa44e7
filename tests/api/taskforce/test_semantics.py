"""The rules the spec states: flagship lists, several lists per task, list deletion, reordering,
counts, per-user seen flags, collaborators, and who may see what."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.users.service import get_user
from polytask.models import Event
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, join, make_person


def as_json(base_url: str, person: Person) -> Taskforce:
    return Taskforce(base_url, person, "json")


def key_in(db: Database, person: Person, workspace_pk: int) -> Person:
    """The person with a key bound to another workspace: the surface then acts there."""
    with db.unit_of_work() as session:
        key = create_api_key(session, None, user=get_user(session, person.user_id), workspace_id=workspace_pk).secret
    return Person(person.user_id, person.email, key, workspace_pk)


def flagship_of(tf: Taskforce) -> int:
    return int(next(lst["id"] for lst in tf.get("/lists")["lists"] if lst["flagship"]))


def task_in(tf: Taskforce, list_id: int, name: str = "t") -> int:
    return int(tf.post("/tasks", {"name": name, "list_id": list_id})["task_id"])


def test_one_flagship_list_that_cannot_be_deleted(base_url: str, alice: Person) -> None:
    tf = as_json(base_url, alice)
    flagship = flagship_of(tf)
    tf.post("/lists", {"name": "Other"})
    assert [lst["flagship"] for lst in tf.get("/lists")["lists"]] == [True, False]
    refused = tf.post(f"/lists/{flagship}/delete", expect=403)
    assert refused["success"] is False
    assert "flagship" in refused["message"]
    assert flagship_of(tf) == flagship


def test_deleting_a_list_deletes_only_the_tasks_in_no_other_list(base_url: str, alice: Person) -> None:
    tf = as_json(base_url, alice)
    doomed = tf.post("/lists", {"name": "Doomed"})["list_id"]
    keeper = tf.post("/lists", {"name": "Keeper"})["list_id"]
    only_here = task_in(tf, doomed, "only here")
    shared = task_in(tf, doomed, "shared")
    tf.post(f"/tasks/{shared}/add_to_list", {"list_id": keeper})
    tf.post(f"/lists/{doomed}/delete")
    assert tf.get(f"/tasks/{only_here}", expect=404)["success"] is False
    survivor = tf.get(f"/tasks/{shared}")["task"]
    assert survivor["lists"] == [{"id": keeper}]
    assert [t["id"] for t in tf.get("/tasks")["tasks"]] == [shared]


def test_list_deletion_events(base_url: str, db: Database, alice: Person) -> None:
    """Each task deleted with the list gets its task.deleted first; list.deleted names them."""
    tf = as_json(base_url, alice)
    doomed = tf.post("/lists", {"name": "Doomed"})["list_id"]
    keeper = tf.post("/lists", {"name": "Keeper"})["list_id"]
    only_here = task_in(tf, doomed, "only here")
    shared = task_in(tf, doomed, "shared")
    tf.post(f"/tasks/{shared}/add_to_list", {"list_id": keeper})
    with db.unit_of_work(readonly=True) as session:
        mark = session.scalar(select(func.max(Event.id)))
    tf.post(f"/lists/{doomed}/delete")
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(
            select(Event.type, Event.resource_id, Event.snapshot).where(Event.id > mark).order_by(Event.id)
        ).all()
    assert [(row.type, row.resource_id) for row in rows] == [("task.deleted", only_here), ("list.deleted", doomed)]
    assert rows[-1].snapshot["deleted_task_ids"] == [only_here]


def test_reorder_moves_only_active_tasks(base_url: str, alice: Person) -> None:
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    a, done, b, later, c = (task_in(tf, list_id, n) for n in ("a", "done", "b", "later", "c"))
    tf.post(f"/tasks/{done}/complete")
    tf.post(f"/tasks/{later}/set_start_date", {"date": "01/01/2999"})
    tf.post(f"/lists/{list_id}/reorder_tasks", {"task_ids": f"{c},{done},{later},{a}"})
    # Completed and delayed tasks keep their places; b (not named) follows the named ones.
    assert [t["id"] for t in tf.get(f"/lists/{list_id}/tasks")["tasks"]] == [c, done, a, later, b]


def test_reorder_rejects_tasks_outside_the_list_and_changes_nothing(base_url: str, alice: Person) -> None:
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    a, b = task_in(tf, list_id, "a"), task_in(tf, list_id, "b")
    outsider = task_in(tf, flagship_of(tf), "elsewhere")
    body = tf.post(f"/lists/{list_id}/reorder_tasks", {"task_ids": f"{b},{outsider}"}, expect=422)
    assert body["success"] is False
    assert body["details"]["field"] == "task_ids"
    assert tf.post(f"/lists/{list_id}/reorder_tasks", {"task_ids": "0,x"}, expect=422)["success"] is False
    assert tf.post(f"/lists/{list_id}/reorder_tasks", {}, expect=422)["success"] is False
    assert [t["id"] for t in tf.get(f"/lists/{list_id}/tasks")["tasks"]] == [a, b]


def test_counts_by_category(base_url: str, db: Database, alice: Person) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    tf, bobs = as_json(base_url, alice), as_json(base_url, key_in(db, bob, alice.workspace_pk))
    flagship = flagship_of(tf)
    task_in(tf, flagship, "active")
    done = task_in(tf, flagship, "complete")
    tf.post(f"/tasks/{done}/complete")
    delayed = task_in(tf, flagship, "delayed")
    tf.post(f"/tasks/{delayed}/set_start_date", {"date": "12/31/2999"})
    overdue = task_in(tf, flagship, "overdue")
    tf.post(f"/tasks/{overdue}/set_due_date", {"date": "01/01/2000"})
    started = task_in(tf, flagship, "started in the past")
    tf.post(f"/tasks/{started}/set_start_date", {"date": "01/01/2000"})
    # A task bob made and shared with alice: unseen by her until she opens it.
    shared = task_in(bobs, flagship_of(bobs), "from bob")
    bobs.post(f"/tasks/{shared}/add_collaborator", {"email": alice.email})
    counts = tf.get("/tasks/count")["task_counts"]
    assert counts == {"total": 6, "active": 4, "complete": 1, "delayed": 1, "overdue": 1, "unseen": 1}
    assert tf.get(f"/lists/{flagship}")["list"]["task_counts"] == {
        "total": 5,
        "active": 3,
        "complete": 1,
        "delayed": 1,
        "overdue": 1,
        "unseen": 0,
    }
    tf.get(f"/tasks/{shared}")
    assert tf.get("/tasks/count")["task_counts"]["unseen"] == 0


def test_seen_is_per_user(base_url: str, db: Database, alice: Person) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    tf, bobs = as_json(base_url, alice), as_json(base_url, key_in(db, bob, alice.workspace_pk))
    shared_list = tf.post("/lists", {"name": "Shared"})["list_id"]
    tf.post(f"/lists/{shared_list}/add_collaborator", {"email": bob.email})
    task_id = task_in(tf, shared_list)
    [bobs_view] = bobs.get(f"/lists/{shared_list}/tasks")["tasks"]
    assert bobs_view["seen"] is False
    assert bobs_view["owner"] is False
    assert bobs_view["user_id"] == alice.user_id
    assert tf.get("/tasks")["tasks"][0]["seen"] is True  # the creator has seen it
    assert bobs.get(f"/tasks/{task_id}")["task"]["seen"] is True  # opening it marks it
    assert bobs.get("/tasks")["tasks"][0]["seen"] is True
    carol = make_person(db)
    join(db, alice, carol)
    tf.post(f"/lists/{shared_list}/add_collaborator", {"email": carol.email})
    assert as_json(base_url, key_in(db, carol, alice.workspace_pk)).get("/tasks")["tasks"][0]["seen"] is False


def test_unbound_keys_act_in_the_personal_workspace(base_url: str, db: Database, alice: Person) -> None:
    bob = make_person(db)
    join(db, alice, bob)
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "Shared"})["list_id"]
    tf.post(f"/lists/{list_id}/add_collaborator", {"email": bob.email})
    # Single tenant: bob's unbound key works in his own workspace, where alice's list is not.
    assert as_json(base_url, bob).get(f"/lists/{list_id}", expect=404)["success"] is False
    assert as_json(base_url, key_in(db, bob, alice.workspace_pk)).get(f"/lists/{list_id}")["success"] is True


def test_list_collaborators_see_the_list_and_its_tasks(base_url: str, db: Database, alice: Person) -> None:
    bob, carol = make_person(db), make_person(db)
    join(db, alice, bob)
    join(db, alice, carol)
    tf = as_json(base_url, alice)
    bobs = as_json(base_url, key_in(db, bob, alice.workspace_pk))
    carols = as_json(base_url, key_in(db, carol, alice.workspace_pk))
    list_id = tf.post("/lists", {"name": "Shared"})["list_id"]
    task_id = task_in(tf, list_id)
    # Same workspace, not a collaborator: the list does not exist for them.
    assert carols.get(f"/lists/{list_id}", expect=404)["success"] is False
    tf.post(f"/lists/{list_id}/add_collaborator", {"email": bob.email})
    assert [lst["id"] for lst in bobs.get("/lists")["lists"] if not lst["flagship"]] == [list_id]
    assert [t["id"] for t in bobs.get("/tasks")["tasks"]] == [task_id]
    # Collaborators change the list's contents, but only the owner deletes it.
    task_in(bobs, list_id, "from bob")
    assert bobs.post(f"/lists/{list_id}/delete", expect=403)["success"] is False
    tf.post(f"/lists/{list_id}/remove_collaborator", {"email": bob.email})
    assert bobs.get(f"/lists/{list_id}", expect=404)["success"] is False


def test_list_collaborators_must_be_members(base_url: str, db: Database, alice: Person) -> None:
    tf = as_json(base_url, alice)
    outsider = make_person(db)
    task_id = task_in(tf, flagship_of(tf))
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    for email in ("nobody@nowhere.test", outsider.email):
        body = tf.post(f"/lists/{list_id}/add_collaborator", {"email": email}, expect=422)
        assert body["success"] is False
        assert "not a member" in body["message"]
    # A task shared with a stranger invites them (tests/mail/test_taskforce_invites.py); an
    # address that is no email address is refused.
    body = tf.post(f"/tasks/{task_id}/add_collaborator", {"email": "not an address"}, expect=422)
    assert "email" in body["message"]
    assert tf.get(f"/tasks/{task_id}")["task"]["collaborators"] == []
    # Removing someone who is not a collaborator changes nothing and succeeds.
    assert tf.post(f"/tasks/{task_id}/remove_collaborator", {"email": "nobody@nowhere.test"})["success"] is True


def test_other_workspaces_are_invisible(base_url: str, db: Database, alice: Person) -> None:
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "Mine"})["list_id"]
    task_id = task_in(tf, list_id)
    mallory = as_json(base_url, make_person(db))
    for path in (f"/tasks/{task_id}", f"/lists/{list_id}", f"/lists/{list_id}/tasks"):
        assert mallory.get(path, expect=404)["success"] is False
    for path, data in [
        (f"/tasks/{task_id}", {"name": "hacked"}),
        (f"/tasks/{task_id}/complete", {}),
        (f"/tasks/{task_id}/delete", {}),
        (f"/tasks/{task_id}/add_comment", {"comment": "hi"}),
        (f"/lists/{list_id}", {"name": "hacked"}),
        (f"/lists/{list_id}/delete", {}),
        ("/tasks", {"name": "sneak", "list_id": list_id}),
    ]:
        assert mallory.post(path, data, expect=404)["success"] is False
    assert mallory.get("/tasks")["tasks"] == []
    assert tf.get(f"/tasks/{task_id}")["task"]["name"] == "t"


def test_viewers_cannot_write(base_url: str, db: Database, alice: Person) -> None:
    viewer = make_person(db)
    join(db, alice, viewer, role="viewer")
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "Shared"})["list_id"]
    tf.post(f"/lists/{list_id}/add_collaborator", {"email": viewer.email})
    task_id = task_in(tf, list_id)
    # The viewer's key is bound to alice's workspace, where they only view.
    views = as_json(base_url, key_in(db, viewer, alice.workspace_pk))
    assert [t["id"] for t in views.get(f"/lists/{list_id}/tasks")["tasks"]] == [task_id]
    assert views.post(f"/tasks/{task_id}/complete", expect=403)["success"] is False
    assert views.post(f"/lists/{list_id}", {"name": "x"}, expect=403)["success"] is False


def test_emails_link_once_per_thread(base_url: str, alice: Person) -> None:
    tf = as_json(base_url, alice)
    task_id = task_in(tf, flagship_of(tf))
    tf.post(f"/tasks/{task_id}/add_email", {"gmail_thread_id": "abc", "subject": "first"})
    tf.post(f"/tasks/{task_id}/add_email", {"gmail_thread_id": "abc", "subject": "second", "sender": "x@test.com"})
    assert tf.get(f"/tasks/{task_id}")["task"]["emails"] == [
        {"sender": "x@test.com", "subject": "second", "gmail_thread_id": "abc"}
    ]
    assert tf.post(f"/tasks/{task_id}/add_email", {"subject": "no id"}, expect=422)["success"] is False
    assert tf.post(f"/tasks/{task_id}/remove_email", {"gmail_thread_id": "zzz"})["success"] is True


def test_native_404_for_taskforce_list_ids(base_url: str, alice: Person) -> None:
    # Lists are not projects: the native surface does not expose them under project ids.
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    r = httpx.get(f"{base_url}/v1/projects/project_{list_id + 100}", headers=alice.headers)
    assert r.status_code == 404


def test_racing_first_requests_make_one_flagship(base_url: str, db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    person = make_person(db)

    def lists(_: int) -> list[dict[str, object]]:
        client = as_json(base_url, person)
        try:
            return list(client.get("/lists")["lists"])
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lists, range(6)))
    ids = {lst["id"] for result in results for lst in result if lst["flagship"]}
    assert len(ids) == 1
    assert all(len(result) == 1 for result in results)


def test_deleting_a_list_with_a_task_and_its_subtask(base_url: str, alice: Person) -> None:
    from tests.factories.work import make_project, make_task

    with httpx.Client(base_url=base_url) as native:
        project = make_project(native, alice)
        parent = make_task(native, alice, project, name="parent")
        child = make_task(native, alice, project, name="child", parent_id=parent["id"])
    tf = as_json(base_url, alice)
    list_id = tf.post("/lists", {"name": "L"})["list_id"]
    ids = [int(parent["id"].split("_")[1]), int(child["id"].split("_")[1])]
    for task_id in ids:
        tf.post(f"/tasks/{task_id}/add_to_list", {"list_id": list_id})
    assert tf.post(f"/lists/{list_id}/delete")["success"] is True
    for task_id in ids:
        assert tf.get(f"/tasks/{task_id}", expect=404)["success"] is False
