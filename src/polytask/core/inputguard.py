"""What every client value must be before any surface parses it: the input limits.

One set of rules for every surface and every way a value arrives (JSON bodies, form fields,
query parameters), so that nothing is stored that cannot be served back and the same request
behaves the same on SQLite and PostgreSQL:

- text is valid Unicode: no lone surrogates (`"\\ud800"` parses in Python, but no encoder
  writes it back out, and neither database stores it);
- text holds no control characters other than tab, line feed and carriage return (NUL is
  refused by PostgreSQL's text and jsonb, kept by SQLite; the others no client means);
- JSON objects have no duplicate keys (which one wins is up to each parser: an ambiguous body);
- sizes are bounded: the body, each string, each key, each array, each object, the nesting;
- numbers are integers within 64 signed bits or finite doubles (core/jsontext.py).

The checks return `InputProblem`s naming where each problem is (`tasks[3].name`), so a
surface can refuse the request with a field-level 4xx in its own shape before anything runs.
The limits are documented in docs/security.md ("Input limits").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from polytask.core.jsontext import Refused, might_hold_refused_numbers, parse_constant, parse_float, parse_int


@dataclass(frozen=True, slots=True)
class InputLimits:
    max_body_bytes: int = 8 * 1024 * 1024
    max_depth: int = 32  # nesting of objects and arrays, the outermost counting 1
    max_string_chars: int = 100_000
    max_key_chars: int = 256
    max_array_items: int = 10_000
    max_object_members: int = 1_000


DEFAULT_LIMITS = InputLimits()
MAX_REPORTED = 20
_SHOWN_CHARS = 40


@dataclass(frozen=True, slots=True)
class InputProblem:
    field: str  # "body", "name", "tasks[3].custom_fields.huge", a query parameter's name
    issue: str
    shown: str | None = None  # the offending value, shortened and made printable
    status: int = 422  # 413 for a body over the size limit

    def as_detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"field": self.field, "issue": self.issue}
        if self.shown is not None:
            detail["provided_value"] = self.shown
        return detail


SURROGATE_ISSUE = "must be valid Unicode text (it holds a lone UTF-16 surrogate)"
CONTROL_ISSUE = "must not contain control characters (only tab, line feed and carriage return are allowed)"
DUPLICATE_ISSUE = "is given more than once in the same object"


def body_too_large(limits: InputLimits = DEFAULT_LIMITS) -> InputProblem:
    return InputProblem("body", f"must be at most {limits.max_body_bytes} bytes", status=413)


# Control characters and lone surrogates reach a JSON string only as escapes (JSON forbids raw
# control bytes, and raw surrogate bytes are not UTF-8), so a body without one of these escapes
# needs no look at its characters. A false alarm (an escaped backslash before `b`) only costs time.
_ESCAPE_ALARM = re.compile(rb"\\(?:u00[01]|u[dD][89a-fA-F]|[bf])")
# Refused: C0 controls but tab, line feed, carriage return; and lone surrogates.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _shown(value: str) -> str:
    short = value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "..."
    # Written as escapes: a surrogate cannot be encoded in an error body either, nor NUL in XML.
    return _BAD_CHAR.sub(lambda bad: f"\\u{ord(bad.group()):04x}", short)


def text_issue(value: str, max_chars: int) -> str | None:
    """What is wrong with one piece of text, or None."""
    if len(value) > max_chars:
        return f"must be at most {max_chars} characters (got {len(value)})"
    bad = _BAD_CHAR.search(value)
    if bad is None:
        return None
    return SURROGATE_ISSUE if "\ud800" <= bad.group() <= "\udfff" else CONTROL_ISSUE


def check_text(field: str, value: str, limits: InputLimits = DEFAULT_LIMITS) -> InputProblem | None:
    """A form field's or query parameter's value (names are checked with `check_name`)."""
    issue = text_issue(value, limits.max_string_chars)
    return InputProblem(field, issue, _shown(value)) if issue else None


def check_name(name: str, limits: InputLimits = DEFAULT_LIMITS) -> InputProblem | None:
    """A form field's, query parameter's or JSON object's key."""
    issue = text_issue(name, limits.max_key_chars)
    return InputProblem(_shown(name), f"the name {issue}") if issue else None


def check_pairs(pairs: list[tuple[str, str]], limits: InputLimits = DEFAULT_LIMITS) -> list[InputProblem]:
    """Decoded form fields or query parameters, in order."""
    found: list[InputProblem] = []
    for name, value in pairs:
        problem = check_name(name, limits) or check_text(name, value, limits)
        if problem is not None:
            found.append(problem)
            if len(found) >= MAX_REPORTED:
                break
    return found


class _Duplicated(dict[str, Any]):
    """An object whose pairs named a key twice (kept as the last one wins, to walk on)."""

    duplicate: str = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    marked = _Duplicated(obj)
    for key, _ in pairs:
        if key in seen:
            marked.duplicate = key
            break
        seen.add(key)
    return marked


