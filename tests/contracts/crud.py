"""The CRUD contract a resource's tests inherit (after NetBox's APIViewTestCases).

A resource's test class declares its data (`Resource`: where it is created, listed, shown,
changed and deleted; a valid body, a change, an invalid body and the field it names; the
events each change records) and inherits the standard cases: the lifecycle through HTTP
with its events, 401 without credentials, 403 for a key without the write scope, 404 for
another workspace's object exactly like a missing one, 422 naming the field, and paging.
The scope x route and isolation matrices (tests/api/v1/test_scopes.py, test_isolation.py)
and the hostile-input corpus (tests/contracts/test_hostile_input.py) cover every route on
top of this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from polytask.core.db import Database
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task


@dataclass
class World:
    """One person's workspace with a project and a task to hang resources on."""

    person: Person
    project: str
    task: str

    @classmethod
    def build(cls, client: httpx.Client, db: Database, **person: Any) -> World:
        owner = make_person(db, **person)
        project = make_project(client, owner)
        return cls(owner, project, str(make_task(client, owner, project)["id"]))


@dataclass(frozen=True)
class Resource:
    type: str  # the JSON:API type and the events' prefix: "task"
    collection: Callable[[World], str]  # where it is created and listed
    item: Callable[[World, str], str]  # where one is shown, changed, deleted
    create: Callable[[int], dict[str, Any]]  # the nth valid body
    change: dict[str, Any]  # a valid change, and what it shows afterwards
    invalid: tuple[dict[str, Any], str]  # a body refused with 422, and the field it names
    write_scope: str  # a key without it is refused with 403
    change_method: str = "PATCH"
    events: tuple[str, ...] = field(default=("created", "updated", "deleted"))
    listed: Callable[[World], str] | None = None  # when lists live elsewhere than creation


class CrudContract:
    """Inherit and set `resource`; each test gets the suite's `client` and `db` fixtures."""

    resource: ClassVar[Resource]

    def _create(self, client: httpx.Client, world: World, n: int = 1) -> dict[str, Any]:
        r = client.post(self.resource.collection(world), json=self.resource.create(n), headers=world.person.headers)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()["data"]
        assert data["type"] == self.resource.type
        assert r.headers["Location"].endswith(self.resource.item(world, data["id"]))
        return data

    def _types(self, client: httpx.Client, world: World, after: int) -> list[str]:
        r = client.get("/v1/events", params={"after": after, "limit": 100}, headers=world.person.headers)
        assert r.status_code == 200, r.text
        return [e["attributes"]["type"] for e in r.json()["data"]]

    def _latest_event(self, client: httpx.Client, world: World) -> int:
        r = client.get("/v1/events", params={"limit": 100}, headers=world.person.headers).json()["data"]
        return max((int(e["id"].rpartition("_")[2]) for e in r), default=0)

    def test_lifecycle_records_an_event_for_each_change(self, client: httpx.Client, db: Database) -> None:
        world = World.build(client, db)
        res = self.resource
        before = self._latest_event(client, world)
        created = self._create(client, world)
        path = res.item(world, created["id"])
        shown = client.get(path, headers=world.person.headers)
        assert shown.status_code == 200, shown.text
        assert shown.json()["data"]["id"] == created["id"]
        changed = client.request(res.change_method, path, json=res.change, headers=world.person.headers)
        assert changed.status_code == 200, changed.text
        for key, value in res.change.items():
            assert changed.json()["data"]["attributes"][key] == value
        assert client.delete(path, headers=world.person.headers).status_code == 204
        assert client.get(path, headers=world.person.headers).status_code == 404
        created_t, updated_t, deleted_t = (f"{res.type}.{action}" for action in res.events)
        types = self._types(client, world, before)
        assert [t for t in types if t in (created_t, updated_t, deleted_t)] == [created_t, updated_t, deleted_t]

    def test_without_credentials_is_401(self, client: httpx.Client, db: Database) -> None:
        world = World.build(client, db)
        item = self.resource.item(world, self._create(client, world)["id"])
        for method, path in (("GET", item), ("POST", self.resource.collection(world)), ("DELETE", item)):
            r = client.request(method, path, json=self.resource.create(2) if method == "POST" else None)
            assert r.status_code == 401, f"{method} {path}: {r.text}"

    def test_a_key_without_the_write_scope_is_403(self, client: httpx.Client, db: Database) -> None:
        world = World.build(client, db)
        reader = make_person(db, scopes=[self.resource.write_scope.replace(":write", ":read")])
        r = client.post(self.resource.collection(world), json=self.resource.create(1), headers=reader.headers)
        # Another person's project: the 403 for the scope comes before any lookup.
        assert r.status_code == 403, r.text
        assert self.resource.write_scope in r.text

    def test_another_workspaces_object_is_a_404_like_a_missing_one(self, client: httpx.Client, db: Database) -> None:
        world = World.build(client, db)
        stranger = make_person(db)
        path = self.resource.item(world, self._create(client, world)["id"])
        missing = path.rstrip("0123456789") + "999999"
        for method, body in (("GET", None), (self.resource.change_method, self.resource.change), ("DELETE", None)):
            foreign = client.request(method, path, json=body, headers=stranger.headers)
            absent = client.request(method, missing, json=body, headers=stranger.headers)
            assert foreign.status_code == absent.status_code == 404, f"{method}: {foreign.text} / {absent.text}"
            assert foreign.json()["error"]["code"] == absent.json()["error"]["code"]
        assert client.get(path, headers=world.person.headers).status_code == 200  # untouched

    def test_an_invalid_body_is_a_422_naming_the_field(self, client: httpx.Client, db: Database) -> None:
        world = World.build(client, db)
        body, named = self.resource.invalid
        before = self._latest_event(client, world)
        r = client.post(self.resource.collection(world), json=body, headers=world.person.headers)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["field"] == named, r.text
        assert self._types(client, world, before) == []  # nothing was written

    def test_lists_page(self, client: httpx.Client, db: Database) -> None:
        world = World.build(client, db)
        made = {self._create(client, world, n)["id"] for n in range(1, 4)}
        where = (self.resource.listed or self.resource.collection)(world)
        seen: list[str] = []
        page = client.get(where, params={"limit": 2}, headers=world.person.headers).json()
        while True:
            seen += [item["id"] for item in page["data"]]
            if not page["links"].get("next"):
                break
            page = client.get(page["links"]["next"], headers=world.person.headers).json()
        assert made <= set(seen)
        assert len(seen) == len(set(seen))
