"""Input field types that take JSON's own types, as the OpenAPI document states them.

Pydantic's lax mode reads 0, 1 and "true" as booleans, and true or "5" as numbers. A client
that sends those has a bug (the document says boolean, or number), and a request the
document calls invalid must not be accepted (schemathesis checks it: negative_data_rejection).
Booleans are pydantic's StrictBool (members' permission flags already were); numbers are
these two. An integer may still be written 5.0, which JSON Schema counts as an integer.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AllowInfNan, BeforeValidator, Strict
from pydantic_core import PydanticCustomError


def _integer_only(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# A JSON number (an integer is fine), finite: not true/false, not "5", not NaN or Infinity.
JsonFloat = Annotated[float, Strict(), AllowInfNan(False)]
# A JSON integer (5 or 5.0): not true/false, not "5".
JsonInt = Annotated[int, BeforeValidator(_integer_only)]
