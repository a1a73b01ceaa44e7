"""The query-engine registry of event-log fields, shared by the audit logs and project activity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, not_, or_

from polytask.core.ids import PREFIXES, storable_key
from polytask.core.pagination import SortKey
from polytask.core.query.fields import Field, FieldType, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec
from polytask.core.query.values import Context
from polytask.models import Event

# `key_5` names an api_key; kinds without a registered prefix are written `<kind>_<n>`.
_KIND_OF_PREFIX = {prefix: kind for kind, prefixes in PREFIXES.items() for prefix in prefixes}


def render_ref(kind: str | None, pk: int | None) -> str | None:
    """An event's resource or credential as a prefixed id (`task_4`, `key_2`, `oauth_token_9`)."""
    if kind is None or not pk:
        return None
    prefix = PREFIXES[kind][0] if kind in PREFIXES else kind
    return f"{prefix}_{pk}"


def parse_ref_any(raw: str) -> tuple[str | None, int]:
    """`task_4` -> ("task", 4); a bare `4` -> (None, 4) for any kind."""
    text = raw.strip()
    head, sep, tail = text.rpartition("_")
    digits = tail if sep else text
    if (
        not (digits.isascii() and digits.isdigit())
        or len(digits) > 18
        or not storable_key(int(digits))
        or (sep and not head)
    ):
        raise ValueError("must be an id such as 'task_42' (or just 42)")
    return (_KIND_OF_PREFIX.get(head, head) if sep else None), int(digits)


class ResourceRef(FieldType):
    """The event's resource: `resource_id=task_4` (type and id) or `resource_id=4` (any type)."""

    label = "id"
    ops = frozenset({"eq", "ne", "in", "nin"})

    def parse(self, raw: str, ctx: Context) -> tuple[str | None, int]:
        return parse_ref_any(raw)

    def clause(self, expr: ColumnElement[Any], op: str, values: list[Any]) -> Any:
        def one(value: tuple[str | None, int]) -> Any:
            kind, pk = value
            return (
                (Event.resource_id == pk) if kind is None else (Event.resource_id == pk) & (Event.resource_type == kind)
            )

        match = or_(*[one(v) for v in values])
        return not_(match) if op in ("ne", "nin") else match


class CredentialRef(FieldType):
    """The credential's id; its prefix is optional (`key_3` or `3`), `credential_kind` tells kinds apart."""

    label = "id"

    def parse(self, raw: str, ctx: Context) -> int:
        return parse_ref_any(raw)[1]


_COMMON = [
    Field("id", Ref("event"), expr=Event.id),
    Field("type", Text(), expr=Event.type),
    Field("occurred_at", Moment(), expr=Event.occurred_at),
    Field("actor_id", Ref("user"), expr=Event.actor_user_id),
    Field("actor", Ref("user"), expr=Event.actor_user_id),
    Field("resource_type", Text(), expr=Event.resource_type),
    Field("resource_id", ResourceRef(), expr=Event.resource_id),
]
_ADMIN = [
    Field("credential_kind", Text(), expr=Event.credential_kind),
    Field("credential_id", CredentialRef(), expr=Event.credential_id),
    Field("client_ip", Text(), expr=Event.client_ip),
    Field("project_id", Ref("project"), expr=Event.project_id),
    Field("workspace_id", Ref("workspace"), expr=Event.workspace_id),
]

# The server-wide log: everything.
SERVER_AUDIT_FIELDS = Registry.of("audit event", [*_COMMON, *_ADMIN])
# A workspace's log: its workspace is the path's.
WORKSPACE_AUDIT_FIELDS = SERVER_AUDIT_FIELDS.without("workspace_id")
# A project's activity, for anyone who reads the project: no addresses or credentials.
ACTIVITY_FIELDS = Registry.of("activity event", _COMMON)

# Newest first unless asked otherwise; ids grow with time, and the id index serves it.
_NEWEST_FIRST = (SortKey("id", descending=True),)
SERVER_AUDIT_LIST: ListSpec[Event] = ListSpec(
    "server audit event", SERVER_AUDIT_FIELDS, Event.id, default_sort=_NEWEST_FIRST
)
WORKSPACE_AUDIT_LIST: ListSpec[Event] = ListSpec(
    "audit event", WORKSPACE_AUDIT_FIELDS, Event.id, default_sort=_NEWEST_FIRST
)
ACTIVITY_LIST: ListSpec[Event] = ListSpec("activity event", ACTIVITY_FIELDS, Event.id, default_sort=_NEWEST_FIRST)
