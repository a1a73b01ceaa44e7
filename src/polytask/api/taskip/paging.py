"""`page` (default 1) and `limit` (default 50, at most 100) on every TaskIP list, and the
`meta` block of its answer (taskip-api-reference.txt "Pagination"). A value out of range
or not an integer is a 422 naming the parameter (docs/compat/taskip.md "Lists")."""

from __future__ import annotations

from collections.abc import Sized
from typing import Protocol

from polytask.core.errors import ValidationFailed
from polytask.core.pagination import PageRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
# Deeper than any list a person pages through; it keeps the offset a sane number.
MAX_PAGE = 1_000_000


def _int(name: str, raw: object, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValidationFailed.field(name, f"must be an integer from {low} to {high}", raw)
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed.field(name, f"must be an integer from {low} to {high}", raw) from None
    if not low <= value <= high:
        raise ValidationFailed.field(name, f"must be an integer from {low} to {high}", raw)
    return value


def page_of(page: object, limit: object) -> tuple[int, int]:
    return _int("page", page, 1, 1, MAX_PAGE), _int("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)


def page_request(page: int, limit: int) -> PageRequest:
    return PageRequest(limit=limit, offset=(page - 1) * limit, want_total=True)


class Page(Protocol):
    @property
    def items(self) -> Sized: ...

    @property
    def total(self) -> int | None: ...


def meta_of(result: Page, page: int, limit: int) -> dict[str, int]:
    """The document's `meta`; `total_pages` is 0 for an empty list."""
    total = result.total if result.total is not None else (page - 1) * limit + len(result.items)
    return {"current_page": page, "per_page": limit, "total": total, "total_pages": -(-total // limit)}
