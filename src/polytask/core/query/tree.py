"""The filter tree: conditions joined by AND / OR groups, still untyped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from polytask.core.ids import parse_id

OPERATORS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "nin",
    "contains",
    "icontains",
    "startswith",
    "exists",
    "between",
    "like",
)


@dataclass(frozen=True, slots=True)
class Condition:
    """`field op values`, as the client wrote it.

    `param` names where it came from (`due_date[gte]`, `filter`) so errors can point at it.
    `split` says whether a value may still be a comma list (`status=open,done`): bracket
    parameters may, values from an expression are already exact.
    """

    field: str
    op: str
    values: tuple[str, ...]
    param: str
    split: bool = True


@dataclass(frozen=True, slots=True)
class Group:
    kind: Literal["and", "or"]
    children: tuple[Node, ...]


Node = Condition | Group


def conjunction(nodes: Sequence[Node]) -> Node | None:
    """AND of the nodes (None when there are none)."""
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return Group("and", tuple(nodes))


def conditions(node: Node | None) -> Iterator[Condition]:
    """Every condition in the tree, depth first."""
    if node is None:
        return
    if isinstance(node, Condition):
        yield node
        return
    for child in node.children:
        yield from conditions(child)


def named_ids(node: Node | None, kinds: Mapping[str, str]) -> list[tuple[str, int]]:
    """(field, id) for each id an equality filter names on a field of `kinds` (field -> id
    kind), in the tree's order: what a list checks the caller can see before answering."""
    out: list[tuple[str, int]] = []
    for cond in conditions(node):
        kind = kinds.get(cond.field)
        if kind is None or cond.op not in ("eq", "in"):
            continue
        for raw in cond.values:
            for value in raw.split(",") if cond.split else [raw]:
                if (pk := parse_id(kind, value)) is not None:
                    out.append((cond.field, pk))
    return out
