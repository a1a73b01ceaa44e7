"""The list of field definitions (a project's, with its workspace's, or a workspace's own)."""

from __future__ import annotations

from polytask.core.pagination import SortKey
from polytask.core.query.fields import Boolean, Choice, Field, Moment, Number, Ref, Registry, Text
from polytask.core.query.listing import ListSpec
from polytask.domain.projects.schemas import FIELD_TYPES
from polytask.models import FieldDefinition

DEFINITION_REGISTRY = Registry.of(
    "custom_field",
    [
        Field("id", Ref("custom_field"), expr=FieldDefinition.id),
        Field("key", Text(), expr=FieldDefinition.key),
        Field("name", Text(), expr=FieldDefinition.name),
        Field("type", Choice(FIELD_TYPES), expr=FieldDefinition.type),
        Field("required", Boolean(), expr=FieldDefinition.required),
        Field("position", Number(), expr=FieldDefinition.position),
        Field("project_id", Ref("project"), expr=FieldDefinition.project_id),
        Field("created_at", Moment(), expr=FieldDefinition.created_at),
        Field("updated_at", Moment(), expr=FieldDefinition.updated_at),
    ],
)
# By position, as the lists were before they were paged (ties by id).
DEFINITION_LIST: ListSpec[FieldDefinition] = ListSpec(
    "custom_field", DEFINITION_REGISTRY, FieldDefinition.id, default_sort=(SortKey("position"),)
)
