"""Opaque, type-prefixed public ids (`task_42`) over integer primary keys."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, SerializationInfo, SerializerFunctionWrapHandler, WithJsonSchema, WrapSerializer

# Canonical prefix per resource type, plus the short forms the Taskade guide uses.
PREFIXES: dict[str, tuple[str, ...]] = {
    "workspace": ("workspace", "ws"),
    "project": ("project", "proj"),
    "task": ("task",),
    "section": ("section",),
    "user": ("user",),
    "comment": ("comment",),
    "invite": ("invite",),
    "member": ("member",),
    "api_key": ("key", "api_key"),
    "event": ("event",),
    "custom_field": ("field", "custom_field"),
    "view": ("view",),
    "webhook": ("webhook", "wh"),
    "webhook_delivery": ("delivery", "webhook_delivery"),
    "oauth_client": ("oauth_client",),
    "department": ("department", "dept"),
    "risk": ("risk",),
    "time_entry": ("time_entry",),
    "expense": ("expense",),
    "project_attribute": ("project_attribute",),
    "file": ("file",),
    "discussion": ("discussion",),
    "discussion_message": ("message", "discussion_message"),
    "document": ("document", "doc"),
    "calendar_feed": ("calendar_feed",),
    "import": ("import",),
    "template": ("template",),
    "automation": ("automation",),
    "automation_run": ("automation_run", "run"),
}


# The largest primary key every supported database can hold (PostgreSQL `integer` columns).
# A larger id names no row; comparing it to a key column is an error on PostgreSQL.
MAX_KEY = 2**31 - 1


def storable_key(pk: int) -> bool:
    """Whether `pk` is in the range a row's primary key can have (1..MAX_KEY)."""
    return 0 < pk <= MAX_KEY


# Kinds whose keys are 64-bit (BigInteger columns: the event log, webhook deliveries).
_WIDE_KEYS = frozenset({"event", "webhook_delivery", "automation_run"})


def _key_in_range(kind: str, pk: int) -> bool:
    return pk > 0 if kind in _WIDE_KEYS else storable_key(pk)


def render_id(kind: str, pk: int) -> str:
    return f"{PREFIXES[kind][0]}_{pk}"


def parse_id(kind: str, value: object) -> int | None:
    """Accepts `task_42`, `42` or 42; returns None for anything else, a key no row can have
    included (above MAX_KEY, which PostgreSQL would refuse to compare with the key column)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if _key_in_range(kind, value) else None
    if not isinstance(value, str):
        return None
    raw = value.strip()
    head, sep, tail = raw.rpartition("_")
    if sep:
        if head not in PREFIXES[kind]:
            return None
        raw = tail
    # ASCII digits only: str.isdigit() is also true of "³", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    pk = int(raw)
    return pk if _key_in_range(kind, pk) else None


def id_pattern(kind: str) -> str:
    """A regular expression for the accepted string forms of `kind`'s ids (never 0: ids start at 1)."""
    return rf"^(({'|'.join(PREFIXES[kind])})_)?0*[1-9][0-9]*$"


def id_json_schema(kind: str) -> dict[str, Any]:
    """What clients may send: the prefixed string (as rendered) or the bare number."""
    return {
        "anyOf": [{"type": "string", "pattern": id_pattern(kind)}, {"type": "integer", "minimum": 1}],
        "examples": [render_id(kind, 123)],
    }


# The serialization context under which a `*Ref` field dumps as its public id (`section_4`):
# a stored input shown back to its client (an automation's actions). Without it, the bare key,
# as services store it.
RENDER_IDS = "render_ids"


def _ref_serializer(kind: str) -> WrapSerializer:
    def dump(value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        context = info.context
        if context and context.get(RENDER_IDS) and isinstance(value, int):
            return render_id(kind, value)
        return handler(value)

    return WrapSerializer(dump)


def _ref_validator(kind: str) -> BeforeValidator:
    def check(value: Any) -> int:
        pk = parse_id(kind, value)
        if pk is None:
            raise ValueError(f"must be a {kind} id such as '{render_id(kind, 123)}'")
        return pk

    return BeforeValidator(check)


UserRef = Annotated[int, _ref_validator("user"), _ref_serializer("user"), WithJsonSchema(id_json_schema("user"))]
ProjectRef = Annotated[
    int, _ref_validator("project"), _ref_serializer("project"), WithJsonSchema(id_json_schema("project"))
]
TaskRef = Annotated[int, _ref_validator("task"), _ref_serializer("task"), WithJsonSchema(id_json_schema("task"))]
SectionRef = Annotated[
    int, _ref_validator("section"), _ref_serializer("section"), WithJsonSchema(id_json_schema("section"))
]
DepartmentRef = Annotated[
    int, _ref_validator("department"), _ref_serializer("department"), WithJsonSchema(id_json_schema("department"))
]
WorkspaceRef = Annotated[
    int, _ref_validator("workspace"), _ref_serializer("workspace"), WithJsonSchema(id_json_schema("workspace"))
]
TemplateRef = Annotated[
    int, _ref_validator("template"), _ref_serializer("template"), WithJsonSchema(id_json_schema("template"))
]
WebhookRef = Annotated[
    int, _ref_validator("webhook"), _ref_serializer("webhook"), WithJsonSchema(id_json_schema("webhook"))
]
