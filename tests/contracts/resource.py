"""What a resource declares for the CRUD contract (tests/contracts/crud.py): where it lives,
its bodies, scopes, roles, events, sorts and filters; and the world its cases run in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import httpx

from polytask.core.db import Database
from polytask.domain.api_keys.service import create_api_key
from polytask.domain.events.catalog import CATALOG
from polytask.domain.users.service import get_user
from tests.factories.people import Person, join, make_person
from tests.factories.work import make_project, make_task

Body = dict[str, Any]
ROLES = ("owner", "admin", "member", "viewer")
EVERYONE = frozenset(ROLES)
WRITERS = frozenset({"owner", "admin", "member"})
MANAGERS = frozenset({"owner", "admin"})
# A public address literal: the SSRF guard refuses names that do not resolve, and tests have no DNS.
WEBHOOK_URL = "https://93.184.216.34/in"


@dataclass
class World:
    """One person's workspace with a project and a task; teammates by role on demand."""

    client: httpx.Client
    db: Database
    person: Person
    project: str
    task: str
    _teammates: dict[str, Person] = field(default_factory=dict)

    @classmethod
    def build(cls, client: httpx.Client, db: Database, *, server_admin: bool = False) -> World:
        owner = make_person(db, role="admin" if server_admin else "user")
        project = make_project(client, owner)
        return cls(client, db, owner, project, str(make_task(client, owner, project)["id"]))

    @property
    def workspace(self) -> str:
        return self.person.workspace

    def teammate(self, role: str) -> Person:
        """A person who joined this workspace with `role` (the same one each time)."""
        if role == "owner":
            return self.person
        if role not in self._teammates:
            someone = make_person(self.db)
            join(self.db, self.person, someone, role=role)
            self._teammates[role] = someone
        return self._teammates[role]

    def key(self, scopes: list[str], person: Person | None = None) -> dict[str, str]:
        """Headers with a new key of `person` (the owner) holding exactly `scopes`."""
        who = person or self.person
        with self.db.unit_of_work() as session:
            secret = create_api_key(session, None, user=get_user(session, who.user_id), scopes=scopes).secret
        return {"Authorization": f"Bearer {secret}"}


@dataclass(frozen=True)
class Roles:
    """Which workspace roles may read, create, change and delete (the owner's objects)."""

    read: frozenset[str] = EVERYONE
    create: frozenset[str] = WRITERS
    change: frozenset[str] = WRITERS
    delete: frozenset[str] = WRITERS


@dataclass(frozen=True)
class Refused:
    """A body refused with 422 and the field its error names; sent on create or on change."""

    body: Body
    field: str
    on: str = "create"


@dataclass(frozen=True)
class Filter:
    """Query parameters and which of the created objects (by their attributes) they keep."""

    params: dict[str, str]
    keep: Callable[[Body], bool]


@dataclass(frozen=True)
class Resource:
    type: str  # the JSON:API type: "task"
    collection: Callable[[World], str]  # where it is listed (and created, when it has a create route)
    item: Callable[[World, str], str]  # where one is shown, changed, deleted
    read_scope: str
    write_scope: str
    # The nth valid create body; vary it with n where sorts and filters need different values.
    create: Callable[[World, int], Body] | None = None
    created: Callable[[Any], Body] = lambda data: data  # the object in the create response's `data`
    # Builds the nth object where there is no create route (members join through an invite).
    make: Callable[[World, int], Body] | None = None
    change: Body | None = None  # a valid change, and the attributes it shows afterwards
    change_method: str = "PATCH"
    refused: tuple[Refused, ...] = ()
    roles: Roles | None = Roles()  # None: not held in a workspace (an API key is its user's)
    # The event types its create (or make), change and delete record, None where none.
    events: tuple[str | None, str | None, str | None] = (None, None, None)
    gone_after_delete: bool = True  # False: a delete marks it (a revoked invite stays readable)
    foreign_parent: bool = True  # its collection names a parent another workspace's person cannot see
    paging: tuple[str, ...] = ("offset", "cursor")
    sorts: tuple[str, ...] = ()  # attributes `sort=` orders by (ascending and `-` descending)
    filters: tuple[Filter, ...] = ()
    hostile: bool = True
    # The same object under other paths (/v1/projects/{p}/tasks/{t} for /v1/tasks/{t}), and
    # other create routes with what their body adds (the parent it names).
    item_aliases: tuple[Callable[[World, str], str], ...] = ()
    create_aliases: tuple[tuple[Callable[[World], str], Callable[[World], Body]], ...] = ()
    # Where its events are read: the world's workspace audit log, or the server-wide one (for
    # events of no workspace, or of a workspace the test deletes); "server" makes the world's
    # person a server admin, who may read it.
    log: str = "workspace"
    # False: its public events reach neither the world's webhooks nor its changes feed (a
    # workspace created and deleted by the test).
    announced: bool = True
    # Whether an audit-log event (its attributes) is about the object: by default its resource_id.
    event_of: Callable[[Body, Body], bool] = lambda obj, event: event["resource_id"] == obj["id"]

    @property
    def event_resource(self) -> str:
        """The resource_type its events are recorded under (a user's membership: member)."""
        return next(CATALOG[e].resource for e in self.events if e) if any(self.events) else self.type


def template_paths(resource: Resource) -> tuple[str, str]:
    """The collection and item paths as route templates ("/v1/projects/{}/sections/{}")."""
    world = cast(World, SimpleNamespace(workspace="{}", project="{}", task="{}"))
    return resource.collection(world), resource.item(world, "{}")


def declared_routes(resource: Resource) -> set[tuple[str, str]]:
    """(method, path template) of the write routes a declaration exercises."""
    collection, item = template_paths(resource)
    world = cast(World, SimpleNamespace(workspace="{}", project="{}", task="{}"))
    items = [item, *(alias(world, "{}") for alias in resource.item_aliases)]
    routes = {("DELETE", path) for path in items}
    if resource.create is not None:
        routes.add(("POST", collection))
        routes.update(("POST", path(world)) for path, _ in resource.create_aliases)
    if resource.change is not None:
        routes.update((resource.change_method, path) for path in items)
    return routes
