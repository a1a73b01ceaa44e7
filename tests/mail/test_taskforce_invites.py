"""Taskforce's add_collaborator of someone who is not a member: an invitation by mail, read
back from the SMTP server; accepting it (with a new account, or an existing one) shares the task."""

from __future__ import annotations

import httpx

from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.users.service import get_user
from tests.api.taskforce.client import Taskforce
from tests.factories.people import Person, join, make_person
from tests.mail.conftest import Deliver, token_in
from tests.mail.smtpd import SmtpServer


def _task(tf: Taskforce, name: str) -> int:
    flagship = next(lst["id"] for lst in tf.get("/lists")["lists"] if lst["flagship"])
    return int(tf.post("/tasks", {"name": name, "list_id": flagship})["task_id"])


def _collaborators(tf: Taskforce, task_id: int) -> list[str]:
    return [c["email"] for c in tf.get(f"/tasks/{task_id}")["task"]["collaborators"]]


def test_sharing_a_task_with_a_stranger_invites_them(
    base_url: str, client: httpx.Client, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    alice = make_person(db, name="Alice")
    tf = Taskforce(base_url, alice, "json")
    try:
        task_id = _task(tf, "Quarterly <report>")
        assert tf.post(f"/tasks/{task_id}/add_collaborator", {"email": "Carol@Example.com"})["success"] is True
        # Asked again before she accepts: no second invitation, no second mail.
        assert tf.post(f"/tasks/{task_id}/add_collaborator", {"email": "carol@example.com"})["success"] is True
        assert _collaborators(tf, task_id) == []  # not yet: she has not accepted
        [sent] = deliver()
        assert sent.status == "sent"
        [mail] = smtp.inbox.to("carol@example.com")
        assert mail.message["Subject"] == 'Alice shared the task "Quarterly <report>" with you on Polytask'
        assert "Quarterly &lt;report&gt;" in mail.part("html")
        token = token_in(mail.part("plain"))

        r = client.post("/v1/invites/signup", json={"token": token, "name": "Carol", "password": "a long secret"})
        assert r.status_code == 201, r.text
        assert _collaborators(tf, task_id) == ["carol@example.com"]
        # Carol's own key reaches the task: she is a member of the workspace now.
        carol = {"Authorization": f"Bearer {r.json()['data']['attributes']['key']}"}
        me = client.get("/v1/me", headers=carol).json()["data"]
        assert me["attributes"]["email"] == "carol@example.com"
        shown = client.get(f"/v1/tasks/task_{task_id}", headers=carol)
        assert shown.status_code == 200, shown.text
        assert shown.json()["data"]["attributes"]["name"] == "Quarterly <report>"
    finally:
        tf.close()


def test_an_existing_user_who_is_not_a_member_accepts_with_their_key(
    base_url: str, client: httpx.Client, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    alice = make_person(db, name="Alice")
    dave = make_person(db, name="Dave")
    tf = Taskforce(base_url, alice, "json")
    try:
        task_id = _task(tf, "Shared")
        assert tf.post(f"/tasks/{task_id}/add_collaborator", {"email": dave.email})["success"] is True
        deliver()
        [mail] = smtp.inbox.to(dave.email)
        r = client.post("/v1/invites/accept", json={"token": token_in(mail.part("plain"))}, headers=dave.headers)
        assert r.status_code == 200, r.text
        assert _collaborators(tf, task_id) == [dave.email]
        # Now a member: sharing another task with him takes effect at once, with no mail.
        other = _task(tf, "Second")
        assert tf.post(f"/tasks/{other}/add_collaborator", {"email": dave.email})["success"] is True
        assert _collaborators(tf, other) == [dave.email]
        assert deliver() == []
    finally:
        tf.close()


def test_inviting_a_stranger_needs_manage_users(
    base_url: str, db: Database, smtp: SmtpServer, deliver: Deliver
) -> None:
    alice = make_person(db, name="Alice")
    bob = make_person(db, name="Bob")
    join(db, alice, bob)  # a plain member: no manage_users
    with db.unit_of_work() as session:
        key = create_api_key(session, None, user=get_user(session, bob.user_id), workspace_id=alice.workspace_pk)
        bob_there = Person(bob.user_id, bob.email, key.secret, alice.workspace_pk)
    tf, tf_bob = Taskforce(base_url, alice, "json"), Taskforce(base_url, bob_there, "json")
    try:
        task_id = _task(tf, "Ours")
        flagship = next(lst["id"] for lst in tf.get("/lists")["lists"] if lst["flagship"])
        tf.post(f"/lists/{flagship}/add_collaborator", {"email": bob.email})
        refused = tf_bob.post(f"/tasks/{task_id}/add_collaborator", {"email": "eve@example.com"}, expect=403)
        assert refused["success"] is False
        # A member he may share with directly.
        assert tf_bob.post(f"/tasks/{task_id}/add_collaborator", {"email": alice.email})["success"] is True
        deliver()
        assert smtp.inbox.to("eve@example.com") == []  # only Bob's own invite (join) went out
    finally:
        tf.close()
        tf_bob.close()
