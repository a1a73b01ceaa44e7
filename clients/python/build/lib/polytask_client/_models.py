"""What the client returns: JSON:API documents unwrapped into objects with attribute access."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class Record(Mapping[str, Any]):
    """A JSON object readable as attributes (`meta.total`) or as a mapping (`meta['total']`).
    Nested objects come back as Records too; lists of objects as lists of Records."""

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return wrap(self._data[name])
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __getitem__(self, key: str) -> Any:
        return wrap(self._data[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return self._data == other._data
        return isinstance(other, Mapping) and self._data == dict(other)

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The plain JSON object."""
        return self._data

    def __repr__(self) -> str:
        return f"Record({self._data!r})"


def wrap(value: Any) -> Any:
    if isinstance(value, dict):
        if "type" in value and "id" in value and ("attributes" in value or "relationships" in value):
            return Resource(value)
        return Record(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class Resource:
    """A JSON:API resource object: `id`, `type`, and its attributes as attributes
    (`task.name`). A relationship reads as the related id (`task.project` or
    `task.project_id` -> 'project_7'; a to-many one as a list of ids); `relationships` has
    the raw objects. `etag` is the response's ETag when the resource came alone."""

    __slots__ = ("attributes", "etag", "id", "included", "links", "meta", "raw", "relationships", "type")

    def __init__(
        self, data: Mapping[str, Any], *, etag: str | None = None, included: list[Resource] | None = None
    ) -> None:
        self.raw: dict[str, Any] = dict(data)
        self.id: str = str(data.get("id"))
        self.type: str = str(data.get("type"))
        self.attributes: dict[str, Any] = dict(data.get("attributes") or {})
        self.relationships: dict[str, Any] = dict(data.get("relationships") or {})
        self.links: dict[str, Any] = dict(data.get("links") or {})
        self.meta: dict[str, Any] = dict(data.get("meta") or {})
        self.etag = etag
        self.included: list[Resource] = included or []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attributes = self.attributes
        if name in attributes:
            return wrap(attributes[name])
        relationships = self.relationships
        key = name if name in relationships else name.removesuffix("_id") if name.endswith("_id") else None
        if key is not None and key in relationships:
            return related_ids(relationships[key])
        raise AttributeError(f"{self.type} has no attribute or relationship {name!r}")

    def __getitem__(self, key: str) -> Any:
        return wrap(self.attributes[key])

    def get(self, key: str, default: Any = None) -> Any:
        """An attribute, or `default` when the resource does not carry it."""
        return wrap(self.attributes[key]) if key in self.attributes else default

    def related(self, name: str) -> list[Resource]:
        """The included resources a relationship names (when the request asked `include=`)."""
        ids = related_ids(self.relationships.get(name))
        wanted = set(ids if isinstance(ids, list) else [ids] if ids else [])
        return [r for r in self.included if r.id in wanted]

    def to_dict(self) -> dict[str, Any]:
        """The JSON:API resource object as the server sent it."""
        return self.raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resource) and self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        name = self.attributes.get("name") or self.attributes.get("title")
        return f"<{self.type} {self.id}{f' {name!r}' if name else ''}>"


def related_ids(relationship: Any) -> Any:
    data = relationship.get("data") if isinstance(relationship, dict) else None
    if isinstance(data, list):
        return [item.get("id") for item in data if isinstance(item, dict)]
    if isinstance(data, dict):
        return data.get("id")
    return None


@dataclass(frozen=True)
class Page:
    """One page of a list: its resources, `meta` and `links`."""

    data: list[Resource]
    meta: Record
    links: Record

    @property
    def next(self) -> str | None:
        link = self.links.get("next")
        return link if isinstance(link, str) and link else None


@dataclass(frozen=True)
class Document:
    """A response that is not a single resource (bulk, batch, invites): `data` unwrapped
    (resources where it holds resources), `meta`, and the raw JSON."""

    data: Any
    meta: Record
    raw: dict[str, Any]


@dataclass(frozen=True)
class ChangeEvent:
    """One Server-Sent Event of the change stream: `id` (`event_N`), `event` (its type,
    `task.created`), and `data`, the feed's `event` resource (`data.resource_id`,
    `data.data` ...)."""

    id: str
    event: str
    data: Resource


def resource_of(body: Any, etag: str | None = None) -> Resource:
    included = [Resource(r) for r in body.get("included") or []] if isinstance(body, dict) else []
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise TypeError(f"expected a single resource document, got {type(data).__name__}")
    return Resource(data, etag=etag, included=included)


def page_of(body: Any) -> Page:
    included = [Resource(r) for r in body.get("included") or []]
    return Page(
        data=[Resource(r, included=included) for r in body.get("data") or []],
        meta=Record(body.get("meta") or {}),
        links=Record(body.get("links") or {}),
    )


def document_of(body: Any) -> Document:
    body = body if isinstance(body, dict) else {}
    return Document(data=wrap(body.get("data")), meta=Record(body.get("meta") or {}), raw=body)
