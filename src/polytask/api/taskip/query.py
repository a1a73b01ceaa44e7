"""A TaskIP list's controls, read the same way on every list (taskip-api-reference.txt
"Filtering and Sorting"): `page`, `limit`, `search`, `status`, `date_from`, `date_to`,
`created_at`, `sort`, `order`, and the list's own filters (`priority`, `container_id`, ...).

Each becomes part of the query engine's filter tree (a condition on the resource's field
registry), so a TaskIP list runs through the same pipeline, with the same checks, as a `/v1`
list. `date_from`/`date_to`/`created_at` filter on the creation time (a `YYYY-MM-DD` day
covers the whole day); `status=a,b` keeps either. A list POSTed (`/project/all-tasks/list`)
takes the same names in its JSON body; the query string's win where both give one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from polytask.api.taskip.paging import page_of, page_request
from polytask.core.errors import ValidationFailed
from polytask.core.pagination import PageRequest, SortKey
from polytask.core.query.tree import Condition, Node, conjunction

COMMON = ("page", "limit", "search", "status", "date_from", "date_to", "created_at", "sort", "order")
_MAX_SEARCH = 200


@dataclass(frozen=True, slots=True)
class ListArgs:
    page: int
    limit: int
    request: PageRequest
    search: str | None
    sort: list[SortKey]
    tree: Node | None


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed.field(name, "must be a string", value)
    text = str(value).strip()
    return text or None


def list_args(
    values: Mapping[str, Any],
    *,
    filters: Mapping[str, str],
    sortable: Mapping[str, str],
    date_field: str = "created_at",
) -> ListArgs:
    """`values`: the request's parameters. `filters`: each own filter's parameter -> the
    registry field it narrows (`status` among them when the list has one); `sortable`: each
    `sort` value -> the registry field. Unknown `sort` values and a bad `order` are 422s."""
    page, limit = page_of(values.get("page"), values.get("limit"))
    nodes: list[Node] = []
    for param, field in filters.items():
        raw = values.get(param)
        if isinstance(raw, list):
            raw = ",".join(str(v) for v in raw)
        text = _text(param, raw)
        if text is not None:
            nodes.append(Condition(field, "eq", (text,), param))
    for param, op in (("date_from", "gte"), ("date_to", "lte"), ("created_at", "eq")):
        text = _text(param, values.get(param))
        if text is not None:
            nodes.append(Condition(date_field, op, (text,), param, split=False))
    search = _text("search", values.get("search"))
    if search is not None and len(search) > _MAX_SEARCH:
        raise ValidationFailed.field("search", f"is at most {_MAX_SEARCH} characters")
    sort_name = _text("sort", values.get("sort"))
    raw_order = values.get("order")
    order = "asc" if raw_order is None else str(raw_order).strip().lower()
    if order not in ("asc", "desc"):
        raise ValidationFailed.field("order", "must be asc or desc", values.get("order"))
    sort: list[SortKey] = []
    if sort_name is not None:
        if sort_name not in sortable:
            raise ValidationFailed(
                f"Cannot sort by '{sort_name}'",
                {
                    "field": "sort",
                    "issue": f"must be one of {', '.join(sorted(sortable))}",
                    "allowed": sorted(sortable),
                },
            )
        sort = [SortKey(sortable[sort_name], order == "desc")]
    return ListArgs(page, limit, page_request(page, limit), search, sort, conjunction(nodes))


def parameters(own: Mapping[str, str]) -> list[dict[str, Any]]:
    """The OpenAPI query parameters of a list: the common ones and its own filters."""
    described = {
        "page": ({"type": "integer", "minimum": 1, "default": 1}, "Page number"),
        "limit": ({"type": "integer", "minimum": 1, "maximum": 100, "default": 50}, "Items per page"),
        "search": ({"type": "string", "maxLength": _MAX_SEARCH}, "Text search across the relevant fields"),
        # Days as YYYY-MM-DD; the query engine also takes an instant (ISO 8601) or `today`, and an
        # empty value is no filter, so the schema names no format it would refuse.
        "date_from": ({"type": "string", "examples": ["2026-01-31"]}, "Created on or after this day (YYYY-MM-DD)"),
        "date_to": ({"type": "string", "examples": ["2026-01-31"]}, "Created on or before this day (YYYY-MM-DD)"),
        "created_at": ({"type": "string", "examples": ["2026-01-31"]}, "Created on this day (YYYY-MM-DD)"),
        "sort": ({"type": "string"}, "Field to sort by"),
        "order": ({"type": "string", "enum": ["asc", "desc"], "default": "asc"}, "Sort direction"),
    }
    out = []
    for name in (*COMMON, *(k for k in own if k not in COMMON)):
        if name == "status" and "status" not in own:
            continue
        schema, doc = described.get(name, ({"type": "string"}, own.get(name, "")))
        out.append({"name": name, "in": "query", "required": False, "schema": schema, "description": doc})
    return out
