"""Input shapes for custom field definitions and saved views."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from polytask.core.jsontypes import JsonFloat, Omittable
from polytask.domain.projects.schemas import FIELD_TYPES, TYPE_ALIASES

WITH_OPTIONS = ("dropdown", "multi_select")
Layout = Literal["list", "board", "table", "calendar"]
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,99}$"


def key_from_name(name: str) -> str:
    """ "Estimated Hours" -> "estimated_hours"."""
    key = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if not key or not key[0].isalpha():
        key = f"field_{key}".rstrip("_")
    return key[:100]


def _options(value: list[Any]) -> list[str]:
    out: list[str] = []
    for item in value:
        text = item.get("value") if isinstance(item, dict) else item
        if not isinstance(text, str | int | float) or isinstance(text, bool) or not str(text).strip():
            raise ValueError("options must be non-empty strings")
        if str(text) in out:
            raise ValueError(f"option '{text}' is listed twice")
        out.append(str(text))
    return out


class FieldDefinitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    key: str | None = Field(default=None, pattern=KEY_PATTERN)
    type: str
    required: StrictBool = False
    default_value: Any = None
    options: list[Any] = Field(default_factory=list, max_length=500)
    position: JsonFloat | None = None
    # For currency fields: the ISO 4217 code used when a value gives only an amount.
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        value = TYPE_ALIASES.get(value, value)
        if value not in FIELD_TYPES:
            raise ValueError(f"must be one of {', '.join(FIELD_TYPES)}")
        return value

    @field_validator("options")
    @classmethod
    def _clean_options(cls, value: list[Any]) -> list[str]:
        return _options(value)


class FieldDefinitionUpdate(BaseModel):
    """Renaming keeps the key and the values; the type cannot change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    required: StrictBool | None = None
    default_value: Any = None
    options: list[Any] | None = Field(default=None, max_length=500)
    position: JsonFloat | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    # When options are removed or renamed: {"Old": "New"} rewrites values, {"Old": null} clears them.
    migrate_options: dict[str, str | None] | None = None

    @field_validator("options")
    @classmethod
    def _clean_options(cls, value: list[Any] | None) -> list[str] | None:
        return None if value is None else _options(value)


class ViewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    # An object of list parameters ({"status": "pending", "due_date[lte]": "now+7d"}) or an expression string.
    filter: dict[str, Any] | str = Field(default_factory=dict)
    sort: str | None = Field(default=None, max_length=500)
    fields: str | None = Field(default=None, max_length=1000)
    layout: Layout = "list"


class ViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Omittable[str] = Field(default=None, min_length=1, max_length=200)
    filter: dict[str, Any] | str | None = None
    sort: str | None = Field(default=None, max_length=500)
    fields: str | None = Field(default=None, max_length=1000)
    layout: Omittable[Layout] = None
