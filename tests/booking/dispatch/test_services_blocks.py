"""§ 16 blocks: who may block, what a block does to candidates, offers and future assignments,
and that nothing changes when the input is refused."""

from __future__ import annotations

import pytest

from booking.dispatch.selectors import booking_candidates
from booking.dispatch.services.blocks import interpreter_block_create, interpreter_block_delete
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.models import (
    Assignment,
    AssignmentStatus,
    AuditEntry,
    BookingStatus,
    Event,
    InterpreterBlock,
    Offer,
    OfferStatus,
)
from booking.rules import Declarations
from tests import factories
from tests.booking.booking_helpers import NOW, book, interpreter_user, world
from tolk.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db
YES = Declarations(impartial=True, confidentiality=True)
REASON = "Tolken er i slekt med parten i saken."


def test_block_for_a_case_removes_the_interpreter_from_that_case_only() -> None:
    w = world()
    blocked, other = interpreter_user(), interpreter_user()
    case = book(w, case_reference="2026/123")
    elsewhere = book(w, case_reference="2026/999")
    interpreter_block_create(user=w.booker, register_number=blocked.interpreter.register_number,
                             case_reference="2026/123", reason=REASON, now=NOW)
    assert [c.interpreter_id for c in booking_candidates(booking=case, now=NOW)] == \
        [other.interpreter_id]
    assert {c.interpreter_id for c in booking_candidates(booking=elsewhere, now=NOW)} == \
        {blocked.interpreter_id, other.interpreter_id}


def test_organisation_wide_block_reopens_a_future_assignment_and_offers_it_again() -> None:
    w = world()
    blocked, other = interpreter_user(), interpreter_user()
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    mine = next(o for o in offers if o.interpreter_id == blocked.interpreter_id)
    offer_accept(offer_id=mine.pk, user=blocked, declarations=YES, now=NOW)
    result = interpreter_block_create(
        user=w.booker, register_number=blocked.interpreter.register_number, reason=REASON,
        now=NOW,
    )
    assert result.reopened_assignments == 1
    assert Assignment.objects.get(interpreter_id=blocked.interpreter_id).status == \
        AssignmentStatus.REOPENED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    pending = Offer.objects.filter(booking=booking, status=OfferStatus.PENDING)
    assert [o.interpreter_id for o in pending] == [other.interpreter_id]
    entry = AuditEntry.objects.filter(booking=booking, action="blocked_reopened").get()
    assert entry.actor == w.booker and REASON in entry.reason


def test_block_withdraws_a_pending_offer_and_the_next_wave_goes_out() -> None:
    w = world()
    blocked = interpreter_user()
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=1, now=NOW)
    assert offer.interpreter_id == blocked.interpreter_id
    result = interpreter_block_create(
        user=w.booker, register_number=blocked.interpreter.register_number, reason=REASON,
        now=NOW,
    )
    assert result.withdrawn_offers == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    booking.refresh_from_db()
    # Nobody else is qualified: the next wave finds no one and the booking is unfilled.
    assert booking.status == BookingStatus.UNFILLED


def test_block_tells_the_interpreter_the_offer_went_because_of_the_block() -> None:
    w = world()
    blocked, other = interpreter_user(), interpreter_user()
    booking = book(w)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    mine = next(o for o in offers if o.interpreter_id == blocked.interpreter_id)
    interpreter_block_create(
        user=w.booker, register_number=blocked.interpreter.register_number, reason=REASON,
        now=NOW,
    )
    (event,) = Event.objects.filter(kind="offer.withdrawn")
    assert event.interpreter_id == blocked.interpreter_id
    assert event.payload == {"offer_id": mine.pk, "booking_id": booking.pk, "reason": "blocked"}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.OFFERED
    assert Offer.objects.get(booking=booking, interpreter=other.interpreter).status == \
        OfferStatus.PENDING


def test_another_organisations_bookings_are_untouched() -> None:
    w, other_org = world(), world()
    interpreter = interpreter_user()
    theirs = book(other_org)
    (offer,) = offers_send_wave(booking_id=theirs.pk, user=other_org.coordinator, now=NOW)
    offer_accept(offer_id=offer.pk, user=interpreter, declarations=YES, now=NOW)
    result = interpreter_block_create(
        user=w.booker, register_number=interpreter.interpreter.register_number, reason=REASON,
        now=NOW,
    )
    assert (result.withdrawn_offers, result.reopened_assignments) == (0, 0)
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.ASSIGNED


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"reason": "kort"}, ValidationFailed, "block_reason_required"),
        ({"register_number": "X-404"}, NotFoundError, "interpreter_not_found"),
        ({"case_reference": "x" * 65}, ValidationFailed, "invalid"),
    ],
)
def test_bad_input_changes_nothing(kwargs: dict, error: type, code: str) -> None:
    w = world()
    interpreter = interpreter_user()
    values = {"register_number": interpreter.interpreter.register_number, "reason": REASON,
              **kwargs}
    with pytest.raises(error) as exc:
        interpreter_block_create(user=w.booker, now=NOW, **values)
    assert exc.value.code == code
    assert not InterpreterBlock.objects.exists()


def test_the_same_block_twice_is_a_conflict() -> None:
    w = world()
    number = interpreter_user().interpreter.register_number
    interpreter_block_create(user=w.booker, register_number=number, reason=REASON, now=NOW)
    with pytest.raises(ConflictError) as exc:
        interpreter_block_create(user=w.booker, register_number=number, reason=REASON, now=NOW)
    assert exc.value.code == "block_exists"
    assert InterpreterBlock.objects.count() == 1


def test_only_bookers_and_admins_block_and_admins_name_the_organisation() -> None:
    w = world()
    number = interpreter_user().interpreter.register_number
    with pytest.raises(PermissionDeniedError):
        interpreter_block_create(user=w.coordinator, register_number=number, reason=REASON)
    admin = factories.AdminFactory()
    with pytest.raises(ValidationFailed) as exc:
        interpreter_block_create(user=admin, register_number=number, reason=REASON)
    assert exc.value.code == "organisation_required"
    block = interpreter_block_create(
        user=admin, register_number=number, reason=REASON,
        organisation_number=w.customer.org_number,
    ).block
    assert block.organisation == w.customer and block.created_by == admin


def test_a_booker_cannot_block_for_another_organisation() -> None:
    w, other = world(), world()
    number = interpreter_user().interpreter.register_number
    with pytest.raises(NotFoundError):
        interpreter_block_create(user=w.booker, register_number=number, reason=REASON,
                                 organisation_number=other.customer.org_number)
    assert not InterpreterBlock.objects.exists()


def test_lifting_a_block_is_for_the_organisation_only() -> None:
    w, other = world(), world()
    number = interpreter_user().interpreter.register_number
    block = interpreter_block_create(user=w.booker, register_number=number, reason=REASON,
                                     now=NOW).block
    with pytest.raises(NotFoundError):
        interpreter_block_delete(user=other.booker, block_id=block.pk)
    interpreter_block_delete(user=w.booker, block_id=block.pk)
    assert not InterpreterBlock.objects.exists()
