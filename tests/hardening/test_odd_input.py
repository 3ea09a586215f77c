"""Input that is odd but possible: JSON nested deeper than anyone writes it, dates at the edge of
the calendar in every filter, and database errors that are not the conflicts a client can cause.
Each answer is a 4xx in the error shape (or an empty page), never a 500 or a dropped socket."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from booking.models import Assignment, Booking
from tests import factories
from tests.booking.booking_helpers import book, world
from tests.booking.wsclient import ws_open
from tests.hardening.test_authorisation_matrix import (
    MATRIX,
    _url,
    api_routes,
)
from tests.hardening.world import ROLES, World, build_world
from tolk.api import exception_handler
from tolk.jsonparse import MAX_JSON_DEPTH

SHAPE = {"code", "detail", "section", "fields"}


def deep_array(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def deep_object(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


# --- JSON nested 1,000+ levels deep -------------------------------------------------------------

@pytest.fixture
def matrix_world(db: None) -> World:
    cache.clear()
    return build_world()


# The endpoints that read a JSON body, with a role that may call them.
JSON_ENDPOINTS = [
    ("api/v1/auth/token/", "POST", "anonymous"),
    ("api/v1/bookings/", "POST", "booker"),
    ("api/v1/bookings/check/", "POST", "booker"),
    ("api/v1/bookings/<int:pk>/offers/", "POST", "coordinator"),
    ("api/v1/bookings/<int:pk>/cancel/", "POST", "booker"),
    ("api/v1/bookings/<int:pk>/complete/", "POST", "booker"),
    ("api/v1/bookings/<int:pk>/interpreter-cancel/", "POST", "interpreter"),
    ("api/v1/bookings/<int:pk>/exception-assignment/", "POST", "coordinator"),
    ("api/v1/offers/<int:pk>/accept/", "POST", "interpreter"),
    ("api/v1/offers/<int:pk>/decline/", "POST", "interpreter"),
    ("api/v1/blocks/", "POST", "booker"),
    ("api/v1/guidelines/", "POST", "admin"),
]


def _route_url(world: World, key: str, role: str) -> str:
    route = MATRIX[key]
    full = next(f for k, f, _p in api_routes() if k == key)
    kwargs = route.kwargs(world.own, role) if route.kwargs else {}
    return _url(full, kwargs)


def _post_raw(world: World, role: str, method: str, url: str, body: bytes) -> Any:
    client = world.client(role)
    savepoint = transaction.savepoint()
    try:
        return client.generic(method, url, body, content_type="application/json")
    finally:
        transaction.savepoint_rollback(savepoint)
        cache.clear()


@pytest.mark.parametrize("body", [deep_array(5000), deep_object(1500),
                                  deep_array(MAX_JSON_DEPTH + 1)],
                         ids=["array-5000", "object-1500", "just-too-deep"])
def test_deep_json_is_400_json_too_deep_on_every_endpoint_that_reads_json(
    matrix_world: World, body: bytes
) -> None:
    failures = []
    for key, method, role in JSON_ENDPOINTS:
        url = _route_url(matrix_world, key, role)
        response = _post_raw(matrix_world, role, method, url, body)
        data = response.json()
        if response.status_code != 400 or data.get("code") != "json_too_deep" \
                or set(data) != SHAPE:
            failures.append(f"{method} {url} as {role}: {response.status_code} {data}")
    assert not failures, "\n".join(failures)


def test_deep_json_never_gives_a_server_error_anywhere(matrix_world: World) -> None:
    """Every route, every write method, every role: a 4xx in the error shape or a success that
    did not read the body (a DELETE, the ticket), never a 5xx."""
    failures = []
    for key, _full, _pattern in api_routes():
        route = MATRIX[key]
        for method in route.methods:
            if method == "GET":
                continue
            for role in ROLES:
                url = _route_url(matrix_world, key, role)
                response = _post_raw(matrix_world, role, method, url, deep_array(3000))
                if response.status_code >= 500:
                    failures.append(f"{method} {url} as {role}: {response.status_code}")
                elif response.status_code >= 400 and set(response.json()) != SHAPE:
                    failures.append(f"{method} {url} as {role}: {response.json()}")
                elif response.status_code == 400:
                    code = response.json()["code"]
                    if code != "json_too_deep":
                        failures.append(f"{method} {url} as {role}: {code}")
    assert not failures, "\n".join(failures)


def test_json_within_the_depth_limit_is_still_read(matrix_world: World) -> None:
    # A body nested to the limit is parsed (and then refused by the serializer as a bad value).
    url = _route_url(matrix_world, "api/v1/bookings/<int:pk>/cancel/", "booker")
    nested = b'{"reason": ' + deep_array(MAX_JSON_DEPTH - 1) + b"}"
    response = _post_raw(matrix_world, "booker", "POST", url, nested)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["fields"]


def test_json_constants_that_are_not_json_are_refused(matrix_world: World) -> None:
    url = _route_url(matrix_world, "api/v1/bookings/<int:pk>/offers/", "coordinator")
    for body in (b'{"limit": NaN}', b'{"limit": Infinity}', b'{"limit": -Infinity}'):
        response = _post_raw(matrix_world, "coordinator", "POST", url, body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "parse_error"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("text", [
    "[" * 5000 + "]" * 5000,
    '{"type": "offer.accept", "offer_id": 1, "x": ' + "[" * 2000 + "]" * 2000 + "}",
    '{"type": "offer.accept", "offer_id": 1, "x": ' + "[" * (MAX_JSON_DEPTH + 1)
    + "]" * (MAX_JSON_DEPTH + 1) + "}",
], ids=["bare", "inside-a-message", "just-too-deep"])
async def test_deep_json_on_a_socket_is_an_error_message_and_the_socket_stays_open(
    text: str,
) -> None:
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(factories.InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    await comm.send_to(text_data=text[:8000])
    reply = await comm.receive_json_from(timeout=3)
    assert reply["type"] == "error" and reply["code"] == "json_too_deep"
    assert set(reply) >= SHAPE
    # Still open and still answering.
    await comm.send_to(text_data='{"type": "nothing.known"}')
    reply = await comm.receive_json_from(timeout=3)
    assert reply["type"] == "error" and reply["code"] == "invalid"
    await comm.disconnect()


# --- date and datetime filters ------------------------------------------------------------------

EDGE_DATES = [
    "9999-12-31", "0001-01-01", "0001-01-02", "9999-12-30", "1900-02-29", "2026-02-29",
    "2028-02-29", "2026-03-29", "2026-10-25", "99999-01-01", "-0001-01-01", "2026-13-01",
    "2026-00-10", "20261231", "2026-W52-7", "2026-1-1", "", " ", "null", "0", "-1",
    "2026-12-31T23:59:59", "2026-12-31T25:00", "1e10", "\x00", "２０２６-０１-０１",
    "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00",
]

# Every date, datetime or year filter of the API, with the role that may use it.
DATE_FILTERS = [
    ("booker", "/api/v1/bookings/", "date_from"),
    ("booker", "/api/v1/bookings/", "date_to"),
    ("coordinator", "/api/v1/bookings/", "date_from"),
    ("interpreter", "/api/v1/bookings/", "date_to"),
    ("admin", "/api/v1/bookings/", "date_to"),
    ("booker", "/api/v1/interpreters/", "date"),
    ("booker", "/api/v1/rules/", "date"),
    ("analyst", "/api/v1/stats/need-report/", "year"),
    ("interpreter", "/api/v1/offers/", "status"),
]


def _check_answer(response: Any, where: str) -> None:
    assert response.status_code in (200, 400), f"{where}: {response.status_code}"
    if response.status_code == 400:
        assert set(response.json()) == SHAPE, where
    elif response["Content-Type"].startswith("application/json"):
        body = response.json()
        assert isinstance(body, dict), where


@pytest.mark.parametrize(("role", "path", "param"), DATE_FILTERS)
def test_edge_dates_in_every_filter_are_400_or_an_empty_page(
    matrix_world: World, role: str, path: str, param: str
) -> None:
    client = matrix_world.client(role)
    for value in EDGE_DATES:
        response = client.get(path, {param: value})
        _check_answer(response, f"{path}?{param}={value!r} as {role}")


def test_the_last_day_of_the_calendar_is_an_empty_page_not_a_500(matrix_world: World) -> None:
    client = matrix_world.client("booker")
    response = client.get("/api/v1/bookings/", {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert response.json()["count"] == 3  # every booking starts before the end of time
    response = client.get("/api/v1/bookings/", {"date_from": "9999-12-31"})
    assert response.status_code == 200 and response.json()["count"] == 0
    response = client.get("/api/v1/bookings/", {"date_from": "0001-01-01",
                                                "date_to": "0001-01-01"})
    assert response.status_code == 200 and response.json()["count"] == 0


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    value=st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),
        st.text(max_size=30),
        st.integers().map(str),
    ),
    which=st.sampled_from(DATE_FILTERS),
)
def test_any_value_in_a_date_filter_is_400_or_a_page(
    matrix_world: World, value: str, which: tuple[str, str, str]
) -> None:
    role, path, param = which
    response = matrix_world.client(role).get(path, {param: value})
    _check_answer(response, f"{path}?{param}={value!r} as {role}")


# --- database errors: only known constraints are conflicts --------------------------------------

def _integrity_error(action: Any) -> IntegrityError:
    try:
        with transaction.atomic():
            action()
    except IntegrityError as exc:
        return exc
    raise AssertionError("the change did not fail")


def _assign(booking: Booking, interpreter: Any) -> Assignment:
    return Assignment.objects.create(
        booking=booking, interpreter=interpreter, start=booking.start, end=booking.end,
        blocked_start=booking.start, blocked_end=booking.end, category="A",
        category_checked_at=booking.start, basis="qualified", declaration_source="interpreter",
        declared_impartial=True, declared_confidentiality=True, declared_at=booking.start,
    )


@pytest.mark.django_db
def test_a_known_constraint_is_a_409_with_its_code() -> None:
    w = world()
    booking = book(w)
    _assign(booking, factories.InterpreterFactory())
    exc = _integrity_error(lambda: _assign(booking, factories.InterpreterFactory()))
    response = exception_handler(exc, {})
    assert response is not None and response.status_code == 409
    assert response.data["code"] == "booking_already_assigned"
    assert set(response.data) == SHAPE


@pytest.mark.django_db
def test_an_unknown_database_error_is_a_logged_500_not_a_conflict(
    caplog: pytest.LogCaptureFixture,
) -> None:
    w = world()
    booking = book(w)
    # A check constraint the services never let a client reach: a bug if it ever fires.
    exc = _integrity_error(
        lambda: Booking.objects.filter(pk=booking.pk).update(end=booking.start)
    )
    with caplog.at_level(logging.ERROR, logger="tolk.api"):
        response = exception_handler(exc, {})
    assert response is not None and response.status_code == 500
    assert response.data["code"] == "server_error"
    assert set(response.data) == SHAPE
    assert any("booking_end_after_start" in r.getMessage() or r.exc_info for r in caplog.records)


@pytest.mark.django_db
def test_an_unexpected_database_error_over_http_is_500_in_the_error_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from booking.dispatch.apis import bookings as apis

    w = world()
    booking = book(w)

    def broken(**kwargs: Any) -> Any:
        with transaction.atomic():
            Booking.objects.filter(pk=booking.pk).update(end=booking.start)
        raise AssertionError("unreachable")

    monkeypatch.setattr(apis.services, "booking_cancel", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(w.booker)
    response = client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
    assert response.status_code == 500
    assert set(response.json()) == SHAPE and response.json()["code"] == "server_error"
    booking.refresh_from_db()
    assert booking.end > booking.start


def test_constraint_names_are_read_from_the_error() -> None:
    from tolk.db import constraint_name

    class Diag:
        constraint_name = "assignment_no_overlap"

    class PgError(Exception):
        diag = Diag()

    exc = IntegrityError("conflicting key value violates exclusion constraint")
    exc.__cause__ = PgError()
    assert constraint_name(exc) == "assignment_no_overlap"
    assert constraint_name(IntegrityError(
        "CHECK constraint failed: booking_end_after_start")) == "booking_end_after_start"
    assert constraint_name(IntegrityError("something else entirely")) is None


# --- dates at the ends of the calendar in files ------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "99999-01-01", "2026-02-29"])
def test_register_file_dates_at_the_ends_of_the_calendar_never_give_a_500(value: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from booking.register.services import REGISTER_COLUMNS

    row = ["T-9", "Amal", "Haddad", "female", "0301", "part_time", "onsite|video", "", "",
           "ara", "A", "2020-01-01", value, "active", value]
    text = ",".join(REGISTER_COLUMNS) + "\n" + ",".join(row) + "\n"
    client = APIClient()
    client.force_authenticate(factories.AdminFactory())
    response = client.post(
        "/api/v1/register/imports/",
        {"file": SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "register_import_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "99999-01-01", "2026-02-29",
                                   "2024-02-29T10:00"])
def test_provider_file_dates_at_the_ends_of_the_calendar_never_give_a_500(value: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from booking.models import Role
    from tests.stats.helpers import csv_bytes, fact_row

    data = csv_bytes([fact_row(reference="D1", date=value)]).getvalue()
    client = APIClient()
    client.force_authenticate(factories.UserFactory(role=Role.ANALYST))
    response = client.post(
        "/api/v1/stats/imports/",
        {"file": SimpleUploadedFile("levering.csv", data, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "assignment_import_invalid"


@pytest.mark.parametrize("charset", ["rot13", "hex", "base64", "zlib", "utf-16", "utf-32",
                                     "no-such-charset", "latin-1"])
def test_odd_charsets_of_a_json_body_are_read_or_refused_cleanly(
    matrix_world: World, charset: str
) -> None:
    url = _route_url(matrix_world, "api/v1/bookings/<int:pk>/cancel/", "booker")
    for content_type, body in (("application/json", b'{"reason": "x"}'),
                               ("application/x-www-form-urlencoded", b"reason=x")):
        response = _post_raw_typed(matrix_world, "booker", url, body,
                                   f"{content_type}; charset={charset}")
        assert response.status_code in (200, 400), (content_type, response.status_code)
        expected = {"id", "status"} if response.status_code == 200 else SHAPE
        assert set(response.json()) >= expected, content_type


def _post_raw_typed(world: World, role: str, url: str, body: bytes, content_type: str) -> Any:
    client = world.client(role)
    savepoint = transaction.savepoint()
    try:
        return client.generic("POST", url, body, content_type=content_type)
    finally:
        transaction.savepoint_rollback(savepoint)
        cache.clear()


# --- NUL characters (PostgreSQL text cannot hold them) -----------------------------------------

NUL_QUERIES = [
    ("booker", "/api/v1/bookings/", {"language": "\x00"}),
    ("booker", "/api/v1/bookings/", {"status": "\x00"}),
    ("booker", "/api/v1/interpreters/", {"language": "ar\x00"}),
    ("booker", "/api/v1/interpreters/", {"municipality": "03\x0001"}),
    ("booker", "/api/v1/rules/", {"date": "2027\x00-01-01"}),
    ("analyst", "/api/v1/stats/need-report/", {"year": "2025", "county": "0\x003"}),
]


@pytest.mark.parametrize(("role", "path", "params"), NUL_QUERIES)
def test_a_nul_character_in_a_query_is_400_invalid_character(
    matrix_world: World, role: str, path: str, params: dict[str, str]
) -> None:
    response = matrix_world.client(role).get(path, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"
    assert set(response.json()) == SHAPE


def test_a_nul_character_in_a_page_query_is_the_400_page(matrix_world: World) -> None:
    from django.test import Client

    client = Client()
    client.force_login(matrix_world.users["booker"])
    assert client.get("/bookings/", {"status": "op\x00en"}).status_code == 400
    assert client.get("/bookings/", {"status": "open"}).status_code == 200


@pytest.mark.parametrize("body", [
    b'{"reason": "Sykdom\\u0000"}',
    b'{"reason": "ok", "\\u0000": 1}',
    b'{"exception": {"ground": "emergency", "justification": "Akutt\\u0000 behov for tolk",'
    b' "decided_by": "Leder"}, "adhoc_name": "Ola", "adhoc_age": 40}',
])
def test_a_nul_character_in_a_json_body_is_400_invalid_character(
    matrix_world: World, body: bytes
) -> None:
    for key, role in (("api/v1/bookings/<int:pk>/cancel/", "booker"),
                      ("api/v1/bookings/<int:pk>/exception-assignment/", "coordinator")):
        url = _route_url(matrix_world, key, role)
        response = _post_raw(matrix_world, role, "POST", url, body)
        assert response.status_code == 400, (url, response.status_code)
        assert response.json()["code"] == "invalid_character", url


@pytest.mark.django_db(transaction=True)
async def test_a_nul_character_in_a_socket_message_is_an_error_message() -> None:
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(factories.InterpreterUserFactory)()
    comm = await ws_open("/ws/interpreter/", user)
    await comm.send_to(text_data='{"type": "offer.decline", "offer_id": 1, "reason": "a\\u0000"}')
    reply = await comm.receive_json_from(timeout=3)
    assert reply["type"] == "error" and reply["code"] == "invalid_character"
    await comm.disconnect()


def test_a_nul_character_in_explain_or_a_header_is_not_a_server_error(
    matrix_world: World,
) -> None:
    booking = matrix_world.own["booking"]
    client = matrix_world.client("coordinator")
    response = client.get(f"/api/v1/bookings/{booking}/candidates/", {"explain": "T-\x001"})
    assert response.status_code in (200, 400, 404), response.status_code
    assert response.status_code == 200 or set(response.json()) == SHAPE
    booker = matrix_world.client("booker")
    from tests.hardening.world import booking_payload

    response = booker.post("/api/v1/bookings/", booking_payload(matrix_world.own, days=40),
                           format="json", HTTP_IDEMPOTENCY_KEY="key-\x00-1")
    assert response.status_code == 400, response.status_code
    assert response.json()["code"] == "invalid_character"
    assert set(response.json()) == SHAPE


@pytest.mark.django_db(transaction=True)
async def test_a_nul_character_in_a_ticket_is_4401_not_a_dropped_socket() -> None:
    comm = await ws_open("/ws/interpreter/?ticket=abc%00def")
    output = await comm.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4401}
