"""Which `/v1` operations each client method sends, so a test can hold the client to the
server's OpenAPI document (every operation has a method or a reason to be absent)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# Operations of /openapi.json under /v1 that the client does not offer, with the reason.
DELIBERATELY_ABSENT: dict[str, str] = {}


def operation(*operations: str) -> Callable[[F], F]:
    """Mark a method with the operations it sends: "GET /tasks/{task_id}", or
    "GET {collection}" / "PATCH {item}" for a namespace's own paths."""

    def mark(fn: F) -> F:
        fn.__operations__ = operations  # type: ignore[attr-defined]
        return fn

    return mark


_PLACEHOLDER = re.compile(r"\{[^}]+\}")


def normalise(method: str, path: str) -> str:
    """`PATCH /tasks/{task_id}` and `PATCH /tasks/{id}` compare equal."""
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', path)}"


def declared_operations(api: object) -> Iterator[tuple[str, str]]:
    """(normalised operation, where) for every marked method reachable from a client."""
    seen: set[int] = set()

    def walk(obj: object, where: str) -> Iterator[tuple[str, str]]:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        cls = type(obj)
        for name in dir(cls):
            fn = getattr(cls, name, None)
            for op in getattr(fn, "__operations__", ()):
                method, path = op.split(" ", 1)
                path = path.replace("{collection}", getattr(obj, "collection", "")).replace(
                    "{item}", getattr(obj, "item", "")
                )
                yield normalise(method, path), f"{where}.{name}"
        for name, value in vars(obj).items():
            if not name.startswith("_") and hasattr(value, "_t"):
                yield from walk(value, f"{where}.{name}")

    yield from walk(api, "api")
