"""Taskforce documents: `{success: ...}` as JSON, or as XML inside <response> with hyphenated names."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, overload
from xml.etree.ElementTree import Element, SubElement, tostring

from starlette.requests import Request
from starlette.responses import Response

from polytask.core.clock import as_utc
from polytask.core.jsontext import dumps

JSON_TYPE = "application/json"
XML_TYPE = "application/xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def wants_json(path: str) -> bool:
    """`.json` selects JSON; `.xml` or no suffix selects XML."""
    return path.rstrip("/").endswith(".json")


@overload
def date_text(value: datetime) -> str: ...
@overload
def date_text(value: datetime | None) -> str | None: ...
def date_text(value: datetime | None) -> str | None:
    """A calendar date as MM/DD/YYYY (UTC)."""
    value = as_utc(value)
    return day_text(value) if value else None


def day_text(value: date) -> str:
    """MM/DD/YYYY, the year in four digits (strftime's %Y gives 751 for the year 751)."""
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


@overload
def time_text(value: datetime) -> str: ...
@overload
def time_text(value: datetime | None) -> str | None: ...
def time_text(value: datetime | None) -> str | None:
    """A timestamp as `2010-11-23 17:04:20 +0000` (in UTC, so the offset is always +0000;
    written field by field: strftime's directives cost about as much again)."""
    value = as_utc(value)
    if value is None:
        return None
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} +0000"
    )


def _singular(tag: str) -> str:
    if tag.endswith("ies"):
        return tag[:-3] + "y"
    if tag.endswith("s"):
        return tag[:-1]
    return f"{tag}-item"


def _fill(element: Element, value: Any) -> None:
    # Typed like Rails' to_xml, which Taskforce's XML clients were written against.
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, str(key).replace("_", "-")), item)
    elif isinstance(value, list):
        element.set("type", "array")
        for item in value:
            _fill(SubElement(element, _singular(element.tag)), item)
    elif isinstance(value, bool):
        element.set("type", "boolean")
        element.text = "true" if value else "false"
    elif isinstance(value, int):
        element.set("type", "integer")
        element.text = str(value)
    elif value is None:
        element.set("nil", "true")
    else:
        element.text = _NOT_XML.sub("", str(value))


def to_xml(payload: dict[str, Any]) -> bytes:
    root = Element("response")
    _fill(root, payload)
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def document(
    request: Request, payload: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The payload in the format the path asks for."""
    if wants_json(request.scope["path"]):  # the suffix: the path as routed ends as the URL's does
        body = dumps(payload)  # the compact UTF-8 JSON json.dumps(ensure_ascii=False) writes
        return Response(body, status_code=status, media_type=JSON_TYPE, headers=headers)
    return Response(to_xml(payload), status_code=status, media_type=XML_TYPE, headers=headers)
