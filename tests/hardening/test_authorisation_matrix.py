"""The authorisation matrix: every URL pattern under /api/ (walked from the resolver, so a new
endpoint is picked up at once) and every websocket route, for every role, against the role's own
objects and another organisation's.

An endpoint or websocket route that is not in the matrix fails the test: whoever adds one decides
here who may use it.

Outcomes per role (for one method of one route):
- OK: allowed on its own objects (any answer but 401/403/404/405/5xx); another organisation's
  objects are 404, and no response shows another organisation's data.
- ALL: allowed everywhere (public endpoints, administrators).
- DENY: 401 (anonymous) or 403 (wrong role); 404 is also accepted on object routes.
- HIDE: 404 for own and other objects alike (e.g. an interpreter has no organisation).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from tests.hardening.world import ROLES, World, booking_payload, build_world

OK, ALL, DENY, HIDE = "OK", "ALL", "DENY", "HIDE"
OTHER_MARKERS = ("Bergen kommune", "Tolketjenesten Bergen", "NAV Bergen", "booker2",
                 "coordinator2", "interpreter2")

Kwargs = Callable[[dict[str, Any], str], dict[str, Any]]


def roles(default: str = DENY, **per_role: str) -> dict[str, str]:
    table = dict.fromkeys(ROLES, default)
    table.update(per_role)
    return table


@dataclass
class Route:
    methods: dict[str, dict[str, str]]
    kwargs: Kwargs | None = None
    body: Callable[[dict[str, Any], str], Any] | None = None
    query: str = ""
    # A route that answers with something other than JSON (iCalendar, CSV, files).
    raw: bool = False
    query_for: Callable[[dict[str, Any], str], str] | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _org(side: dict[str, Any], role: str) -> dict[str, Any]:
    return {"pk": (side["provider"] if role == "coordinator" else side["customer"]).pk}


def _pk(key: str) -> Kwargs:
    return lambda side, role: {"pk": side[key]}


def _declarations(side: dict[str, Any], role: str) -> dict[str, Any]:
    return {"impartial": True, "confidentiality": True}


MATRIX: dict[str, Route] = {
    # Foundation
    "api/v1/auth/token/": Route({
        "POST": roles(ALL),
        "DELETE": roles(OK, anonymous=DENY),
    }, body=lambda side, role: {"username": "nobody", "password": "wrong-password"}),
    "api/v1/auth/tokens/": Route({"GET": roles(OK, anonymous=DENY)}),
    # Only one's own tokens: another user's token id is 404, for administrators too.
    "api/v1/auth/tokens/<str:token_id>/": Route(
        {"DELETE": roles(OK, anonymous=DENY)},
        kwargs=lambda side, role: {"token_id": side["token_id"][role]},
    ),
    "api/v1/me/": Route({"GET": roles(OK, anonymous=DENY)}),
    "api/v1/languages/": Route({"GET": roles(OK, anonymous=DENY)}),
    "api/v1/organisations/": Route({"GET": roles(OK, anonymous=DENY, admin=ALL)}),
    "api/v1/organisations/<int:pk>/": Route(
        {"GET": roles(OK, anonymous=DENY, interpreter=HIDE, analyst=HIDE, admin=ALL)},
        kwargs=_org,
    ),
    "api/v1/interpreters/": Route(
        {"GET": roles(DENY, booker=ALL, coordinator=ALL, admin=ALL)},
        notes="the register is public information for those who book",
    ),
    "^interpreters/(?P<register_number>[A-Za-z0-9-]{1,16})/card/?$": Route(
        {"GET": roles(ALL)},
        kwargs=lambda side, role: {"register_number": side["interpreter"].register_number},
        notes="the card check is public (printed as a QR code on the card)",
    ),
    "api/v1/register/imports/": Route({
        "GET": roles(DENY, admin=ALL),
        "POST": roles(DENY, admin=ALL),
    }),
    # Real time
    "api/v1/auth/ws-ticket/": Route({"POST": roles(OK, anonymous=DENY)}),
    # Booking: bookers see their organisation's bookings, coordinators those their
    # organisation dispatches, interpreters those they were offered or assigned; admins all.
    "api/v1/bookings/": Route({
        "GET": roles(OK, anonymous=DENY, analyst=DENY, admin=ALL),
        "POST": roles(DENY, booker=OK),
    }, body=None, extra={"POST": lambda side, role: booking_payload(side, days=30)}),
    "api/v1/bookings/check/": Route(
        {"POST": roles(DENY, booker=OK)},
        body=lambda side, role: booking_payload(side, days=30),
    ),
    "api/v1/bookings/<int:pk>/": Route(
        {"GET": roles(OK, anonymous=DENY, analyst=DENY, admin=ALL)},
        kwargs=_pk("booking_assigned"),
    ),
    "api/v1/bookings/<int:pk>/candidates/": Route(
        {"GET": roles(OK, anonymous=DENY, interpreter=DENY, analyst=DENY, admin=ALL)},
        kwargs=_pk("booking"),
    ),
    "api/v1/bookings/<int:pk>/offers/": Route({
        "GET": roles(DENY, coordinator=OK, admin=ALL),
        "POST": roles(DENY, coordinator=OK, admin=ALL),
    }, kwargs=_pk("booking"), body=lambda side, role: {"limit": 3}),
    "api/v1/bookings/<int:pk>/cancel/": Route(
        {"POST": roles(OK, anonymous=DENY, interpreter=DENY, analyst=DENY, admin=ALL)},
        kwargs=_pk("booking"), body=lambda side, role: {"reason": "Timen er flyttet."},
    ),
    "api/v1/bookings/<int:pk>/complete/": Route(
        {"POST": roles(OK, anonymous=DENY, interpreter=DENY, analyst=DENY, admin=ALL)},
        kwargs=_pk("booking_assigned"), body=lambda side, role: {},
    ),
    "api/v1/bookings/<int:pk>/interpreter-cancel/": Route(
        {"POST": roles(DENY, interpreter=OK)},
        kwargs=_pk("booking_assigned"), body=lambda side, role: {"reason": "Sykdom."},
    ),
    "api/v1/bookings/<int:pk>/exception-assignment/": Route(
        {"POST": roles(DENY, coordinator=OK, admin=ALL)},
        kwargs=_pk("booking"), body=lambda side, role: {},
    ),
    "api/v1/bookings/<int:pk>/audit/": Route(
        {"GET": roles(OK, anonymous=DENY, interpreter=DENY, analyst=DENY, admin=ALL)},
        kwargs=_pk("booking_assigned"),
    ),
    "api/v1/offers/": Route({"GET": roles(DENY, interpreter=OK)}),
    "api/v1/offers/<int:pk>/accept/": Route(
        {"POST": roles(DENY, interpreter=OK)},
        kwargs=_pk("offer"), body=_declarations,
    ),
    "api/v1/offers/<int:pk>/decline/": Route(
        {"POST": roles(DENY, interpreter=OK)},
        kwargs=_pk("offer"), body=lambda side, role: {"reason": "Opptatt."},
    ),
    "api/v1/blocks/": Route({
        "GET": roles(DENY, booker=OK, admin=ALL),
        "POST": roles(DENY, booker=OK, admin=ALL),
    }, body=lambda side, role: {
        "register_number": side["interpreter"].register_number, "case_reference": "other-case",
        "reason": "Tolken er i slekt med parten.", "organisation": side["customer"].org_number,
    }),
    "api/v1/blocks/<int:pk>/": Route(
        {"DELETE": roles(DENY, booker=OK, admin=ALL)}, kwargs=_pk("block"),
    ),
    "api/v1/rules/": Route({"GET": roles(OK, anonymous=DENY)}, query="date=2027-01-04"),
    "api/v1/guidelines/": Route({
        "GET": roles(OK, anonymous=DENY),
        "POST": roles(DENY, admin=ALL),
    }, extra={"POST": lambda side, role: {
        "organisation": side["customer"].org_number, "valid_from": "2030-01-01",
        "remote_platforms": ["Teams (helsenett)"],
    }}),
    "api/v1/me/calendar-token/": Route({
        "POST": roles(DENY, interpreter=OK),
        "DELETE": roles(DENY, interpreter=OK),
    }),
    "api/v1/me/calendar.ics": Route(
        {"GET": roles(ALL)}, raw=True,
        query_for=lambda side, role: f"token={side['calendar_token']}",
        notes="authorised by the secret token in the URL, whoever fetches it",
    ),
    # Statistics: aggregated figures for analysts; providers' files from coordinators.
    "api/v1/stats/need-report/": Route(
        {"GET": roles(DENY, analyst=ALL, admin=ALL)}, query="year=2026",
    ),
    "api/v1/stats/imports/": Route({
        "GET": roles(DENY, coordinator=OK, analyst=ALL, admin=ALL),
        "POST": roles(DENY, coordinator=OK, analyst=ALL, admin=ALL),
    }),
    # The year's facts for another installation: analysts, admins and export clients (whose
    # token opens nothing else: tests/stats/test_export.py).
    "api/v1/stats/facts/": Route(
        {"GET": roles(DENY, analyst=ALL, admin=ALL)}, query="year=2026", raw=True,
    ),
    "api/v1/stats/facts/manifests/<uuid:export_id>/": Route(
        {"GET": roles(DENY, analyst=HIDE, admin=HIDE)},
        kwargs=lambda side, role: {"export_id": "0b7e5a8e-1b1f-4f7e-9a39-5b8a8f3b0c11"},
        notes="an export's manifest is shown only to whoever made the export",
    ),
}

WEBSOCKETS: dict[str, dict[str, str]] = {
    "ws/interpreter/": roles(DENY, interpreter=OK),
    "ws/bookings/": roles(DENY, booker=OK, coordinator=OK),
}


def _pattern_text(pattern: URLPattern | URLResolver) -> str:
    return str(pattern.pattern)


def api_routes() -> Iterator[tuple[str, str, URLPattern]]:
    """(matrix key, full route, pattern) for every URL pattern under /api/v1/."""

    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + _pattern_text(p))
            else:
                yield prefix + _pattern_text(p), p

    for full, pattern in walk(get_resolver().url_patterns, ""):
        if not full.startswith("api/v1/"):
            continue
        own = _pattern_text(pattern)
        key = own if own.startswith("^") else full
        yield key, full, pattern


def test_every_api_route_is_in_the_matrix() -> None:
    missing = sorted(key for key, _full, _p in api_routes() if key not in MATRIX)
    assert not missing, f"routes without an entry in the authorisation matrix: {missing}"
    stale = sorted(set(MATRIX) - {key for key, _f, _p in api_routes()})
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_every_websocket_route_is_in_the_matrix() -> None:
    from booking.realtime.routing import websocket_urlpatterns

    routes = {_pattern_text(p) for p in websocket_urlpatterns}
    assert routes == set(WEBSOCKETS), routes ^ set(WEBSOCKETS)


def _allowed_methods(pattern: URLPattern) -> set[str]:
    view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
    if view is None:
        return {"GET"}
    return {m.upper() for m in view.http_method_names
            if m not in {"options", "head", "trace"} and hasattr(view, m)}


def _cases() -> list[tuple[str, str]]:
    return sorted((key, method) for key, route in MATRIX.items() for method in route.methods)


def test_matrix_covers_every_method_of_every_route() -> None:
    missing = []
    for key, _full, pattern in api_routes():
        route = MATRIX.get(key)
        if route is None:
            continue
        for method in _allowed_methods(pattern) - set(route.methods):
            missing.append(f"{method} {key}")
    assert not missing, f"methods without a matrix entry: {sorted(missing)}"


@pytest.fixture
def world(db: None) -> World:
    cache.clear()
    return build_world()


def _url(full: str, kwargs: dict[str, Any]) -> str:
    from django.urls import reverse

    for _key, _f, pattern in api_routes():
        if _f == full and pattern.name:
            return reverse(pattern.name, kwargs=kwargs or None)
    raise AssertionError(f"cannot build a URL for {full}")


def _call(world: World, role: str, method: str, url: str, body: Any) -> Any:
    client = world.client(role)
    savepoint = transaction.savepoint()
    try:
        return getattr(client, method.lower())(url, body, format="json") if body is not None \
            else getattr(client, method.lower())(url)
    finally:
        transaction.savepoint_rollback(savepoint)
        cache.clear()


def _check(outcome: str, role: str, status: int, where: str) -> None:
    assert status < 500, f"{where}: server error {status}"
    if outcome in (OK, ALL):
        assert status not in (401, 403, 404, 405), f"{where}: expected allowed, got {status}"
    elif outcome == DENY:
        allowed = {401, 403} if role == "anonymous" else {403}
        if "other" in where or "own" in where:
            allowed |= {404}
        assert status in allowed, f"{where}: expected {sorted(allowed)}, got {status}"
    elif outcome == HIDE:
        expected = {401} if role == "anonymous" else {404}
        assert status in expected, f"{where}: expected 404, got {status}"


def _route_failures(world: World, key: str, method: str) -> list[str]:
    route = MATRIX[key]
    full = next(f for k, f, _p in api_routes() if k == key)
    failures = []
    for role in ROLES:
        outcome = route.methods[method][role]
        sides = [("own", world.own), ("other", world.other)] if route.kwargs else [("", world.own)]
        for label, side in sides:
            kwargs = route.kwargs(side, role) if route.kwargs else {}
            query = route.query_for(side, role) if route.query_for else route.query
            url = _url(full, kwargs) + (f"?{query}" if query else "")
            make_body = route.extra.get(method) or route.body
            body = make_body(side, role) if make_body else None
            response = _call(world, role, method, url, body)
            where = f"{method} {url} as {role}" + (f" ({label} object)" if label else "")
            effective = HIDE if (label == "other" and outcome == OK) else outcome
            try:
                _check(effective, role, response.status_code, where)
                if outcome == OK and not route.raw and response.status_code < 300 \
                        and response.content:
                    text = json.dumps(response.json(), ensure_ascii=False)
                    for marker in OTHER_MARKERS:
                        assert marker not in text, \
                            f"{where}: shows another organisation's {marker!r}"
            except AssertionError as error:
                failures.append(str(error).splitlines()[0])
    return failures


def test_every_route_for_every_role(world: World) -> None:
    """One world, every (route, method, role, own/other) combination; each request is rolled
    back so the next one meets the same data. All failures are reported together."""
    failures = [f for key, method in _cases() for f in _route_failures(world, key, method)]
    assert not failures, "authorisation matrix violations:\n" + "\n".join(failures)


# Websocket routes -----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", sorted(WEBSOCKETS))
async def test_websocket_route_for_every_role(route: str) -> None:
    from channels.db import database_sync_to_async

    from tests.booking.wsclient import record, ws_closed_with, ws_open

    world = await database_sync_to_async(build_world)()
    for role in ROLES:
        user = world.users.get(role)
        comm = await ws_open(f"/{route}", user)
        outcome = WEBSOCKETS[route][role]
        if outcome == DENY:
            assert await ws_closed_with(comm) == (4401 if role == "anonymous" else 4403), role
            continue
        # Allowed: own audience's events arrive, another organisation's never do.
        if route == "ws/interpreter/":
            own = {"interpreter_ids": [world.own["interpreter"].id]}
            other = {"interpreter_ids": [world.other["interpreter"].id]}
        else:
            key = "provider" if role == "coordinator" else "customer"
            own = {"organisation_ids": [world.own[key].id]}
            other = {"organisation_ids": [world.other[key].id]}
        await record(kind="booking.changed", payload={"marker": "other"}, **other)
        await record(kind="booking.changed", payload={"marker": "own"}, **own)
        received = await comm.receive_json_from(timeout=3)
        assert received["payload"] == {"marker": "own"}, (route, role, received)
        assert await comm.receive_nothing(timeout=0.2), (route, role)
        await comm.disconnect()


@pytest.mark.django_db
def test_admin_site_is_for_administrators_only(world: World) -> None:
    from django.test import Client

    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        response = client.get("/admin/")
        if role == "admin":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], role



@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", sorted(WEBSOCKETS))
async def test_websocket_from_a_foreign_origin_is_refused(route: str) -> None:
    from channels.testing import WebsocketCommunicator

    from tolk.asgi import application

    comm = WebsocketCommunicator(
        application, f"/{route}",
        headers=[(b"host", b"localhost"), (b"origin", b"https://evil.example")],
    )
    connected, _ = await comm.connect(timeout=3)
    assert not connected
    await comm.disconnect()
