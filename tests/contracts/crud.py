"""The CRUD contract a `/v1` resource's tests inherit (after NetBox's APIViewTestCases).

A resource declares itself once (`Resource` in tests/contracts/resource.py: where it is
listed, created, shown, changed and deleted; the nth valid body; a valid change; the bodies
it refuses and the field each names; its scopes; which workspace roles may do what; the
events each change records; the fields it sorts and filters by), and a test class that sets
it inherits the standard cases:

- the lifecycle: create (201 + Location), show, list, change (read back), delete (gone), with
  its events in the audit log in order, and in `/v1/events` when they are public;
- the webhook delivery of each public event (the outbox, read through the deliveries API);
- 401 without or with a bad credential; 403 by API-key scope (naming it) and by role;
- 404 for another workspace's object exactly like a missing or malformed id;
- 422 naming the field (`error.details.field`) for each refused body;
- the hostile-input corpus (tests/contracts/hostile.py) on its create and change routes;
- offset and cursor paging walking the whole list without gaps or repeats; sorts; filters;
- the same object, change, delete and 404s through its aliases.

Every refusal is followed by reading the object (and the list, and the event log) back:
nothing may have changed. Cases a declaration cannot have (no change route, no sorts, a
list that does not page) are left out of the class, not skipped.

tests/architecture/test_crud_coverage.py fails for a `/v1` write route that no declaration
exercises (today's declarations: tests/api/v1/test_crud_contracts.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from polytask.core.db import Database
from polytask.domain.changes.feed import FEED_RESOURCES
from polytask.domain.events.catalog import CATALOG
from tests.contracts.hostile import CORPUS
from tests.contracts.resource import (
    EVERYONE as EVERYONE,
)
from tests.contracts.resource import (
    MANAGERS as MANAGERS,
)
from tests.contracts.resource import (
    ROLES,
    Body,
    Resource,
    World,
)
from tests.contracts.resource import (
    WEBHOOK_URL as WEBHOOK_URL,
)
from tests.contracts.resource import (
    WRITERS as WRITERS,
)
from tests.contracts.resource import (
    Filter as Filter,
)
from tests.contracts.resource import (
    Refused as Refused,
)
from tests.contracts.resource import (
    Roles as Roles,
)
from tests.contracts.resource import (
    declared_routes as declared_routes,
)
from tests.factories.people import make_person

# Every declared contract class, in definition order (tests/architecture/test_crud_coverage.py
# reads it to know which routes are declared).
DECLARED: list[type[CrudContract]] = []


def _drop(cls: type, name: str) -> None:
    setattr(cls, name, None)  # pytest collects only callables: the case does not exist for it


class CrudContract:
    """Inherit and set `resource`; each test gets the suite's `client` and `db` fixtures."""

    resource: ClassVar[Resource]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        res = cls.__dict__.get("resource")
        if res is None:
            return  # a base with shared helpers: its subclasses declare
        DECLARED.append(cls)
        if not res.refused:
            _drop(cls, "test_refused_bodies_are_422_naming_the_field")
        if res.roles is None:
            _drop(cls, "test_roles")
        if not res.announced or not any(e and CATALOG[e].public for e in res.events):
            _drop(cls, "test_each_change_reaches_a_webhook")
        if not res.hostile or (res.create is None and res.change is None):
            _drop(cls, "test_hostile_input_changes_nothing")
        if "offset" not in res.paging:
            _drop(cls, "test_offset_paging_walks_the_whole_list")
        if "cursor" not in res.paging:
            _drop(cls, "test_cursor_paging_walks_the_whole_list")
        if not res.sorts:
            _drop(cls, "test_sorts")
        if not res.filters:
            _drop(cls, "test_filters")
        if not res.item_aliases and not res.create_aliases:
            _drop(cls, "test_aliases_serve_the_same_object")

    # -- helpers ---------------------------------------------------------------------------

    @property
    def res(self) -> Resource:
        return self.resource

    def new(self, world: World, n: int = 1) -> Body:
        """The nth object, made through its create route (checked) or its declared maker."""
        res = self.res
        if res.make is not None:
            return res.make(world, n)
        assert res.create is not None
        r = world.client.post(res.collection(world), json=res.create(world, n), headers=world.person.headers)
        assert r.status_code == 201, r.text
        data = res.created(r.json()["data"])
        assert data["type"] == res.type, data
        if "Location" in r.headers:
            assert r.headers["Location"].endswith(res.item(world, data["id"])), r.headers["Location"]
        return data

    def made(self, world: World, n: int = 1) -> Body:
        """A new object as a later read shows it (a create response may show more: a secret)."""
        return self.read(world, self.new(world, n)["id"])

    def read(self, world: World, ident: str) -> Body:
        r = world.client.get(self.res.item(world, ident), headers=world.person.headers)
        assert r.status_code == 200, r.text
        data: Body = r.json()["data"]
        return data

    def listed(self, world: World, params: dict[str, str] | None = None) -> list[Body]:
        sized = {"limit": "100"} if self.res.paging else {}
        r = world.client.get(
            self.res.collection(world), params={**sized, **(params or {})}, headers=world.person.headers
        )
        assert r.status_code == 200, r.text
        items: list[Body] = r.json()["data"]
        return items

    def ids(self, world: World) -> list[str]:
        return [item["id"] for item in self.listed(world)]

    def world(self, client: httpx.Client, db: Database) -> World:
        return World.build(client, db, server_admin=self.res.log == "server")

    def log_url(self, world: World) -> str:
        return "/v1/audit-log" if self.res.log == "server" else f"/v1/workspaces/{world.workspace}/audit-log"

    def history(self, world: World, obj: Body) -> list[tuple[str, str]]:
        """(event id, type) of the events recorded for one object, oldest first (the audit log)."""
        r = world.client.get(
            self.log_url(world),
            params={"resource_type": self.res.event_resource, "limit": "100"},
            headers=world.person.headers,
        )
        assert r.status_code == 200, r.text
        return [
            (e["id"], e["attributes"]["type"])
            for e in reversed(r.json()["data"])
            if self.res.event_of(obj, e["attributes"])
        ]

    def latest_event(self, world: World) -> int:
        params = {"limit": "1"}
        if self.res.log == "server":  # others' sign-ups and refused credentials are there too
            params["resource_type"] = self.res.event_resource
        r = world.client.get(self.log_url(world), params=params, headers=world.person.headers)
        assert r.status_code == 200, r.text
        return max((int(e["id"].rpartition("_")[2]) for e in r.json()["data"]), default=0)

    def unchanged(self, world: World, before: Body, what: str) -> None:
        after = self.read(world, before["id"])
        assert after["attributes"] == before["attributes"], f"{what} changed {self.res.type} {before['id']}"

    def missing(self, path: str) -> str:
        head = path.rstrip("0123456789")
        assert head != path, f"{path} does not end in an id"
        return head + "999999"

    def attempts(self, world: World, obj: Body) -> list[tuple[str, str, Body | None]]:
        """The writes to try against one object: (method, path, body)."""
        path = self.res.item(world, obj["id"])
        out: list[tuple[str, str, Body | None]] = []
        if self.res.create is not None:
            out.append(("POST", self.res.collection(world), self.res.create(world, 9)))
        if self.res.change is not None:
            out.append((self.res.change_method, path, self.res.change))
        out.append(("DELETE", path, None))
        return out

    # -- the cases -------------------------------------------------------------------------

    def test_lifecycle_with_its_events(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        created = self.new(world)
        ident = created["id"]
        path = res.item(world, ident)
        shown = self.read(world, ident)
        assert shown["id"] == ident
        assert shown["type"] == res.type
        assert {k: v for k, v in created["attributes"].items() if k in shown["attributes"]} == {
            k: v for k, v in shown["attributes"].items() if k in created["attributes"]
        }
        assert ident in self.ids(world)
        if res.change is not None:
            changed = client.request(res.change_method, path, json=res.change, headers=world.person.headers)
            assert changed.status_code == 200, changed.text
            for key, value in res.change.items():
                assert changed.json()["data"]["attributes"][key] == value, key
                assert self.read(world, ident)["attributes"][key] == value, key
        deleted = client.delete(path, headers=world.person.headers)
        assert deleted.status_code == 204, deleted.text
        if res.gone_after_delete:
            again = client.get(path, headers=world.person.headers)
            assert again.status_code == 404, again.text
            assert ident not in self.ids(world)
        expected = [e for e in (res.events[0], res.events[1] if res.change else None, res.events[2]) if e]
        recorded = [(i, t) for i, t in self.history(world, created) if t in expected]
        assert [t for _, t in recorded] == expected
        # The changes feed shows the public events of the resources it lists (FEED_RESOURCES),
        # under the same event ids.
        public = [(i, t) for i, t in recorded if CATALOG[t].public and CATALOG[t].resource in FEED_RESOURCES]
        public = public if res.announced else []
        if public:
            feed = client.get("/v1/events", params={"limit": "100"}, headers=world.person.headers)
            assert feed.status_code == 200, feed.text
            ids = {i for i, _ in public}
            assert [(e["id"], e["attributes"]["type"]) for e in feed.json()["data"] if e["id"] in ids] == public

    def test_each_change_reaches_a_webhook(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        patterns = sorted({f"{e.partition('.')[0]}.*" for e in res.events if e})
        hook = client.post(
            "/v1/webhooks",
            json={"url": WEBHOOK_URL, "events": patterns, "workspace_id": world.workspace},
            headers=world.person.headers,
        )
        assert hook.status_code == 201, hook.text
        hook_id = hook.json()["data"]["id"]
        obj = self.new(world)
        path = res.item(world, obj["id"])
        if res.change is not None:
            r = client.request(res.change_method, path, json=res.change, headers=world.person.headers)
            assert r.status_code == 200, r.text
        assert client.delete(path, headers=world.person.headers).status_code == 204
        r = client.get(f"/v1/webhooks/{hook_id}/deliveries", params={"limit": "100"}, headers=world.person.headers)
        assert r.status_code == 200, r.text
        # One delivery per public event recorded for the object, by event id: nothing else.
        delivered = sorted((d["attributes"]["event_id"], d["attributes"]["event"]) for d in r.json()["data"])
        expected = [res.events[0], res.events[1] if res.change else None, res.events[2]]
        public = [e for e in expected if e and CATALOG[e].public]
        recorded = sorted((i, t) for i, t in self.history(world, obj) if t in public)
        assert [t for _, t in sorted(recorded, key=lambda it: int(it[0].rpartition("_")[2]))] == public
        assert delivered == recorded

    def test_without_or_with_a_bad_credential_is_401(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        obj = self.made(world)
        item = self.res.item(world, obj["id"])
        tries = [("GET", self.res.collection(world), None), ("GET", item, None), *self.attempts(world, obj)]
        for headers in ({}, {"Authorization": "Bearer pt_not_a_key"}, {"Authorization": "Basic Zm9vOmJhcg=="}):
            for method, path, body in tries:
                r = client.request(method, path, json=body, headers=headers)
                assert r.status_code == 401, f"{method} {path} with {headers}: {r.text}"
                assert r.json()["error"]["code"] == "AUTHENTICATION_ERROR", r.text
        self.unchanged(world, obj, "a request without credentials")

    def test_403_without_the_scope(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        obj = self.made(world)
        before = self.latest_event(world)
        reader = world.key([res.read_scope])
        for method, path, body in self.attempts(world, obj):
            r = client.request(method, path, json=body, headers=reader)
            assert r.status_code == 403, f"{method} {path}: {r.text}"
            assert r.json()["error"]["details"]["required_scope"] == res.write_scope, r.text
        other = "tasks:read" if res.read_scope != "tasks:read" else "projects:read"
        stranger_scope = world.key([other])
        for path in (res.collection(world), res.item(world, obj["id"])):
            r = client.get(path, headers=stranger_scope)
            assert r.status_code == 403, f"GET {path}: {r.text}"
            assert r.json()["error"]["details"]["required_scope"] == res.read_scope, r.text
        # The write scope reads too.
        assert client.get(res.item(world, obj["id"]), headers=world.key([res.write_scope])).status_code == 200
        self.unchanged(world, obj, "a key without the scope")
        assert self.latest_event(world) == before

    def test_roles(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        assert res.roles is not None
        for n, role in enumerate(ROLES[1:], start=10):
            person = world.teammate(role)
            h = person.headers
            obj = self.made(world, n)
            item = res.item(world, obj["id"])
            where = f"{role} on {res.type}"
            r = client.get(item, headers=h)
            assert r.status_code == (200 if role in res.roles.read else 403), f"{where}: read {r.text}"
            if res.create is not None:
                r = client.post(res.collection(world), json=res.create(world, n + 10), headers=h)
                assert r.status_code == (201 if role in res.roles.create else 403), f"{where}: create {r.text}"
            if res.change is not None:
                r = client.request(res.change_method, item, json=res.change, headers=h)
                assert r.status_code == (200 if role in res.roles.change else 403), f"{where}: change {r.text}"
                if role not in res.roles.change:
                    self.unchanged(world, obj, f"a refused change by a {role}")
            r = client.delete(item, headers=h)
            assert r.status_code == (204 if role in res.roles.delete else 403), f"{where}: delete {r.text}"
            if role not in res.roles.delete:
                assert self.read(world, obj["id"])["id"] == obj["id"]

    def test_another_workspaces_object_is_a_404_like_a_missing_one(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        stranger = make_person(db)
        obj = self.made(world)
        before = self.latest_event(world)
        path = res.item(world, obj["id"])
        tries: list[tuple[str, Body | None]] = [("GET", None), ("DELETE", None)]
        if res.change is not None:
            tries.insert(1, (res.change_method, res.change))
        for method, body in tries:
            foreign = client.request(method, path, json=body, headers=stranger.headers)
            absent = client.request(method, self.missing(path), json=body, headers=world.person.headers)
            assert foreign.status_code == absent.status_code == 404, f"{method}: {foreign.text} / {absent.text}"
            assert foreign.json()["error"]["code"] == absent.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
        malformed = client.get(path.rstrip("0123456789").rstrip("_") + "_nonsense", headers=world.person.headers)
        assert malformed.status_code == 404, malformed.text
        assert malformed.json()["error"]["code"] == "RESOURCE_NOT_FOUND"
        if res.foreign_parent and res.create is not None:
            r = client.post(res.collection(world), json=res.create(world, 2), headers=stranger.headers)
            assert r.status_code == 404, r.text
        if res.foreign_parent:
            assert client.get(res.collection(world), headers=stranger.headers).status_code == 404
        self.unchanged(world, obj, "another workspace's person")
        assert self.latest_event(world) == before

    def test_refused_bodies_are_422_naming_the_field(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        obj = self.made(world)
        listed = self.ids(world)
        before = self.latest_event(world)
        for refused in res.refused:
            if refused.on == "create":
                assert res.create is not None
                r = client.post(res.collection(world), json=refused.body, headers=world.person.headers)
            else:
                r = client.request(
                    res.change_method, res.item(world, obj["id"]), json=refused.body, headers=world.person.headers
                )
            assert r.status_code == 422, f"{refused}: {r.text}"
            assert r.json()["error"]["code"] == "VALIDATION_ERROR", r.text
            assert r.json()["error"]["details"]["field"] == refused.field, f"{refused}: {r.text}"
        self.unchanged(world, obj, "a refused body")
        assert self.ids(world) == listed
        assert self.latest_event(world) == before

    def test_hostile_input_changes_nothing(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        obj = self.made(world)
        listed = self.ids(world)
        before = self.latest_event(world)
        routes = []
        if res.create is not None:
            routes.append(("POST", res.collection(world)))
        if res.change is not None:
            routes.append((res.change_method, res.item(world, obj["id"])))
        for method, path in routes:
            for case in CORPUS:
                headers = dict(world.person.headers)
                if case.content_type:
                    headers["Content-Type"] = case.content_type
                target = f"{path}?{case.query}" if case.query else path
                r = client.request(method, target, content=case.body or None, headers=headers)
                where = f"{case.name}: {method} {path} answered {r.status_code}: {r.text[:300]}"
                assert r.status_code in case.statuses, where
                error = r.json()["error"]
                assert isinstance(error["code"], str), where
                assert isinstance(error["message"], str), where
                if case.field:
                    assert case.field in r.text, where
        self.unchanged(world, obj, "hostile input")
        assert self.ids(world) == listed
        assert self.latest_event(world) == before

    def _walk(self, world: World, first: dict[str, str]) -> list[str]:
        seen: list[str] = []
        r = world.client.get(self.res.collection(world), params=first, headers=world.person.headers)
        for _ in range(50):
            assert r.status_code == 200, r.text
            page = r.json()
            assert len(page["data"]) <= 2
            seen += [item["id"] for item in page["data"]]
            if not page["links"].get("next"):
                return seen
            r = world.client.get(page["links"]["next"], headers=world.person.headers)
        raise AssertionError(f"the walk did not end: {seen}")

    def _paging(self, client: httpx.Client, db: Database, first: dict[str, str]) -> None:
        world = self.world(client, db)
        made = [self.new(world, n)["id"] for n in range(1, 6)]
        whole = self.ids(world)
        walked = self._walk(world, first)
        # Every page that asks counts the list (offset and cursor alike); one that does not ask
        # and is full says nothing of a total.
        for asked in ({**first, "total": "true"}, first):
            r = world.client.get(self.res.collection(world), params=asked, headers=world.person.headers)
            assert r.status_code == 200, r.text
            if "total" in asked:
                assert r.json()["meta"]["total"] == len(whole), r.text
            elif len(r.json()["data"]) == 2:
                assert "total" not in r.json()["meta"], r.text
        assert len(walked) == len(set(walked)), f"repeats: {walked}"
        assert walked == whole, f"paged {walked}, whole list {whole}"
        assert set(made) <= set(walked)

    def test_offset_paging_walks_the_whole_list(self, client: httpx.Client, db: Database) -> None:
        self._paging(client, db, {"limit": "2", "offset": "0"})

    def test_cursor_paging_walks_the_whole_list(self, client: httpx.Client, db: Database) -> None:
        self._paging(client, db, {"limit": "2", "cursor": ""})

    def test_sorts(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        # Made out of order, so that for a sort by a declared value (a name from n) neither id
        # order nor its reverse passes both directions.
        made = {self.new(world, n)["id"] for n in (2, 3, 1)}
        for name in self.res.sorts:
            orders: list[list[str]] = []
            for sort, reverse in ((name, False), (f"-{name}", True)):
                mine = [i for i in self.listed(world, {"sort": sort}) if i["id"] in made]
                assert {i["id"] for i in mine} == made, f"sort={sort} lost objects"
                values = [i["attributes"][name] for i in mine]
                assert values == sorted(values, reverse=reverse), f"sort={sort}: {values}"
                orders.append([i["id"] for i in mine])
            assert orders[0] != orders[1], f"sort={name} and -{name} gave one order: {orders[0]}"

    def test_filters(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        made = {obj["id"]: obj for obj in (self.new(world, n) for n in range(1, 5))}
        for flt in self.res.filters:
            kept = {i for i, obj in made.items() if flt.keep(obj["attributes"])}
            assert kept, f"{flt.params} must keep some of the made objects"
            assert kept != set(made), f"{flt.params} must leave some of the made objects out"
            found = {i["id"] for i in self.listed(world, flt.params)} & set(made)
            assert found == kept, f"{flt.params}: listed {sorted(found)}, expected {sorted(kept)}"

    def test_aliases_serve_the_same_object(self, client: httpx.Client, db: Database) -> None:
        world = self.world(client, db)
        res = self.res
        stranger = make_person(db)
        for make_path, adds in res.create_aliases:
            assert res.create is not None
            body = {**res.create(world, 4), **adds(world)}
            listed = self.ids(world)
            foreign = client.post(make_path(world), json=body, headers=stranger.headers)
            assert foreign.status_code == 404, foreign.text
            assert self.ids(world) == listed
            r = client.post(make_path(world), json=body, headers=world.person.headers)
            assert r.status_code == 201, r.text
            made = res.created(r.json()["data"])
            assert self.read(world, made["id"])["attributes"] == made["attributes"]
            assert made["id"] in self.ids(world)
        for alias in res.item_aliases:
            obj = self.made(world)
            path = alias(world, obj["id"])
            shown = client.get(path, headers=world.person.headers)
            assert shown.status_code == 200, shown.text
            assert shown.json()["data"] == obj
            tries: list[tuple[str, Body | None]] = [("GET", None), ("DELETE", None)]
            if res.change is not None:
                tries.insert(1, (res.change_method, res.change))
            for method, body in tries:
                foreign = client.request(method, path, json=body, headers=stranger.headers)
                absent = client.request(method, self.missing(path), json=body, headers=world.person.headers)
                assert foreign.status_code == absent.status_code == 404, f"{method} {path}: {foreign.text}"
            self.unchanged(world, obj, f"another workspace's person through {path}")
            if res.change is not None:
                r = client.request(res.change_method, path, json=res.change, headers=world.person.headers)
                assert r.status_code == 200, r.text
                for key, value in res.change.items():
                    assert self.read(world, obj["id"])["attributes"][key] == value, key
            assert client.delete(path, headers=world.person.headers).status_code == 204
            if res.gone_after_delete:
                assert client.get(res.item(world, obj["id"]), headers=world.person.headers).status_code == 404
