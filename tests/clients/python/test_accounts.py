"""The client's account methods against the live server: a server admin's `admin_users`,
a user's own `change_password`, and the key-less password-reset request."""

from __future__ import annotations

import pytest

from polytask.core.db import Database
from polytask_client import APIError, TaskadeAPI
from tests.factories.people import make_person


def test_an_admin_manages_accounts_through_the_client(base_url: str, db: Database) -> None:
    admin = make_person(db, role="admin", name="Root")
    bob = make_person(db, name="Bob")
    with TaskadeAPI(api_key=admin.key, base_url=base_url) as api:
        assert [u.id for u in api.admin_users.list()] == [admin.id, bob.id]
        dana = api.admin_users.create(name="Dana", email="dana@example.com", username="dana")
        assert api.admin_users.get(dana.id).name == "Dana"
        assert api.admin_users.update(bob.id, role="manager").role == "manager"
        assert api.admin_users.disable(bob.id).active is False
        assert api.admin_users.enable(bob.id).active is True
    with TaskadeAPI(api_key=bob.key, base_url=base_url) as api, pytest.raises(APIError) as refused:
        api.admin_users.list().first_page()
    assert refused.value.status == 403


def test_a_user_changes_their_password_and_anyone_may_ask_for_a_reset(base_url: str, db: Database) -> None:
    jane = make_person(db, name="Jane", password="first password 1")
    with TaskadeAPI(api_key=jane.key, base_url=base_url) as api:
        with pytest.raises(APIError) as wrong:
            api.users.change_password("not it", "second password 2")
        assert wrong.value.status in (401, 403, 422)
        assert api.users.change_password("first password 1", "second password 2") is None
        assert api.users.request_password_reset(jane.email) is None  # always accepted (202)
