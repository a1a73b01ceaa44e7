"""JSON:API rendering for the native surface: resource objects, sparse fieldsets, includes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from polytask.core.ids import render_id

Resource = dict[str, Any]


def rid(kind: str, pk: int | None) -> str | None:
    return None if pk is None else render_id(kind, pk)


def ident(kind: str, pk: int | None) -> dict[str, Any]:
    """A relationship object; `data` is null when the link is empty."""
    return {"data": None if pk is None else {"id": render_id(kind, pk), "type": kind}}


def idents(kind: str, pks: Iterable[int]) -> dict[str, Any]:
    return {"data": [{"id": render_id(kind, pk), "type": kind} for pk in pks]}


def resource(kind: str, pk: int, attributes: dict[str, Any], relationships: dict[str, Any] | None = None) -> Resource:
    out: Resource = {"id": render_id(kind, pk), "type": kind, "attributes": attributes}
    if relationships:
        out["relationships"] = relationships
    return out


def sparse(res: Resource, fields: Mapping[str, frozenset[str]]) -> Resource:
    """Keep only the requested attributes of this resource's type."""
    wanted = fields.get(res["type"])
    if wanted is None:
        return res
    trimmed = dict(res)
    trimmed["attributes"] = {k: v for k, v in res["attributes"].items() if k in wanted}
    if "relationships" in res:
        trimmed["relationships"] = {k: v for k, v in res["relationships"].items() if k in wanted}
        if not trimmed["relationships"]:
            del trimmed["relationships"]
    return trimmed


def dedupe(resources: Iterable[Resource]) -> list[Resource]:
    seen: set[tuple[str, str]] = set()
    out: list[Resource] = []
    for res in resources:
        key = (res["type"], res["id"])
        if key not in seen:
            seen.add(key)
            out.append(res)
    return out


def ts(value: datetime | None) -> datetime | None:
    """A timestamp as the native surface shows it: left a datetime, naive or in UTC, for the
    document's encoder (core/jsontext.py `dumps`) to write as core/clock.py `isoformat` does
    (`2024-02-10T17:00:00Z`). Writing each one to text here, five per task, was about 4% of
    a list page; the encoder writes them in its own pass at no measurable cost."""
    if value is None:
        return None
    tz = value.tzinfo
    if tz is None or tz is UTC:
        return value
    return value.astimezone(UTC)


def day(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
