"""What each Taskforce operation takes and may refuse, declared where the route is registered.

`route()` and `public_route()` (endpoint.py) attach an `Operation` to every endpoint they
register; api/taskforce/openapi.py builds the surface's OpenAPI document from the router's
routes and their Operations, so a route cannot exist without being documented.
`tests/architecture/test_taskforce_openapi.py` checks that the parameters declared here are
the ones each handler reads (and required exactly when the handler requires them).

A parameter's constraints (lengths, formats) come from the domain's input model when the
value goes into one, so the document follows the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from polytask.core.ids import MAX_KEY
from polytask.core.inputguard import DEFAULT_LIMITS

Kind = Literal["text", "id", "ids", "date"]
JSONSchema = dict[str, Any]

# Text: no control characters but tab, line feed and carriage return, at most
# max_string_chars (the input guard, core/inputguard.py, refuses the rest before routing);
# a required parameter is not blank. That limit is said in words, not as maxLength: a
# 100,000-character bound on a pattern makes schemathesis' generation crawl.
_CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f"
NO_CONTROL = f"^[^{_CONTROL}]*$"
NOT_BLANK = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"
MAX_TEXT = DEFAULT_LIMITS.max_string_chars
CONTROL_RULE = "no control characters but tab, line feed and carriage return"
TEXT_LIMIT = f"at most {MAX_TEXT:,} characters, {CONTROL_RULE}"
TEXT: JSONSchema = {"type": "string", "pattern": NO_CONTROL, "description": f"Text: {TEXT_LIMIT}"}
# MM/DD/YYYY with each month's length (February 29 of a common year passes, and is 422).
DATE_PATTERN = (
    "^((0[13578]|1[02])/(0[1-9]|[12][0-9]|3[01])|(0[469]|11)/(0[1-9]|[12][0-9]|30)|02/(0[1-9]|1[0-9]|2[0-9]))"
    "/(?!0000)[0-9]{4}$"
)
ID_SCHEMA: JSONSchema = {"type": "integer", "minimum": 1, "maximum": MAX_KEY}
# In JSON an id may also be given as its digits (what a form sends); at most 18 of them.
ID_TEXT: JSONSchema = {"type": "string", "pattern": "^\\s*(?=[0-9]{1,18}\\s*$)0*[1-9][0-9]*\\s*$"}
_CONSTRAINTS = ("minLength", "maxLength", "format")


@dataclass(frozen=True, slots=True)
class Param:
    """One request parameter, from the query string, a form body or a JSON body."""

    name: str
    kind: Kind
    description: str
    required: bool = False
    constraints: JSONSchema = field(default_factory=dict)

    def schema(self, *, json_body: bool) -> JSONSchema:
        """The value's schema in a JSON body, or in a form (where every value is text)."""
        if self.kind == "id":
            if json_body:
                return {"anyOf": [ID_SCHEMA, ID_TEXT], "description": self.description}
            return {**ID_SCHEMA, "description": self.description}
        if self.kind == "ids":
            if json_body:
                return {"type": "array", "items": {"anyOf": [ID_SCHEMA, ID_TEXT]}, "description": self.description}
            # A form needs at least one field to name the parameter at all.
            return {"type": "array", "items": ID_SCHEMA, "minItems": 1, "description": self.description}
        if self.kind == "date":
            return {"type": "string", "pattern": DATE_PATTERN, "description": self.description}
        out: JSONSchema = {
            "type": "string",
            **self.constraints,
            "pattern": NOT_BLANK if self.required else NO_CONTROL,
        }
        if json_body and not self.required:
            out["type"] = ["string", "null"]  # JSON null counts as not given
        limit = CONTROL_RULE if "maxLength" in out else TEXT_LIMIT
        out["description"] = f"{self.description} ({limit})"
        return out


def text(
    name: str, description: str, *, required: bool = False, like: tuple[type[BaseModel], str] | None = None
) -> Param:
    """A text parameter; `like=(Model, field)` takes its lengths and format from a domain model."""
    return Param(name, "text", description, required, _constraints(*like) if like else {})


def ident(name: str, description: str) -> Param:
    """A required integer id."""
    return Param(name, "id", description, required=True)


def idents(name: str, description: str) -> Param:
    """A required list of integer ids."""
    return Param(name, "ids", description, required=True)


def date(name: str, description: str) -> Param:
    """A required MM/DD/YYYY date."""
    return Param(name, "date", f"{description} (MM/DD/YYYY, a real calendar day)", required=True)


def _constraints(model: type[BaseModel], name: str) -> JSONSchema:
    prop: JSONSchema = model.model_json_schema()["properties"][name]
    # `str | None` fields are anyOf [string, null]: the string branch carries the constraints.
    for branch in prop.get("anyOf", [prop]):
        if branch.get("type") == "string":
            if "pattern" in branch:
                raise ValueError(f"{model.__name__}.{name}: a model pattern would need combining with NO_CONTROL")
            found = {key: branch[key] for key in _CONSTRAINTS if key in branch}
            if found.get("maxLength", 0) >= MAX_TEXT:
                del found["maxLength"]  # the input guard's limit, said in words (above)
            return found
    raise ValueError(f"{model.__name__}.{name} is not a string field")


@dataclass(frozen=True, slots=True)
class Operation:
    """A registered operation: its handler, parameters, scope and the refusals it documents."""

    method: str
    path: str
    handler: Callable[..., Any]
    scope: str | None
    params: tuple[Param, ...] = ()
    # Extra or more specific explanations of error statuses (e.g. 409 for sign-up).
    refusals: dict[int, str] = field(default_factory=dict)
    # Parameters of which at least one must be given (list update: name and/or description).
    one_of: tuple[str, ...] = ()
