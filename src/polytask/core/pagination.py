"""Paging and sorting requests, independent of any surface."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from polytask.core.errors import ValidationFailed

T = TypeVar("T")

# Any SELECT, whatever it returns (Select is variadic in SQLAlchemy 2.1).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    offset: int
    want_total: bool = True


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(slots=True)
class PageResult(Generic[T]):
    items: list[T]
    total: int | None
    page: PageRequest


def parse_sort(raw: str | None, allowed: Mapping[str, Any] | None, *, param: str = "sort") -> list[SortKey]:
    """`-due_date,name` -> keys; unknown fields are a validation error naming them.

    With `allowed` None the names are checked later, by the resource's query registry."""
    if not raw:
        return []
    keys: list[SortKey] = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("+-")
        if not name:
            raise ValidationFailed.field(param, "has an empty sort key", raw)
        if allowed is not None and name not in allowed:
            raise ValidationFailed(
                f"Cannot sort by '{name}'",
                {"field": param, "issue": f"unknown sort field '{name}'", "allowed": sorted(allowed)},
            )
        keys.append(SortKey(name, descending))
    return keys


def apply_sort(
    stmt: AnySelect,
    keys: Sequence[SortKey],
    columns: Mapping[str, Any],
    id_column: Any,
) -> AnySelect:
    """Order by the keys with NULLs last, and always break ties by id for a stable order."""
    order: list[Any] = []
    for key in keys:
        col = columns[key.field]
        order.append(col.desc().nulls_last() if key.descending else col.asc().nulls_last())
    order.append(id_column.asc())
    return stmt.order_by(*order)


def count_of(stmt: AnySelect) -> Select[int]:
    return select(func.count()).select_from(stmt.order_by(None).subquery())
