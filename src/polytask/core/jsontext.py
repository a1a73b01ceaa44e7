"""JSON numbers Polytask refuses, and serialising JSON values that may hold wide integers.

Request bodies are parsed with Python's json module (Starlette's, FastAPI's and ours), which
reads integers of any size and also takes `NaN`, `Infinity` and `-Infinity` (not JSON) and
numbers too large for a double (`1e400`, read as infinity). Polytask keeps integers in 64
signed bits: that is what both engines' integer columns hold, what orjson (every response
and webhook body) writes, and far beyond what a JavaScript client reads exactly. Non-finite
numbers have no JSON form at all: orjson writes them as null, PostgreSQL's jsonb refuses
them. The parse hooks here mark the numbers that break either rule, so core/inputguard.py
can name their fields and a surface refuse the request before anything runs.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# 19 digits reach 9,223,372,036,854,775,807; a body without a run that long holds no wider integer.
_WIDE_RUN = b"0" * 19
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
# Beyond 1.8e308 a double is infinite: a three-digit exponent (after a digit, as JSON
# writes it; "file123" in a text is no alarm), or (below e100) 210+ digits.
_SUSPECT = (b"NaN", b"Infinity", b"0e000", b"0E000", b"0e+000", b"0E+000", _WIDE_RUN)
_SHOWN_DIGITS = 40

INTEGER_ISSUE = f"integers must lie between {INT64_MIN} and {INT64_MAX} (64-bit signed)"
FINITE_ISSUE = "must be a finite number (NaN, Infinity and magnitudes beyond 1.8e308 are not allowed)"


class Refused:
    """Stands in for a refused number while a body is parsed, so a walk can name its field."""

    __slots__ = ("issue", "text")

    def __init__(self, text: str, issue: str) -> None:
        self.text = text if len(text) <= _SHOWN_DIGITS else f"{text[:_SHOWN_DIGITS]}..."
        self.issue = issue


def parse_int(text: str) -> int | Refused:
    """json.loads' `parse_int`: a Refused for integers beyond 64 signed bits."""
    # Checked on the text first: int() of thousands of digits is slow, and refused past 4,300.
    if len(text.lstrip("-")) > 19:
        return Refused(text, INTEGER_ISSUE)
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        return Refused(text, INTEGER_ISSUE)
    return value


def parse_float(text: str) -> float | Refused:
    """json.loads' `parse_float`: a Refused for numbers a double cannot hold."""
    value = float(text)
    return value if math.isfinite(value) else Refused(text, FINITE_ISSUE)


def parse_constant(text: str) -> Refused:
    """json.loads' `parse_constant`: NaN, Infinity and -Infinity are always refused."""
    return Refused(text, FINITE_ISSUE)


def might_hold_refused_numbers(body: bytes) -> bool:
    """A quick scan that rules out nearly every body without parsing it (false alarms are fine)."""
    shape = body.translate(_DIGITS_TO_ZERO)
    return any(token in shape for token in _SUSPECT)


def loads_exact(text: str | bytes) -> Any:
    """orjson's reading of stored JSON, except that a document with a run of 19 digits or more
    is read by the json module: orjson reads an integer wider than 64 bits as a float (2**70
    would come back as 1.1805916207174113e+21), the json module exactly."""
    if text == "{}" or text == b"{}":
        return {}  # most stored documents (a task's custom fields): no parser for them
    if text == "[]" or text == b"[]":
        return []  # a relation with no rows (a task's dependencies, most often)
    raw = text.encode() if isinstance(text, str) else text
    if _WIDE_RUN in raw.translate(_DIGITS_TO_ZERO):
        return json.loads(raw)
    return orjson.loads(raw)


# Datetimes as core/clock.py `isoformat` writes them: UTC with a `Z`, naive values being UTC.
_DATETIMES = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """orjson's encoding of `value`; integers wider than orjson's 64 bits (in data stored before
    they were refused, or from another entry point) are written out exactly instead of failing.
    A datetime is written as `isoformat` writes it when it is naive or in UTC (the native
    surface's renderers hand them over as they are: api/v1/render.py `ts`)."""
    option = _DATETIMES | orjson.OPT_SORT_KEYS if sort_keys else _DATETIMES
    try:
        return orjson.dumps(value, option=option)
    except orjson.JSONEncodeError:
        return orjson.dumps(_widened(value), option=option)


def _widened(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return orjson.Fragment(str(value).encode())
    if isinstance(value, dict):
        return {key: _widened(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_widened(item) for item in value]
    return value
