"""The authorisation matrix of the web pages: every page route (walked from the resolver; a page
missing here fails the test) for every role, against the role's own objects and another
organisation's (or another interpreter's).

- anonymous users are sent to the login page (or, for POST-only actions, get 405 on GET);
- a role the page is not for gets 403;
- an allowed role reaches its own objects; another organisation's objects are 404 on GET, and a
  POST on them changes nothing (the form answers 302 back with a message, or 404).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from booking.dispatch.models import Assignment, Booking, InterpreterBlock, Offer
from tests.hardening.world import ROLES, World, build_world

PUBLIC = frozenset(ROLES)


@dataclass
class Page:
    roles: frozenset[str]
    methods: tuple[str, ...] = ("GET",)
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # What a POST may change: read before and after a POST on another side's object.
    state: Callable[[dict[str, Any]], Any] | None = None


def _booking_state(key: str) -> Callable[[dict[str, Any]], Any]:
    def state(side: dict[str, Any]) -> Any:
        booking = Booking.objects.get(pk=side[key])
        return (booking.status, list(Assignment.objects.filter(booking=booking)
                                     .values_list("status", flat=True)),
                list(Offer.objects.filter(booking=booking).values_list("status", flat=True)))
    return state


def _offer_state(side: dict[str, Any]) -> Any:
    return Offer.objects.get(pk=side["offer"]).status


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


PAGES: dict[str, Page] = {
    "": Page(PUBLIC),
    "login/": Page(PUBLIC),
    "logout/": Page(PUBLIC, methods=()),  # logging out is not an object of authorisation
    "card/": Page(PUBLIC),
    "card/<str:number>/": Page(
        PUBLIC, kwargs=lambda s: {"number": s["interpreter"].register_number}
    ),
    "book/": Page(roles("booker")),
    "bookings/": Page(roles("booker")),
    "bookings/<int:booking_id>/": Page(
        roles("booker", "coordinator"), kwargs=lambda s: {"booking_id": s["booking_assigned"]}
    ),
    "bookings/<int:booking_id>/cancel/": Page(
        roles("booker", "coordinator"), methods=("POST",),
        kwargs=lambda s: {"booking_id": s["booking"]}, state=_booking_state("booking"),
    ),
    "blocks/": Page(roles("booker")),
    "blocks/<int:block_id>/delete/": Page(
        roles("booker"), methods=("POST",), kwargs=lambda s: {"block_id": s["block"]},
        state=lambda s: InterpreterBlock.objects.filter(pk=s["block"]).exists(),
    ),
    "interpreter/offers/": Page(roles("interpreter")),
    "interpreter/offers/<int:offer_id>/card/": Page(
        roles("interpreter"), kwargs=lambda s: {"offer_id": s["offer"]}
    ),
    "interpreter/offers/<int:offer_id>/accept/": Page(
        roles("interpreter"), methods=("POST",), kwargs=lambda s: {"offer_id": s["offer"]},
        state=_offer_state,
    ),
    "interpreter/offers/<int:offer_id>/decline/": Page(
        roles("interpreter"), methods=("POST",), kwargs=lambda s: {"offer_id": s["offer"]},
        state=_offer_state,
    ),
    "interpreter/assignments/": Page(roles("interpreter")),
    "interpreter/assignments/<int:booking_id>/give-back/": Page(
        roles("interpreter"), methods=("POST",),
        kwargs=lambda s: {"booking_id": s["booking_assigned"]},
        state=_booking_state("booking_assigned"),
    ),
    "interpreter/calendar/": Page(roles("interpreter"), methods=("POST",)),
    "interpreter/card/": Page(roles("interpreter")),
    "dispatch/": Page(roles("coordinator")),
    "dispatch/<int:booking_id>/": Page(
        roles("coordinator"), kwargs=lambda s: {"booking_id": s["booking"]}
    ),
    "dispatch/<int:booking_id>/offers/": Page(
        roles("coordinator"), methods=("POST",), kwargs=lambda s: {"booking_id": s["booking"]},
        state=_booking_state("booking"),
    ),
    "statistics/": Page(roles("analyst", "admin")),
    "statistics/import/": Page(roles("coordinator", "analyst", "admin")),
}

SKIP_PREFIXES = ("api/", "admin/", "i18n/")


def page_routes() -> list[str]:
    routes: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            text = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + text)
            elif isinstance(p, URLPattern):
                route = prefix + text
                if not route.startswith(SKIP_PREFIXES):
                    routes.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


def test_every_page_is_in_the_matrix() -> None:
    routes = set(page_routes())
    assert routes - set(PAGES) == set(), f"pages without a matrix entry: {routes - set(PAGES)}"
    assert set(PAGES) - routes == set(), f"matrix entries without a page: {set(PAGES) - routes}"


def _path(route: str, kwargs: dict[str, Any]) -> str:
    path = "/" + route
    for key, value in kwargs.items():
        path = re.sub(rf"<[a-z]+:{key}>", str(value), path)
    return path


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_every_page_for_every_role(world: World) -> None:
    failures: list[str] = []
    for route, page in PAGES.items():
        for method in page.methods:
            for role in ROLES:
                client = Client()
                if role != "anonymous":
                    client.force_login(world.users[role])
                sides = [("own", world.own), ("other", world.other)] if page.kwargs \
                    else [("", world.own)]
                for label, side in sides:
                    path = _path(route, page.kwargs(side) if page.kwargs else {})
                    savepoint = transaction.savepoint()
                    try:
                        before = page.state(side) if page.state else None
                        response = getattr(client, method.lower())(path)
                        after = page.state(side) if page.state else None
                    finally:
                        transaction.savepoint_rollback(savepoint)
                    status = response.status_code
                    where = f"{method} {path} as {role}" + (f" ({label})" if label else "")
                    if status >= 500:
                        failures.append(f"{where}: {status}")
                    elif role == "anonymous" and page.roles != PUBLIC:
                        if not (status == 302 and "/login/" in response["Location"]):
                            failures.append(f"{where}: expected redirect to login, got {status}")
                    elif role not in page.roles:
                        if status != 403:
                            failures.append(f"{where}: expected 403, got {status}")
                    elif label == "other" and page.roles != PUBLIC:
                        if method == "GET" and status != 404:
                            failures.append(f"{where}: expected 404, got {status}")
                        if method == "POST" and (status not in (302, 404) or before != after):
                            failures.append(f"{where}: changed another's object ({before} → "
                                            f"{after}) or answered {status}")
                    elif status in (401, 403, 404, 405):
                        failures.append(f"{where}: expected allowed, got {status}")
    assert not failures, "page authorisation violations:\n" + "\n".join(failures)
