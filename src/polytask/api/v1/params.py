"""Query-string conventions shared by every native list and show endpoint."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.types import Scope

from polytask.api.v1.schemas import ATTRIBUTE_NAMES, RELATIONSHIP_NAMES
from polytask.core.errors import ValidationFailed
from polytask.core.ids import parse_id
from polytask.core.pagination import PageRequest, PageResult, SortKey, parse_sort
from polytask.core.query import Node, conjunction, parse_expression, parse_params
from polytask.core.query.fields import Boolean, Choice, Field, Moment, Number, Ref, Registry

PAGING = frozenset({"limit", "offset", "page", "per_page", "cursor", "total"})
SHAPING = frozenset({"fields", "include", "sort"})
# What a list endpoint reads itself; every other parameter is a filter for the query engine.
LIST_CONTROLS = PAGING | SHAPING | {"filter", "view", "search"}
# What a list without search, views or includes reads itself (the rest are filters).
FILTERED_LIST = PAGING | {"sort", "filter", "fields"}
# Lists that were answered whole before they were paged (a project's or workspace's custom
# fields, a project's views, your API keys and OAuth clients): their first page is this long
# by default (and at most), so a client that reads one page still sees all of it
# (docs/compat/native.md "Paging").
WHOLE_LIST_PAGE = 1000


def base_key(key: str) -> str:
    """`assignee[]` and `fields[task]` are spelled with brackets; the name is what precedes them."""
    return key.split("[", 1)[0]


def reject_unknown(params: QueryParams, allowed: Collection[str]) -> None:
    """Unknown query parameters are an error, never silently ignored."""
    unknown = sorted({k for k in params if base_key(k) not in allowed})
    if unknown:
        raise ValidationFailed(
            f"Unknown query parameter '{unknown[0]}'",
            {"field": unknown[0], "issue": "unknown query parameter", "allowed": sorted(allowed)},
        )


def filter_tree(
    params: QueryParams, *, reserved: Collection[str] = LIST_CONTROLS, forbidden: Collection[str] = ()
) -> Node | None:
    """Bracket filters and the `filter=` expression, ANDed, as one tree for the query engine.

    `forbidden` fields are refused like unknown parameters (a nested list's parent id).
    """
    conds = parse_params(params.multi_items(), reserved)
    for cond in conds:
        if cond.field in forbidden:
            raise ValidationFailed(
                f"Unknown query parameter '{cond.param}'", {"field": cond.param, "issue": "already given by the path"}
            )
    nodes: list[Node] = list(conds)
    for expression in params.getlist("filter"):
        nodes.append(parse_expression(expression, "filter"))
    return conjunction(nodes)


def many(params: QueryParams, name: str) -> list[str] | None:
    """All values of `name`, `name[]` and comma lists, flattened; None when absent."""
    values = params.getlist(name) + params.getlist(f"{name}[]")
    if not values and name not in params and f"{name}[]" not in params:
        return None
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def one(params: QueryParams, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise ValidationFailed.field(name, "may be given only once", values)
    return values[0] if values else None


def one_id(params: QueryParams, name: str, kind: str) -> int | None:
    """A single id parameter (`view=view_3`); a malformed one is a 422 naming it."""
    raw = one(params, name)
    if raw is None:
        return None
    pk = parse_id(kind, raw)
    if pk is None:
        raise ValidationFailed.field(name, f"must be a {kind} id", raw)
    return pk


def _flag(params: QueryParams, name: str) -> bool | None:
    raw = one(params, name)
    if raw is None:
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise ValidationFailed.field(name, "must be true or false", raw)


def _int(params: QueryParams, name: str, minimum: int) -> int | None:
    raw = one(params, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed.field(name, "must be an integer", raw) from None
    if value < minimum:
        raise ValidationFailed.field(name, f"must be at least {minimum}", raw)
    return value


def page_request(params: QueryParams, *, default: int, maximum: int) -> PageRequest:
    """limit/offset, page/per_page, or cursor (+ limit); sizes above the maximum are capped, not refused."""
    cursor = one(params, "cursor")
    total = _flag(params, "total")
    if cursor is not None:
        for name in ("offset", "page", "per_page"):
            if name in params:
                raise ValidationFailed(
                    f"Use either cursor or {name}, not both", {"field": name, "issue": "conflicts with cursor"}
                )
        limit = _int(params, "limit", 1)
        return PageRequest(limit=min(limit or default, maximum), offset=0, want_total=bool(total), cursor=cursor)
    limit = _int(params, "limit", 1)
    offset = _int(params, "offset", 0)
    page = _int(params, "page", 1)
    per_page = _int(params, "per_page", 1)
    if (page is not None or per_page is not None) and (limit is not None or offset is not None):
        raise ValidationFailed(
            "Use either limit/offset or page/per_page, not both",
            {"field": "page", "issue": "conflicts with limit/offset"},
        )
    # Counting is what grows with the data: a page counts its list only when asked
    # (`total=true`); one that shows the end knows its total without counting.
    if page is not None or per_page is not None:
        size = min(per_page or default, maximum)
        return PageRequest(limit=size, offset=((page or 1) - 1) * size, want_total=bool(total))
    return PageRequest(limit=min(limit or default, maximum), offset=offset or 0, want_total=bool(total))


@dataclass(frozen=True, slots=True)
class Shape:
    """What the client asked to see: sparse fieldsets and includes."""

    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    include: tuple[str, ...] = ()


def shape(params: QueryParams, primary: str, includable: Mapping[str, str]) -> Shape:
    """Parse `fields=a,b`, `fields[type]=a,b` and `include=x,y` (or `include[]=x`)."""
    if not params:
        return Shape()
    fields: dict[str, frozenset[str]] = {}
    for key, value in params.multi_items():
        if key == "fields":
            kind = primary
        elif key.startswith("fields[") and key.endswith("]"):
            kind = key[7:-1]
            if kind not in ATTRIBUTE_NAMES:
                raise ValidationFailed.field(key, f"unknown resource type '{kind}'")
        else:
            continue
        known = ATTRIBUTE_NAMES[kind] | RELATIONSHIP_NAMES[kind]
        # `id` and `type` are always there; an attribute called `type` (an event's) is asked for.
        always = {"id", "type"} - known
        names = frozenset(n.strip() for n in value.split(",") if n.strip() and n.strip() not in always)
        unknown = sorted(names - known)
        if unknown:
            raise ValidationFailed(
                f"Unknown field '{unknown[0]}' for {kind}",
                {"field": key, "issue": f"unknown field '{unknown[0]}'", "allowed": sorted(known)},
            )
        fields[kind] = fields.get(kind, frozenset()) | names
    include: list[str] = []
    for name in many(params, "include") or []:
        if name not in includable:
            raise ValidationFailed(
                f"Cannot include '{name}'",
                {"field": "include", "issue": f"unknown relationship '{name}'", "allowed": sorted(includable)},
            )
        if name not in include:
            include.append(name)
    return Shape(fields=fields, include=tuple(include))


def _cursor_meta_links(path: str, query: QueryParams, result: PageResult[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    page = result.page
    meta: dict[str, Any] = {"limit": page.limit, "cursor": page.cursor or None, "next_cursor": result.next_cursor}
    if result.total is not None:
        meta["total"] = result.total
    keep = [(k, v) for k, v in query.multi_items() if k not in ("cursor", "limit")]

    def link(cursor: str) -> str:
        return f"{path}?{urlencode([*keep, ('limit', str(page.limit)), ('cursor', cursor)])}"

    links = {
        "self": link(page.cursor or ""),
        "first": link(""),
        "next": link(result.next_cursor) if result.next_cursor else None,
    }
    return meta, links


def url_path(scope: Scope) -> str:
    """`request.url.path`, without building the whole URL (host, scheme, query) to get it."""
    path: str = scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def list_meta_links(
    path: str, query: QueryParams, result: PageResult[Any], count: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A list page's `meta` and `links`; `path` is the request URL's path (`url_path`) and
    `query` its own query parameters (parsed once)."""
    if result.page.cursor is not None:
        return _cursor_meta_links(path, query, result)
    page = result.page
    meta: dict[str, Any] = {
        "limit": page.limit,
        "offset": page.offset,
        "page": page.offset // page.limit + 1,
        "per_page": page.limit,
    }
    if result.total is not None:
        meta["total"] = result.total
    # `total` carries over: a client that asked for the count gets it on every page it follows.
    kept = urlencode([(k, v) for k, v in query.multi_items() if k not in PAGING or k == "total"])
    # The other parameters are encoded once; every link only adds its limit and offset.
    head = f"{path}?{kept}&" if kept else f"{path}?"

    def link(offset: int) -> str:
        return f"{head}limit={page.limit}&offset={max(offset, 0)}"

    has_next = result.total > page.offset + count if result.total is not None else count == page.limit
    links: dict[str, Any] = {
        "self": link(page.offset),
        "first": link(0),
        "prev": link(page.offset - page.limit) if page.offset > 0 else None,
        "next": link(page.offset + page.limit) if has_next else None,
    }
    if result.total is not None:
        last = max((result.total - 1) // page.limit, 0) * page.limit
        links["last"] = link(last)
    return meta, links


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list request asks for: the page, the sort and the filter tree."""

    page: PageRequest
    sort: list[SortKey]
    tree: Node | None


def list_query(params: QueryParams, *, default: int, maximum: int, shaped: bool = True) -> ListQuery:
    """Paging, `sort=` and filters (bracket parameters, `filter=`) of a list without search or views;
    `fields=` is the caller's to read when `shaped` (else it is an unknown filter, a 422)."""
    reserved = FILTERED_LIST if shaped else FILTERED_LIST - {"fields"}
    tree = filter_tree(params, reserved=reserved)
    page = page_request(params, default=default, maximum=maximum)
    return ListQuery(page, parse_sort(params.get("sort"), None), tree)


def whole_list_query(params: QueryParams, max_page_size: int, *, shaped: bool = True) -> ListQuery:
    """`list_query` for a list once answered whole: pages of WHOLE_LIST_PAGE unless asked otherwise."""
    maximum = max(WHOLE_LIST_PAGE, max_page_size)
    return list_query(params, default=maximum, maximum=maximum, shaped=shaped)


def query_parameter(
    name: str, schema: dict[str, Any], description: str, example: Any = None, **extra: Any
) -> dict[str, Any]:
    """One optional query parameter of an OpenAPI operation."""
    parameter = {"name": name, "in": "query", "required": False, "schema": schema, "description": description}
    if example is not None:
        parameter["example"] = example
    return parameter | extra


PAGING_PARAMETERS = (
    query_parameter("limit", {"type": "integer", "minimum": 1}, "Page size (capped at the maximum).", 1),
    query_parameter("offset", {"type": "integer", "minimum": 0}, "Items to skip.", 0),
    query_parameter("page", {"type": "integer", "minimum": 1}, "Page number (with `per_page`).", 1),
    query_parameter("per_page", {"type": "integer", "minimum": 1}, "Page size (with `page`).", 1),
    query_parameter("cursor", {"type": "string"}, "Keyset paging: empty for the first page, then `next_cursor`.", ""),
    query_parameter("total", {"type": "boolean"}, "Count the whole list into `meta.total`.", True),
)


def _filter_schema(fld: Field) -> dict[str, Any]:
    """What one value of the field's filter parameter is (`name=a,b` lists are the same type)."""
    kind = fld.type
    if fld.any_of is None and isinstance(kind, Boolean):
        return {"type": "boolean"}
    if fld.any_of is None and isinstance(kind, Number):
        return {"type": "integer" if kind.integer else "number"}
    if isinstance(kind, Choice):
        return {"type": "string", "enum": list(kind.options)}
    return {"type": "string"}


def _filter_example(fld: Field) -> Any:
    kind = fld.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Number):
        return 1
    if isinstance(kind, Choice):
        return kind.options[0]
    if isinstance(kind, Ref):
        return "me" if kind.kind == "user" else f"{kind.kind}_1"
    if isinstance(kind, Moment):
        return "2024-01-31"
    if kind.label == "id":  # an id of any kind (an audit event's resource, a credential)
        return "1"
    return "text"


# What a named comparison (`due_before`, `due_after`) keeps, said in words.
_IMPLIED = {
    "before": "before this instant, or up to the end of this day",
    "gte": "at or after this instant, or from the start of this day",
}


def _filter_parameter(name: str, fld: Field) -> dict[str, Any]:
    label = fld.type.label
    if fld.implied_op is not None:
        about = f"Filter ({label}): values {_IMPLIED.get(fld.implied_op, f'`{fld.implied_op}` this one')}."
    else:
        ops = ", ".join(sorted(fld.ops - {"eq"}))
        about = f"Filter ({label}); also `{name}[op]`: {ops}." if ops else f"Filter ({label})."
        if fld.any_of is not None or fld.type.splits:
            about += " `a,b` or a repeated parameter: any of them."
    return query_parameter(name, _filter_schema(fld), about, _filter_example(fld))


def list_parameters(
    registry: Registry | None = None,
    *,
    path: Collection[str] = (),
    custom_fields: bool = False,
    search: bool = False,
    view: bool = False,
    include: Collection[str] = (),
    extra: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The query parameters a list handler takes, for its route's `openapi_extra`: paging always;
    with a `registry` (a handler that runs a filter tree) `sort`, `filter=` and one equality
    filter per field (operators in brackets, `name[ne]=`, are the same filter), less the fields
    its `path` gives; `custom_fields` when `custom_fields.<key>` filters and sorts; then `search`,
    `view`, `include` (these names) and the handler's `extra` parameters. `fields=` stays out,
    as on every list: the document describes full objects, a sparse answer is a projection of
    one (docs/compat/native.md, "Response schemas and sparse fieldsets")."""
    parameters = [*PAGING_PARAMETERS]
    if registry is not None:
        fields = {name: fld for name, fld in sorted(registry.fields.items()) if name not in path}
        sortable = [n for n, f in fields.items() if f.sortable and f.expr is not None and not f.implied_op]
        custom = ", and `custom_fields.<key>`" if custom_fields else ""
        parameters += [
            query_parameter(
                "sort",
                {"type": "string"},
                f"Comma-separated, `-` for descending: {', '.join(sortable)}{custom}.",
                sortable[0],
            ),
            query_parameter(
                "filter",
                {"type": "string"},
                f"A filter expression over the fields below{custom} (docs/compat/native.md).",
                f"{next(iter(fields))} != null",
            ),
        ]
        parameters += [_filter_parameter(name, fld) for name, fld in fields.items()]
    if search:
        parameters.append(
            query_parameter("search", {"type": "string"}, "Keep items containing every word; best matches first.", "x")
        )
    if view:
        parameters.append(
            query_parameter(
                "view",
                {"type": "string"},
                "A saved view's id (`view_3`): its filter, and its sort and fields unless the request gives them.",
                "view_1",
            )
        )
    if include:
        parameters.append(
            query_parameter(
                "include",
                {"type": "array", "items": {"type": "string", "enum": sorted(include)}},
                "Related objects to add under `included`, comma-separated.",
                [sorted(include)[0]],
                style="form",
                explode=False,
            )
        )
    parameters += extra
    return {"parameters": parameters}
