"""Checking and normalising custom field values against their definition."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email

from polytask.core.dates import parse_datetime
from polytask.core.ids import parse_id, render_id
from polytask.core.query.values import iso_text
from polytask.models import FieldDefinition

_PHONE = re.compile(r"^\+?[0-9 ().\-]{3,30}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_TEXT = 1_000
MAX_LONG_TEXT = 100_000


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _option(defn: FieldDefinition, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be one of {defn.options}")
    for option in defn.options:
        if option.lower() == value.lower():
            return str(option)
    raise ValueError(f"must be one of {defn.options}")


def normalize(defn: FieldDefinition, value: Any) -> Any:
    """The value as stored, or ValueError saying what the field takes. None is never passed."""
    kind = defn.type
    if kind in ("text", "long_text"):
        if not isinstance(value, str):
            raise ValueError("must be a string")
        limit = MAX_TEXT if kind == "text" else MAX_LONG_TEXT
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value
    if kind in ("number", "duration"):
        number = _number(value)
        if kind == "duration" and number < 0:
            raise ValueError("must be a number of minutes, zero or more")
        return number
    if kind == "percent":
        number = _number(value)
        if not 0 <= number <= 100:
            raise ValueError("must be between 0 and 100")
        return number
    if kind == "rating":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValueError("must be a whole number from 1 to 5")
        return value
    if kind == "currency":
        code = defn.config.get("currency")
        if isinstance(value, dict):
            amount, code = value.get("amount"), value.get("currency", value.get("code", code))
            if set(value) - {"amount", "currency", "code"}:
                raise ValueError("must be {'amount': number, 'currency': 'USD'}")
        else:
            amount = value
        amount = _number(amount)
        if round(amount, 2) != amount:
            raise ValueError("amount must have at most two decimals")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError("needs a three-letter currency code (give one in the value or on the field)")
        return {"amount": amount, "currency": code}
    if kind == "dropdown":
        return _option(defn, value)
    if kind in ("multi_select", "tags"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError("must be a list of strings")
        items = [_option(defn, v) for v in value] if kind == "multi_select" else [v.strip() for v in value]
        return list(dict.fromkeys(items))
    if kind == "date":
        if not isinstance(value, str):
            raise ValueError("must be a date such as 2024-01-31")
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValueError("must be a date such as 2024-01-31") from None
    if kind == "datetime":
        try:
            return iso_text(parse_datetime(value))
        except ValueError:
            raise ValueError("must be a datetime such as 2024-01-31T17:00:00Z") from None
    if kind == "checkbox":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == "url":
        if not isinstance(value, str) or not _URL.match(value) or len(value) > 2000:
            raise ValueError("must be an http(s) URL")
        return value
    if kind == "email":
        if not isinstance(value, str):
            raise ValueError("must be an email address")
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValueError("must be an email address") from None
    if kind == "phone":
        if not isinstance(value, str) or not _PHONE.match(value):
            raise ValueError("must be a phone number")
        return value
    if kind == "user":
        pk = parse_id("user", value)
        if pk is None:
            raise ValueError("must be a user id such as 'user_4'")
        return render_id("user", pk)
    raise ValueError(f"has an unknown type '{kind}'")


def fits(defn: FieldDefinition, value: Any) -> bool:
    try:
        normalize(defn, value)
    except ValueError:
        return False
    return True
