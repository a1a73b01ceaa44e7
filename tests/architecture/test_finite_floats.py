"""Every float an input schema takes refuses NaN and infinity (pydantic reads "nan" and "inf"
in strings as floats, which the JSON-body check in api/inputguard.py cannot see)."""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import polytask.api
import polytask.domain


def _input_models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for package in (polytask.domain, polytask.api):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.endswith("schemas"):
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseModel) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return list(found.values())


def _float_fields() -> list[tuple[str, Any]]:
    fields = []
    for model in _input_models():
        # Response documents (api/v1/schemas.py) are written by us; only models that parse input matter.
        if model.model_config.get("extra") != "forbid":
            continue
        for name, info in model.model_fields.items():
            if "float" in str(info.annotation):
                fields.append((f"{model.__module__}.{model.__qualname__}.{name}", info))
    return fields


FLOAT_FIELDS = _float_fields()


def test_the_input_schemas_have_float_fields() -> None:
    assert any(name.endswith("TaskCreate.position") for name, _ in FLOAT_FIELDS)


@pytest.mark.parametrize(("name", "info"), FLOAT_FIELDS, ids=[name for name, _ in FLOAT_FIELDS])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan", "inf"])
def test_float_fields_refuse_non_finite_values(name: str, info: Any, value: Any) -> None:
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation  # type: ignore[misc]
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    with pytest.raises(ValidationError):
        adapter.validate_python(value)
