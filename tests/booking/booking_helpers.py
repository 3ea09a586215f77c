"""Shared set-up for the booking tests: a customer with a guideline and a provider agreement,
its booker, the provider's coordinator, qualified interpreters with user accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from booking.dispatch.services.bookings import BookingInput, booking_create
from booking.models import Interpreter, Organisation, User
from tests import factories

OSLO = ZoneInfo("Europe/Oslo")
# A fixed clock: tests pass `now=` explicitly, so they do not depend on the real date.
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=OSLO)
BEFORE_CUTOFF = dt.datetime(2026, 12, 30, 10, 0, tzinfo=OSLO)
AFTER_CUTOFF = dt.datetime(2027, 1, 4, 10, 0, tzinfo=OSLO)


@dataclass
class World:
    customer: Organisation
    provider: Organisation
    booker: User
    coordinator: User


def world(*, min_category: str = "", police: bool = False) -> World:
    booker = factories.BookerFactory()
    customer = booker.organisation
    provider = factories.ProviderFactory()
    factories.ProviderAgreementFactory(customer=customer, provider=provider)
    factories.GuidelineFactory(
        organisation=customer, version=1, min_category=min_category,
        police_certificate_required=police,
    )
    coordinator = factories.CoordinatorFactory(organisation=provider)
    return World(customer=customer, provider=provider, booker=booker, coordinator=coordinator)


def interpreter_user(*, language: str = "ara", category: str = "A", municipality: str = "0301",
                     **kwargs: Any) -> User:
    interpreter = factories.InterpreterFactory(municipality=municipality, **kwargs)
    factories.QualificationFactory(interpreter=interpreter, language=language, category=category)
    return factories.InterpreterUserFactory(interpreter=interpreter)


def qualified(*, language: str = "ara", category: str = "A", **kwargs: Any) -> Interpreter:
    interpreter = factories.InterpreterFactory(**kwargs)
    factories.QualificationFactory(interpreter=interpreter, language=language, category=category)
    return interpreter


def request(start: dt.datetime = BEFORE_CUTOFF, **overrides: Any) -> BookingInput:
    base = BookingInput(
        language="ara",
        modality="onsite",
        start=start,
        end=start + dt.timedelta(hours=1),
        duty_basis="necessary",
        assessment_note="Samtale om rettigheter; språkbarriere vurdert av saksbehandler.",
        municipality="0301",
        address="Markveien 1, 0554 Oslo",
        topic_notes="Oppfølging av arbeidsavklaringspenger.",
    )
    return replace(base, **overrides)


def book(w: World, start: dt.datetime = BEFORE_CUTOFF, **overrides: Any) -> Any:
    # Booked a month ahead of its start, whatever the real date is.
    booking, _ = booking_create(user=w.booker, data=request(start, **overrides),
                                now=min(NOW, start - dt.timedelta(days=30)))
    return booking


def soon(days: int = 10) -> dt.datetime:
    """A start relative to the real clock, for tests that go through HTTP (no injected `now`)."""
    from django.utils import timezone

    local = timezone.localtime() + dt.timedelta(days=days)
    return local.replace(hour=10, minute=0, second=0, microsecond=0)


def assign_by_personal_offer(w: World, booking: Any, user: User, *, now: dt.datetime,
                             **kwargs: Any) -> Any:
    """The exception path for a registered interpreter: the coordinator's personal offer, accepted
    by the interpreter (`user`) with both declarations. Returns the assignment."""
    from booking.dispatch.services.exception_path import offer_send_personal
    from booking.dispatch.services.offers import offer_accept
    from booking.rules import Declarations

    offer = offer_send_personal(booking_id=booking.pk, user=w.coordinator,
                                register_number=user.interpreter.register_number, now=now,
                                **kwargs)
    return offer_accept(offer_id=offer.pk, user=user,
                        declarations=Declarations(impartial=True, confidentiality=True),
                        now=now)


def written_declaration(name: str, at: dt.datetime) -> Any:
    """An ad hoc interpreter's written §§ 15–16 declarations, given at `at`."""
    from booking.rules import WrittenDeclaration

    return WrittenDeclaration(declared_by=name, declared_at=at, impartial=True,
                              confidentiality=True)
