"""Input field types that take JSON's own types, as the OpenAPI document states them.

Pydantic's lax mode reads 0, 1 and "true" as booleans, and true or "5" as numbers. A client
that sends those has a bug (the document says boolean, or number), and a request the
document calls invalid must not be accepted (schemathesis checks it: negative_data_rejection).
Booleans are pydantic's StrictBool (members' permission flags already were); numbers are
these two. An integer may still be written 5.0, which JSON Schema counts as an integer.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import AllowInfNan, BeforeValidator, GetJsonSchemaHandler, Strict, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError


def _integer_only(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# A JSON number (an integer is fine), finite: not true/false, not "5", not NaN or Infinity.
JsonFloat = Annotated[float, Strict(), AllowInfNan(False)]
# An exact decimal written as a string ("50000.00", "-3", ".5" refused): money amounts.
DecimalText = Annotated[str, Strict(), StringConstraints(pattern=r"^-?[0-9]{1,18}(\.[0-9]{1,6})?$")]
# A JSON integer (5 or 5.0): not true/false, not "5".
JsonInt = Annotated[int, BeforeValidator(_integer_only)]


class _NullRefused:
    """Drops the null branch (and the null default) from the field's JSON schema."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        branches = [branch for branch in schema.get("anyOf", []) if branch != {"type": "null"}]
        if "anyOf" in schema and len(branches) == 1:
            rest = {key: value for key, value in schema.items() if key != "anyOf"}
            return {**branches[0], **rest}
        return schema


T = TypeVar("T")
# An update's field that may be left out but not set to null: None in Python means "not
# given"; a null in JSON is refused by the service ("cannot be null", a 422 naming the
# field), so the document must not offer null either.
Omittable = Annotated[T | None, _NullRefused]
