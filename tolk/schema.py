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
    # Component name → serializer class, so two apps' same-named serializers stay apart.
    _names: dict[str, type] = {}

    def get_serializer_name(self, serializer: Any, direction: str) -> str:
        cls = serializer.__class__
        name = nested_component_name(cls.__qualname__)
        owner = self._names.setdefault(name, cls)
        if owner is not cls:
            # The first app keeps the plain name; the next is prefixed with its app label.
            app = cls.__module__.split(".")[0].capitalize()
            name = f"{app}{name}"
        return name

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        # A plain APIView that lists (GET) and creates (POST) on one collection URL would be
        # called `..._retrieve`, clashing with the detail view's id; call it `..._list`.
        if (
            self.method == "GET"
            and operation_id.endswith("_retrieve")
            and not self.path.rstrip("/").endswith("}")
            and hasattr(self.view, "post")
        ):
            operation_id = operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error the API returns has this shape (tolk.api.exception_handler).",
    "properties": {
        "code": {"type": "string", "description": "Stable machine-readable code."},
        "detail": {"type": "string", "description": "Message in the request's language."},
        "section": {
            "type": "string", "nullable": True,
            "description": "The Interpreter Act section, where one applies.",
        },
        "fields": {
            "type": "object", "additionalProperties": True,
            "description": "Messages per input field.",
        },
    },
    "required": ["code", "detail", "section", "fields"],
}
ERROR_RESPONSES = {
    "400": "The request is not valid.",
    "401": "Not authenticated.",
    "403": "Not allowed for this role.",
    "404": "Not found, or another organisation's.",
    "409": "Conflicts with the stored data.",
    "429": "Too many requests; see Retry-After.",
    "503": "Temporarily unavailable; see Retry-After.",
}
# Only where the operation takes a body.
BODY_ERROR_RESPONSES = {
    "415": "The body's content type is not accepted, or the body cannot be read as that type.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool
                        ) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the shared error responses on every
    operation, so clients and the contract tests know the error shape."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(ERROR_RESPONSES)
            if "requestBody" in operation:
                errors.update(BODY_ERROR_RESPONSES)
            for status, description in errors.items():
                response = responses.setdefault(status, {"description": description})
                # A view may describe an error status in words; the body is still the error shape.
                if not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref}}
    return result
