"""Paging and sorting requests, independent of any surface (core/query/listing.py runs them)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from polytask.core.errors import ValidationFailed

T = TypeVar("T")

# Any SELECT, whatever it returns (Select is variadic in SQLAlchemy 2.1).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Offset paging, or keyset paging when `cursor` is set ("" asks for the first page)."""

    limit: int
    offset: int
    want_total: bool = True
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(slots=True)
class PageResult(Generic[T]):
    items: list[T]
    total: int | None
    page: PageRequest
    # Keyset paging: the cursor of the page after this one, None on the last page.
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class OrderTerm:
    """One ORDER BY term: a name (for the cursor's signature), its expression and direction."""

    name: str
    expr: Any
    descending: bool = False


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


# --- keyset (cursor) paging ---------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return float(value)
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(str(value["t"]))
        if "d" in value:
            return date.fromisoformat(str(value["d"]))
        raise ValueError("unknown value")
    if value is not None and not isinstance(value, str | int | float):
        raise ValueError("unknown value")
    return value


def encode_cursor(signature: str, values: Sequence[Any], last_id: int) -> str:
    raw = json.dumps({"s": signature, "v": [_encode_value(v) for v in values], "i": last_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, signature: str, count: int, param: str = "cursor") -> tuple[list[Any], int]:
    """The sort values and id of the row a page starts after (422 for a foreign or damaged cursor)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        values = [_decode_value(v) for v in data["v"]]
        last_id = int(data["i"])
        sig = str(data["s"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationFailed.field(param, "is not a cursor this server issued", token) from None
    if sig != signature or len(values) != count:
        raise ValidationFailed.field(param, "was issued for a different sort; start again without it", token)
    return values, last_id