class _Walk:
    """One pass over a parsed document, collecting problems with their paths."""

    def __init__(self, limits: InputLimits, look_at_chars: bool) -> None:
        self.limits = limits
        self.chars = look_at_chars
        self.found: list[InputProblem] = []

    def add(self, where: str, issue: str, shown: str | None = None) -> None:
        if len(self.found) < MAX_REPORTED:
            self.found.append(InputProblem(where or "body", issue, shown))

    def string(self, where: str, value: str) -> None:
        if len(value) > self.limits.max_string_chars or (self.chars and _BAD_CHAR.search(value)):
            issue = text_issue(value, self.limits.max_string_chars)
            if issue:
                self.add(where, issue, _shown(value))

    def key(self, where: str, key: str) -> bool:
        """False when the key itself is refused (its value is not looked at then)."""
        if len(key) > self.limits.max_key_chars or (self.chars and _BAD_CHAR.search(key)):
            issue = text_issue(key, self.limits.max_key_chars)
            if issue:
                self.add(where or "body", f"has a key that {issue}", _shown(key))
                return False
        return True

    def value(self, where: str, value: Any, depth: int) -> None:
        kind = type(value)
        if kind is str:
            self.string(where, value)
        elif kind is dict or kind is _Duplicated:
            self.members(where, value, depth + 1)
        elif kind is list:
            self.items(where, value, depth + 1)
        elif kind is Refused:
            self.add(where, value.issue, value.text)

    def members(self, where: str, obj: dict[str, Any], depth: int) -> None:
        limits = self.limits
        if depth > limits.max_depth:
            self.add(where, f"nests objects and arrays deeper than {limits.max_depth} levels")
            return
        if len(obj) > limits.max_object_members:
            self.add(where, f"must have at most {limits.max_object_members} members (got {len(obj)})")
            return
        if type(obj) is _Duplicated:
            self.add(f"{where}.{obj.duplicate}" if where else obj.duplicate, DUPLICATE_ISSUE)
        for key, item in obj.items():
            if self.key(where, key):
                self.value(f"{where}.{key}" if where else key, item, depth)

    def items(self, where: str, array: list[Any], depth: int) -> None:
        limits = self.limits
        if depth > limits.max_depth:
            self.add(where, f"nests objects and arrays deeper than {limits.max_depth} levels")
            return
        if len(array) > limits.max_array_items:
            self.add(where, f"must have at most {limits.max_array_items} items (got {len(array)})")
            return
        for i, item in enumerate(array):
            kind = type(item)
            if kind is str or kind is dict or kind is list or kind is _Duplicated or kind is Refused:
                self.value(f"{where}[{i}]", item, depth)


def check_json(body: bytes, limits: InputLimits = DEFAULT_LIMITS, *, numbers: bool = True) -> list[InputProblem]:
    """The problems of a JSON document, in document order (at most MAX_REPORTED). A body that is
    not JSON at all gives none: the surface's own parser says so in its words. Too deep to
    parse at all is a problem of `body`. `numbers=False` leaves numbers alone."""
    return read_json(body, limits, numbers=numbers)[0]


# What read_json gives for a document it did not parse or that broke a rule.
UNREAD: Any = object()
# The request scope's key for a JSON body the input guard parsed and found fine: (the body,
# the document). Route handlers read it instead of parsing the same bytes again
# (api/kernel/routes.py); for a 10,000-task bulk create the second parse was about 2% of it.
PARSED_JSON = "polytask.parsed_json"


def read_json(
    body: bytes, limits: InputLimits = DEFAULT_LIMITS, *, numbers: bool = True
) -> tuple[list[InputProblem], Any]:
    """check_json's problems, and the parsed document when it broke no rule (else UNREAD).
    Such a document is what `json.loads(body)` gives: with no duplicate key and no refused
    number, neither the pairs hook nor the number hooks changed anything."""
    if len(body) > limits.max_body_bytes:
        return [body_too_large(limits)], UNREAD
    numbers = numbers and might_hold_refused_numbers(body)
    try:
        if numbers:
            document = json.loads(
                body,
                object_pairs_hook=_object,
                parse_int=parse_int,
                parse_float=parse_float,
                parse_constant=parse_constant,
            )
        else:
            document = json.loads(body, object_pairs_hook=_object)
    except RecursionError:
        return [InputProblem("body", f"nests objects and arrays deeper than {limits.max_depth} levels")], UNREAD
    except ValueError:  # not JSON (malformed, or not UTF-8): the surface's parser answers
        return [], UNREAD
    chars = _ESCAPE_ALARM.search(body) is not None
    if _fine(document, 1, limits, chars):
        return [], document
    walk = _Walk(limits, look_at_chars=chars)
    walk.value("", document, 0)
    return walk.found, UNREAD  # only a document that passed the quick check is handed on


def _fine(value: Any, depth: int, limits: InputLimits, chars: bool) -> bool:
    """Whether a parsed value breaks no rule: the quick pass (no paths kept) that nearly every
    body takes; `_Walk` runs only after it says no, to name the fields."""
    kind = type(value)
    if kind is dict:
        if depth > limits.max_depth or len(value) > limits.max_object_members:
            return False
        for key, item in value.items():
            if len(key) > limits.max_key_chars or (chars and _BAD_CHAR.search(key)):
                return False
            kind = type(item)
            if kind is str:
                if len(item) > limits.max_string_chars or (chars and _BAD_CHAR.search(item)):
                    return False
            elif (kind is dict or kind is list or kind is _Duplicated or kind is Refused) and not _fine(
                item, depth + 1, limits, chars
            ):
                return False
        return True
    if kind is list:
        if depth > limits.max_depth or len(value) > limits.max_array_items:
            return False
        for item in value:
            kind = type(item)
            if kind is str:
                if len(item) > limits.max_string_chars or (chars and _BAD_CHAR.search(item)):
                    return False
            elif (kind is dict or kind is list or kind is _Duplicated or kind is Refused) and not _fine(
                item, depth + 1, limits, chars
            ):
                return False
        return True
    if kind is str:
        return not (len(value) > limits.max_string_chars or (chars and _BAD_CHAR.search(value)))
    return kind is not _Duplicated and kind is not Refused
