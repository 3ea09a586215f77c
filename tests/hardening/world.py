"""A small demo-like world for the contract and authorisation tests: two customer municipalities,
two providers, interpreters, one user per role, and (when the booking API is there) bookings with
offers and assignments on both sides. "own" objects belong to the users of the first side,
"other" objects to the second."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import CalendarToken, InterpreterBlock, Role, User
from tests import factories

ROLES = ("anonymous", "booker", "coordinator", "interpreter", "analyst", "admin")


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    other_users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        return client

    def headers(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        return {"Authorization": f"Token {self.tokens[role]}"}


def _side(n: int, municipality: str, name: str) -> dict[str, Any]:
    customer = factories.OrganisationFactory(name=f"{name} kommune", municipality=municipality)
    unit = factories.UnitFactory(
        organisation=customer, name=f"NAV {name}", municipality=municipality
    )
    provider = factories.ProviderFactory(name=f"Tolketjenesten {name}", municipality=municipality)
    booker = factories.BookerFactory(username=f"booker{n}", unit=unit, organisation=customer)
    coordinator = factories.CoordinatorFactory(username=f"coordinator{n}", organisation=provider)
    interpreter = factories.InterpreterFactory(municipality=municipality)
    for language, category in (("ara", "A"), ("tir", "B")):
        factories.QualificationFactory(interpreter=interpreter, language=language,
                                       category=category)
    interpreter_user = factories.InterpreterUserFactory(
        username=f"interpreter{n}", interpreter=interpreter
    )
    # More qualified interpreters nearby, so bookings have candidates.
    for _ in range(3):
        extra = factories.InterpreterFactory(municipality=municipality)
        factories.QualificationFactory(interpreter=extra, language="ara", category="C")
    factories.ProviderAgreementFactory(customer=customer, provider=provider)
    factories.GuidelineFactory(organisation=customer, version=1)
    return {
        "customer": customer, "unit": unit, "provider": provider, "booker": booker,
        "coordinator": coordinator, "interpreter": interpreter,
        "interpreter_user": interpreter_user,
    }


def _url_exists(name: str, **kwargs: Any) -> bool:
    try:
        reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return False
    return True


def booking_payload(side: dict[str, Any], *, days: int = 20, hour: int = 10) -> dict[str, Any]:
    start = timezone.localtime(timezone.now()).replace(
        hour=hour, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=days)
    return {
        "language": "ara",
        "modality": "onsite",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        "municipality": side["customer"].municipality,
        "address": "Rådhusplassen 1",
        "sector": "welfare",
        "duty_basis": "necessary",
        "assessment_note": "Samtale om arbeidsavklaring.",
        "topic_notes": "Arbeid og velferd.",
    }


def _bookings(side: dict[str, Any], tokens: dict[str, str]) -> None:
    """Through the REST API, as the users would: one open booking, one offered, one assigned."""
    if not _url_exists("booking-list"):
        return

    def api(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    booker, coordinator = api(side["booker"]), api(side["coordinator"])
    created = []
    for days in (20, 21, 22):
        response = booker.post(reverse("booking-list"), booking_payload(side, days=days),
                               format="json")
        assert response.status_code == 201, response.content
        created.append(response.json()["id"])
    side["booking"], side["booking_offered"], side["booking_assigned"] = created
    for booking_id in created[1:]:
        response = coordinator.post(
            reverse("booking-offers", kwargs={"pk": booking_id}), {"limit": 1}, format="json"
        )
        assert response.status_code in (200, 201), response.content
    from booking.dispatch.models import Offer

    offers = Offer.objects.filter(interpreter=side["interpreter"])
    side["offer"] = offers.get(booking_id=created[1]).id
    accepted = offers.get(booking_id=created[2]).id
    response = api(side["interpreter_user"]).post(
        reverse("offer-accept", kwargs={"pk": accepted}),
        {"impartial": True, "confidentiality": True}, format="json",
    )
    assert response.status_code in (200, 201), response.content
    side["offer_accepted"] = accepted


def build_world() -> World:
    world = World()
    own = _side(1, "0301", "Oslo")
    other = _side(2, "4601", "Bergen")
    world.users = {
        "booker": own["booker"], "coordinator": own["coordinator"],
        "interpreter": own["interpreter_user"],
        "analyst": factories.UserFactory(username="analyst1", role=Role.ANALYST),
        "admin": factories.AdminFactory(username="admin1"),
    }
    world.other_users = {
        "booker": other["booker"], "coordinator": other["coordinator"],
        "interpreter": other["interpreter_user"],
    }
    secrets_by_user = factories.api_tokens(list(world.users.values()))
    world.tokens = {role: secrets_by_user[user.pk] for role, user in world.users.items()}
    # API token ids per role, of the role's own token and of a user on the other side.
    other_secrets = factories.api_tokens(list(world.other_users.values()))
    own["token_id"] = {role: secret[:15] for role, secret in world.tokens.items()}
    other["token_id"] = {
        role: other_secrets[world.other_users.get(role, other["booker"]).pk][:15]
        for role in world.tokens
    }
    own["token_id"]["anonymous"] = own["token_id"]["booker"]
    other["token_id"]["anonymous"] = other["token_id"]["booker"]
    _bookings(own, world.tokens)
    _bookings(other, world.tokens)
    for side in (own, other):
        side["calendar_token"] = CalendarToken.objects.create(
            user=side["interpreter_user"], key=secrets.token_urlsafe(32)
        ).key
        # A § 16 block of the customer, for a case of its own (no booking of the world has it).
        side["block"] = InterpreterBlock.objects.create(
            organisation=side["customer"], interpreter=factories.InterpreterFactory(),
            case_reference="matrix-case", reason="Kjenner parten i saken.",
            created_by=side["booker"],
        ).pk
    world.own, world.other = own, other
    return world
