"""Offer waves, accept (first valid accept wins), decline, expiry and unfilled."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.dispatch.services.offers import (
    offer_accept,
    offer_decline,
    offers_expire_due,
    offers_send_wave,
)
from booking.models import (
    Assignment,
    AuditEntry,
    BookingStatus,
    Event,
    Offer,
    OfferStatus,
)
from booking.rules import TL14_LANGUAGE, TL15_CONFIDENTIALITY, TL16_IMPARTIALITY, Declarations
from booking.signals import booking_finished
from tests import factories
from tests.booking.booking_helpers import NOW, book, interpreter_user, world
from tolk.errors import ConflictError, NotFoundError, ValidationFailed

pytestmark = pytest.mark.django_db
YES = Declarations(impartial=True, confidentiality=True)


def test_wave_goes_to_top_candidates_and_first_accept_wins() -> None:
    w = world()
    users = [interpreter_user(category=c) for c in ("C", "A", "B")]
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=2, now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    offered = {o.interpreter_id for o in offers}
    assert offered == {users[1].interpreter_id, users[2].interpreter_id}  # A and B, not C
    assert Event.objects.filter(kind="offer.created").count() == 2

    by_a = Offer.objects.get(booking=booking, interpreter_id=users[1].interpreter_id)
    by_b = Offer.objects.get(booking=booking, interpreter_id=users[2].interpreter_id)
    assignment = offer_accept(offer_id=by_b.pk, user=users[2], declarations=YES, now=NOW)
    assert assignment.category == "B"
    assert assignment.basis == "qualified"
    assert assignment.declared_impartial and assignment.declared_confidentiality
    by_a.refresh_from_db()
    assert by_a.status == OfferStatus.WITHDRAWN
    withdrawn = Event.objects.get(kind="offer.withdrawn", interpreter_id=users[1].interpreter_id)
    assert withdrawn.payload["reason"] == "taken"
    with pytest.raises(ConflictError) as err:
        offer_accept(offer_id=by_a.pk, user=users[1], declarations=YES, now=NOW)
    assert err.value.code == "booking_already_assigned"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED
    assert Assignment.objects.filter(booking=booking).count() == 1
    assert list(AuditEntry.objects.filter(booking=booking).values_list("action", flat=True)) == [
        "created", "offers_sent", "accepted"
    ]


def test_offer_payload_has_no_person_data_and_the_booking_facts() -> None:
    w = world()
    user = interpreter_user()
    booking = book(w)
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    event = Event.objects.get(kind="offer.created", interpreter_id=user.interpreter_id)
    assert event.payload["booking_id"] == booking.pk
    assert event.payload["language"] == "ara"
    assert event.payload["address"] == "Markveien 1, 0554 Oslo"
    assert "case_reference" not in event.payload
    assert "assessment_note" not in event.payload


def test_declarations_are_required() -> None:
    w = world()
    user = interpreter_user()
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    with pytest.raises(ValidationFailed) as err:
        offer_accept(offer_id=offer.pk, user=user,
                     declarations=Declarations(impartial=False, confidentiality=True), now=NOW)
    assert err.value.code == TL16_IMPARTIALITY
    with pytest.raises(ValidationFailed) as err:
        offer_accept(offer_id=offer.pk, user=user,
                     declarations=Declarations(impartial=True, confidentiality=False), now=NOW)
    assert err.value.code == TL15_CONFIDENTIALITY
    assert not Assignment.objects.exists()


def test_accept_rechecks_the_register_on_the_day() -> None:
    w = world()
    user = interpreter_user()
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    factories.StatusEventFactory(interpreter=user.interpreter, valid_from=dt.date(2026, 6, 1))
    with pytest.raises(ValidationFailed) as err:
        offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    assert err.value.code == TL14_LANGUAGE


def test_someone_elses_offer_is_not_found() -> None:
    w = world()
    interpreter_user()
    other = interpreter_user()
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    mine = next(o for o in offers if o.interpreter_id != other.interpreter_id)
    with pytest.raises(NotFoundError):
        offer_accept(offer_id=mine.pk, user=other, declarations=YES, now=NOW)


def test_decline_of_the_last_offer_sends_the_next_wave_then_unfilled() -> None:
    w = world()
    first, second = interpreter_user(category="A"), interpreter_user(category="B")
    booking = book(w)
    finished: list[int] = []

    def on_finished(sender: object, booking: object, **kwargs: object) -> None:
        finished.append(booking.pk)  # type: ignore[attr-defined]

    booking_finished.connect(on_finished)
    try:
        (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=1, now=NOW)
        assert offer.interpreter_id == first.interpreter_id
        offer_decline(offer_id=offer.pk, user=first, reason="Opptatt", now=NOW)
        nxt = Offer.objects.get(booking=booking, status=OfferStatus.PENDING)
        assert nxt.interpreter_id == second.interpreter_id
        assert nxt.wave == 2
        offer_decline(offer_id=nxt.pk, user=second, now=NOW)
    finally:
        booking_finished.disconnect(on_finished)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNFILLED
    assert finished == [booking.pk]


def test_expiry_withdraws_and_moves_on() -> None:
    w = world()
    first, second = interpreter_user(category="A"), interpreter_user(category="B")
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=1, now=NOW)
    assert offers_expire_due(now=NOW) == 0
    later = NOW + dt.timedelta(hours=2)
    assert offers_expire_due(now=later) == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert Event.objects.get(kind="offer.withdrawn").payload["reason"] == "expired"
    pending = Offer.objects.get(booking=booking, status=OfferStatus.PENDING)
    assert pending.interpreter_id == second.interpreter_id
    with pytest.raises(ConflictError) as err:
        offer_accept(offer_id=offer.pk, user=first, declarations=YES, now=later)
    assert err.value.code == "offer_not_pending"


def test_no_candidates_means_unfilled() -> None:
    w = world()
    interpreter_user(language="tir")
    booking = book(w)
    assert offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW) == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.UNFILLED


def test_only_the_provider_coordinator_can_send_offers() -> None:
    w = world()
    interpreter_user()
    booking = book(w)
    other = factories.CoordinatorFactory()
    with pytest.raises(NotFoundError):
        offers_send_wave(booking_id=booking.pk, user=other, now=NOW)
    with pytest.raises(NotFoundError):
        offers_send_wave(booking_id=booking.pk, user=w.booker, now=NOW)


def test_coordinator_can_offer_to_chosen_candidates_only() -> None:
    w = world()
    top, chosen = interpreter_user(category="A"), interpreter_user(category="C")
    not_qualified = interpreter_user(language="tir")
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW,
                              register_numbers=[chosen.interpreter.register_number])
    assert [o.interpreter_id for o in offers] == [chosen.interpreter_id]
    with pytest.raises(ValidationFailed) as err:
        offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW,
                         register_numbers=[not_qualified.interpreter.register_number])
    assert err.value.code == "not_a_candidate"
    assert not Offer.objects.filter(interpreter_id=top.interpreter_id).exists()


def test_limit_is_bounded() -> None:
    w = world()
    booking = book(w)
    with pytest.raises(ValidationFailed):
        offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=0, now=NOW)
