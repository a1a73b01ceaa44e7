"""Request parameters as Taskforce clients send them: query string, form fields or a JSON body.

Array parameters arrive as repeated `task_ids[]` fields, a comma list, or a JSON array. In a
JSON body a text parameter is a string, an id an integer (or digit string), and only a list
parameter takes an array; null is the same as leaving the parameter out.
"""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from polytask.core.errors import PayloadTooLarge, ValidationFailed
from polytask.core.inputguard import check_name, check_text

M = TypeVar("M", bound=BaseModel)
MAX_BODY = 1_000_000


# `task_ids[]` (repeated fields) and `task_ids[0]` (PHP's http_build_query) both name `task_ids`.
_ARRAY_NAME = re.compile(r"^(.+?)\[\d*\]$")


def base_name(name: str) -> str:
    match = _ARRAY_NAME.match(name)
    return match.group(1) if match else name


class Params:
    """Every value given for each name (array suffixes like `[]` or `[0]` are dropped)."""

    def __init__(self, values: dict[str, list[Any]] | None = None) -> None:
        self.values: dict[str, list[Any]] = values or {}

    def add(self, name: str, value: Any) -> None:
        self.values.setdefault(base_name(name), []).append(value)

    def has(self, name: str) -> bool:
        return name in self.values

    def text(self, name: str) -> str | None:
        """The last value given for `name`, as text (None when absent, or JSON null)."""
        given = self.values.get(name)
        if not given or given[-1] is None:
            return None
        value = given[-1]
        if not isinstance(value, str):
            raise ValidationFailed.field(name, "must be a string", value)
        return value

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None or not value.strip():
            raise ValidationFailed.field(name, "is required")
        return value

    def integer(self, name: str) -> int:
        """A positive id: digits in a form, an integer (or digits) in JSON."""
        given = self.values.get(name)
        value = given[-1] if given else None
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationFailed.field(name, "is required")
        return _positive(name, value.strip() if isinstance(value, str) else value)

    def ids(self, name: str) -> list[int]:
        """A list of ids from repeated fields, comma lists or JSON arrays."""
        if name not in self.values:
            raise ValidationFailed.field(name, "is required")
        out: list[int] = []
        for value in self.values[name]:
            for part in _flatten(name, value):
                out.append(_positive(name, part))
        return out

    def model(self, cls: type[M], fields: dict[str, str]) -> M:
        """Validate the given parameters into `cls`; `fields` maps parameter names to model fields."""
        given = {field: self.text(param) for param, field in fields.items()}
        return validate(cls, {field: value for field, value in given.items() if value is not None})


def validate(cls: type[M], data: dict[str, Any]) -> M:
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValidationFailed.field(field, first["msg"], first.get("input")) from None


def _flatten(name: str, value: Any) -> list[Any]:
    if isinstance(value, list):
        return [part for item in value for part in _flatten(name, item)]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return _flatten(name, json.loads(text))
            except json.JSONDecodeError:
                raise ValidationFailed.field(name, "is not a valid JSON array", value) from None
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise ValidationFailed.field(name, "is required")
        return parts
    return [value]


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationFailed.field(name, "must be a positive integer id", value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)  # JSON's 12.0 is the integer 12
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        number = int(value)
    else:
        raise ValidationFailed.field(name, "must be a positive integer id", value)
    if number <= 0:
        raise ValidationFailed.field(name, "must be a positive integer id", value)
    return number


async def read_params(request: Request) -> Params:
    """Query parameters, then the body's (form-encoded, multipart or JSON)."""
    params = Params()
    for name, value in request.query_params.multi_items():
        params.add(name, value)
    if request.method != "POST":
        return params
    body = await request.body()
    if not body.strip():
        return params
    if len(body) > MAX_BODY:
        raise PayloadTooLarge(
            f"The request body is too large: it must be at most {MAX_BODY} bytes",
            {"field": "body", "limit_bytes": MAX_BODY},
        )
    raw_type = request.headers.get("content-type", "")
    content_type = raw_type.lower()
    if "json" in content_type:
        _json_into(params, body)
    elif content_type.startswith("multipart/form-data"):
        _multipart_into(params, raw_type, body)
    elif not content_type or content_type.startswith(("application/x-www-form-urlencoded", "text/plain")):
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise ValidationFailed("The form body is not UTF-8", {"field": "body"}) from None
        for name, value in pairs:
            params.add(name, value)
    else:
        raise ValidationFailed(
            "Send parameters as form fields or a JSON object",
            {"field": "body", "issue": "unsupported content type", "provided_value": content_type},
        )
    return params


def _json_into(params: Params, body: bytes) -> None:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed("The request body is not valid JSON", {"field": "body"}) from None
    if not isinstance(data, dict):
        raise ValidationFailed("The JSON body must be an object", {"field": "body"})
    for name, value in data.items():
        # An array stays one value: list parameters (Params.ids) read it, text ones refuse it.
        params.add(name, value)


def _multipart_into(params: Params, content_type: str, body: bytes) -> None:
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise ValidationFailed("The multipart body could not be read", {"field": "body"})
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        value = raw.decode(part.get_content_charset() or "utf-8", errors="replace")
        # Form and JSON bodies were held to the input limits before routing (api/inputguard.py).
        problem = check_name(name) or check_text(name, value)
        if problem is not None:
            raise ValidationFailed(f"Invalid value for '{problem.field}': {problem.issue}", problem.as_detail())
        params.add(name, value)
