"""Building blocks for the APIs' output serializers, so every answer has a typed schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers


class OptionalKeysSerializer(serializers.Serializer):
    """Serializes a dictionary whose optional keys (fields with `required=False`) may be absent:
    an absent key stays absent in the answer, never turned into null."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not isinstance(instance, Mapping):
            return data
        for name, field in self.fields.items():
            if not field.required and field.source not in instance:
                data.pop(name, None)
        return data


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberOutputField(serializers.Field):
    """A number answered as it is: an integer stays an integer, a decimal fraction a float."""

    def to_representation(self, value: Any) -> Any:
        return value

    def to_internal_value(self, data: Any) -> Any:  # pragma: no cover - output only
        raise NotImplementedError


def paginated(name: str, child: serializers.Serializer) -> serializers.Serializer:
    """The schema of one page of `tolk.api.Pagination` (`count`, `next`, `previous`,
    `results`), for views that paginate by hand."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": child,
        },
    )
