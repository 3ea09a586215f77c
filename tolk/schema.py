"""OpenAPI schema generation (drf-spectacular) adapted to the house style.

Views keep their serializers nested (`InterpreterCardApi.OutputSerializer`); drf-spectacular would
name every one of them `Output` and merge different shapes into one component, giving a schema
that clients (and the contract tests) cannot trust. Nested serializers are named after their view
instead:
`InterpreterCardApi.OutputSerializer` → `InterpreterCardOutput`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

_VIEW_SUFFIXES = ("Api", "APIView", "View", "ViewSet")


def nested_component_name(qualname: str) -> str:
    parts = [p for p in qualname.split(".") if p.isidentifier()]
    if len(parts) < 2:
        return parts[-1] if parts else qualname
    outer, inner = parts[-2], parts[-1]
    for suffix in _VIEW_SUFFIXES:
        if outer.endswith(suffix) and outer != suffix:
            outer = outer[: -len(suffix)]
            break
    return outer + inner


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        return nested_component_name(serializer.__class__.__qualname__)
