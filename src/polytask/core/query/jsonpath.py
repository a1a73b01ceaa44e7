"""Typed reads of one key of a JSON column, the same on SQLite and PostgreSQL.

Each reader yields NULL when the stored value is not of the expected JSON type, so a
stray string in a numeric field never makes PostgreSQL's casts fail or SQLite's
mixed-type comparisons lie.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, String, and_, case, cast, exists, func, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB


def _path(key: str, sub: str | None) -> str:
    quoted = key.replace('"', '""')
    path = f'$."{quoted}"'
    return f'{path}."{sub}"' if sub else path


def json_type(column: Any, key: str, dialect: str, sub: str | None = None) -> ColumnElement[Any]:
    """'number', 'string', 'boolean', 'array', 'object', 'null' or NULL when missing."""
    if dialect == "postgresql":
        return func.jsonb_typeof(column[key] if sub is None else column[(key, sub)])
    kind = func.json_type(column, _path(key, sub))
    return case(
        (kind.in_(["integer", "real"]), literal("number")),
        (kind == "text", literal("string")),
        (kind.in_(["true", "false"]), literal("boolean")),
        else_=kind,
    )


def json_text(column: Any, key: str, dialect: str, sub: str | None = None) -> ColumnElement[Any]:
    """A string value as text (NULL for other types)."""
    if dialect == "postgresql":
        node = column[key] if sub is None else column[(key, sub)]
        return case((func.jsonb_typeof(node) == "string", node.as_string()), else_=None)
    return case(
        (func.json_type(column, _path(key, sub)) == "text", func.json_extract(column, _path(key, sub))), else_=None
    )


def json_scalar_text(column: Any, key: str, dialect: str) -> ColumnElement[Any]:
    """Any scalar as text: strings as they are, numbers and booleans in JSON spelling."""
    if dialect == "postgresql":
        node = column[key]
        return case((func.jsonb_typeof(node).in_(["string", "number", "boolean"]), node.as_string()), else_=None)
    kind = func.json_type(column, _path(key, None))
    value = func.json_extract(column, _path(key, None))
    return case(
        (kind == "true", literal("true")),
        (kind == "false", literal("false")),
        (kind.in_(["integer", "real", "text"]), cast(value, String)),
        else_=None,
    )


def json_number(column: Any, key: str, dialect: str, sub: str | None = None) -> ColumnElement[Any]:
    if dialect == "postgresql":
        node = column[key] if sub is None else column[(key, sub)]
        return case((func.jsonb_typeof(node) == "number", node.as_float()), else_=None)
    return case(
        (
            func.json_type(column, _path(key, sub)).in_(["integer", "real"]),
            cast(func.json_extract(column, _path(key, sub)), Float),
        ),
        else_=None,
    )


def json_bool_int(column: Any, key: str, dialect: str) -> ColumnElement[Any]:
    """1 for true, 0 for false, NULL otherwise."""
    if dialect == "postgresql":
        node = column[key]
        return case(
            (func.jsonb_typeof(node) == "boolean", case((node.as_string() == "true", 1), else_=0)),
            else_=None,
        )
    kind = func.json_type(column, _path(key, None))
    return case((kind == "true", 1), (kind == "false", 0), else_=None)


def json_array_any(column: Any, key: str, dialect: str, values: Sequence[Any] | None) -> ColumnElement[bool]:
    """Whether the array stored at `key` has an element among `values` (any element for None)."""
    if dialect == "postgresql":
        node = column[key]
        array = case((func.jsonb_typeof(node) == "array", node), else_=cast(literal("[]"), JSONB))
        elements = func.jsonb_array_elements_text(array).table_valued("value")
    else:
        elements = func.json_each(
            case((func.json_type(column, _path(key, None)) == "array", column), else_=literal("[]")),
            case((func.json_type(column, _path(key, None)) == "array", _path(key, None)), else_=literal("$")),
        ).table_valued("value")
    condition = elements.c.value.in_(list(values)) if values is not None else true()
    return exists(select(literal(1)).select_from(elements).where(and_(condition)))
