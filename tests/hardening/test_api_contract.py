"""Contract fuzzing: schemathesis generates requests from Tolk's own OpenAPI schema (/api/schema/)
and sends them in-process, as every role, to every operation. No response may be a 5xx, and every
response (errors included) must match the schema: status code, content type and body.

Each request runs inside a savepoint that is rolled back afterwards, so every request meets the same
demo-like world and the operations can run in any order. `TOLK_FUZZ_EXAMPLES` raises the number
of generated examples per operation (default 6, deterministic)."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks
from schemathesis.config import SchemathesisConfig

from tests.hardening.world import ROLES, World, build_world

EXAMPLES = int(os.environ.get("TOLK_FUZZ_EXAMPLES", "6"))
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]
# Path parameter names → keys of the world's objects, so some requests hit real objects.
PATH_OBJECTS = {
    "pk": ("booking", "offer", "customer", "provider", "block"),
    "id": ("booking", "offer", "customer", "provider"),
    "booking_id": ("booking",),
    "offer_id": ("offer",),
    "register_number": ("interpreter",),
}


def _object_values(world: World, keys: tuple[str, ...]) -> list[Any]:
    values: list[Any] = []
    for side in (world.own, world.other):
        for key in keys:
            value = side.get(key)
            if value is None:
                continue
            if key == "interpreter":
                values.append(value.register_number)
            else:
                values.append(getattr(value, "pk", value))
    return values


@pytest.fixture
def world(db: None) -> World:
    cache.clear()
    return build_world()


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    # Like Django's test client: keep the test's connection (and its transaction) open.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world: World, wsgi_app: Any) -> Any:
    # Positive and negative (invalid) data; the coverage phase's exhaustive boundary cases are
    # left to an on-purpose run (TOLK_FUZZ_COVERAGE=1) to keep `make test` quick.
    config = SchemathesisConfig.from_dict({
        "phases": {"coverage": {"enabled": os.environ.get("TOLK_FUZZ_COVERAGE") == "1"}},
        "generation": {"mode": "all"},
    })
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, config=config)
    rng = random.Random(7)  # noqa: S311 - test data, not secrets

    @schema.hook("map_path_parameters")
    def real_objects(context: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
        # Half of the generated cases address an object that exists (own or other side).
        if path_parameters and rng.random() < 0.5:
            for name in list(path_parameters):
                values = _object_values(world, PATH_OBJECTS.get(name, ()))
                if values:
                    path_parameters[name] = rng.choice(values)
        return path_parameters

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_subtests(request: pytest.FixtureRequest) -> None:
    # schemathesis' lazy loader renames the test node through the private `_nodeid`, which
    # pytest 9 no longer has; give it one so each operation is reported under its own name.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_as_every_role(case: Any, world: World) -> None:
    for role in ROLES:
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=world.headers(role))
            case.validate_response(response, checks=CHECKS)
        finally:
            transaction.savepoint_rollback(savepoint)
            cache.clear()


def _spec() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _component(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _typed_object(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A JSON body documented field by field: an object with properties, or a choice of such
    objects (oneOf), never a bare "an object"."""
    body = _component(spec, schema)
    if "oneOf" in body:
        return all(_typed_object(spec, member) for member in body["oneOf"])
    return body.get("type", "object") == "object" and bool(body.get("properties"))


def test_every_success_body_is_typed() -> None:
    """Every operation's 2xx answer is documented: a JSON body with its fields (so the fuzzing
    above checks every key and type), a download with its media type, or no body (204)."""
    spec = _spec()
    untyped = []
    for name, operation in _operations(spec):
        for status, response in operation.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            content = response.get("content") or {}
            if not content:
                if str(status) != "204":
                    untyped.append(f"{name} {status}: no body documented")
                continue
            for media_type, body in content.items():
                schema = body.get("schema") or {}
                if media_type == "application/json":
                    if not _typed_object(spec, schema):
                        untyped.append(f"{name} {status}: {schema}")
                elif media_type == "*/*" or schema.get("type") != "string":
                    untyped.append(f"{name} {status} {media_type}: {schema}")
    assert not untyped, "document these answers with an OutputSerializer:\n" + "\n".join(untyped)


def test_downloads_are_documented_with_their_media_types() -> None:
    spec = _spec()

    def media_types(path: str) -> set[str]:
        return set(spec["paths"][path]["get"]["responses"]["200"]["content"])

    assert media_types("/api/v1/me/calendar.ics") == {"text/calendar"}
    assert media_types("/api/v1/stats/facts/") == {"text/csv"}
    assert media_types("/api/v1/stats/need-report/") == {
        "application/json", "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_every_documented_error_has_the_error_shape() -> None:
    spec = _spec()
    required = {"code", "detail", "section", "fields"}
    wrong = []
    for name, operation in _operations(spec):
        for status, response in operation.get("responses", {}).items():
            if str(status)[0] not in "45":
                continue
            schema = (response.get("content") or {}).get("application/json", {}).get("schema")
            body = _component(spec, schema or {})
            if not required <= set(body.get("required", ())):
                wrong.append(f"{name} {status}")
    assert not wrong, wrong


def test_a_body_of_a_type_the_server_does_not_read_is_a_documented_415(world: World) -> None:
    """A body without a content type (as the fuzzing once sent to the register import) or of a
    type the operation does not read: 415 with the error shape, and the schema lists 415 for the
    operations that take a body."""
    client = world.client("admin")
    for content_type in ("", "text/plain"):
        response = client.generic("POST", "/api/v1/register/imports/", b"register_number\n1\n",
                                  content_type=content_type)
        assert response.status_code == 415, (content_type, response.content)
        assert response.json()["code"] == "unsupported_media_type"
    spec = _spec()
    operations = spec["paths"]["/api/v1/register/imports/"]
    assert "415" in operations["post"]["responses"]
    assert "415" not in operations["get"]["responses"]
