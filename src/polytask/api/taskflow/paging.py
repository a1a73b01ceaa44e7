"""`page` and `per_page` (taskflow-pro-api.md: default 10), checked by FastAPI: out of range or
not an integer is a 422 naming the parameter (docs/compat/taskflow.md "Pages")."""

from __future__ import annotations

from collections.abc import Sized
from typing import Annotated, Protocol

from fastapi import Query

from polytask.core.pagination import PageRequest

MAX_PER_PAGE = 100
# Deeper than any list a person pages through; it keeps the offset a sane number.
MAX_PAGE = 1_000_000

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")]
PerPage = Annotated[
    int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page (default 10, at most {MAX_PER_PAGE})")
]


def page_request(page: int, per_page: int) -> PageRequest:
    return PageRequest(limit=per_page, offset=(page - 1) * per_page, want_total=True)


class Page(Protocol):
    """A page of a list: its items and the list's total (PageResult, or a flow's page of cards)."""

    @property
    def items(self) -> Sized: ...

    @property
    def total(self) -> int | None: ...


def pagination(result: Page, page: int, per_page: int) -> dict[str, int]:
    """The doc's `pagination` block; `pages` is 0 for an empty list."""
    total = result.total if result.total is not None else (page - 1) * per_page + len(result.items)
    return {"page": page, "per_page": per_page, "total": total, "pages": -(-total // per_page)}
