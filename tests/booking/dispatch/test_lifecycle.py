"""The booking lifecycle: the transition tables of bookings, offers and assignments, and the one
way a status is written (refused before anything is written when the table does not list it)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.db import transaction

from booking.dispatch import lifecycle
from booking.dispatch.lifecycle import (
    ASSIGNMENT_TRANSITIONS,
    BOOKING_TRANSITIONS,
    OFFER_TRANSITIONS,
    IllegalTransition,
    assignment_end,
    booking_sources,
    booking_transition,
    offer_close,
    offer_reissue,
    offer_transition,
    transition_allowed,
)
from booking.dispatch.services.exception_path import EXCEPTION_PATH_STATUSES
from booking.dispatch.services.offers import offer_accept, offers_expire_due, offers_send_wave
from booking.dispatch.services.recheck import recheck_daily_due
from booking.dispatch.services.waves import booking_mark_unfilled, offers_send_wave_locked
from booking.models import (
    FINAL_BOOKING_STATUSES,
    Assignment,
    AssignmentStatus,
    AuditEntry,
    Booking,
    BookingStatus,
    Event,
    Offer,
    OfferStatus,
    User,
)
from booking.realtime import relay as realtime
from booking.rules import Declarations
from booking.signals import booking_finished, booking_reopened
from tests.booking.booking_helpers import NOW, book, interpreter_user, world

YES = Declarations(impartial=True, confidentiality=True)
TABLES = {
    "booking": (BOOKING_TRANSITIONS, BookingStatus.values),
    "offer": (OFFER_TRANSITIONS, OfferStatus.values),
    "assignment": (ASSIGNMENT_TRANSITIONS, AssignmentStatus.values),
}


def _allowed(entity: str) -> list[tuple[str, str]]:
    table, _ = TABLES[entity]
    return [(f, t) for f, targets in table.items() for t in sorted(targets)]


def _refused(entity: str) -> list[tuple[str, str]]:
    table, values = TABLES[entity]
    return [(f, t) for f, t in itertools.product(values, values) if t not in table[f]]


# --- the tables (pure) -------------------------------------------------------------------------


@pytest.mark.parametrize("entity", sorted(TABLES))
def test_every_status_has_a_row_and_every_target_is_a_status(entity: str) -> None:
    table, values = TABLES[entity]
    assert set(table) == set(values)
    for targets in table.values():
        assert targets <= set(values)


def test_the_tables_list_exactly_the_moves_of_the_lifecycle() -> None:
    B, OS, A = BookingStatus, OfferStatus, AssignmentStatus
    assert set(_allowed("booking")) == {
        (B.OPEN, B.OFFERED), (B.OPEN, B.ASSIGNED), (B.OPEN, B.UNFILLED), (B.OPEN, B.CANCELLED),
        (B.OFFERED, B.ASSIGNED), (B.OFFERED, B.UNFILLED), (B.OFFERED, B.CANCELLED),
        (B.ASSIGNED, B.COMPLETED), (B.ASSIGNED, B.CANCELLED), (B.ASSIGNED, B.OPEN),
        (B.UNFILLED, B.OFFERED), (B.UNFILLED, B.ASSIGNED),
    }
    assert set(_allowed("offer")) == {
        (OS.PENDING, OS.ACCEPTED), (OS.PENDING, OS.DECLINED), (OS.PENDING, OS.WITHDRAWN),
        (OS.PENDING, OS.EXPIRED), (OS.WITHDRAWN, OS.PENDING), (OS.DECLINED, OS.PENDING),
        (OS.EXPIRED, OS.PENDING),
    }
    assert set(_allowed("assignment")) == {
        (A.ACTIVE, A.COMPLETED), (A.ACTIVE, A.CANCELLED), (A.ACTIVE, A.REOPENED),
    }


@pytest.mark.parametrize(("entity", "pair"),
                         [(e, p) for e in sorted(TABLES) for p in _allowed(e)])
def test_allowed_moves_pass(entity: str, pair: tuple[str, str]) -> None:
    assert transition_allowed(entity=entity, from_status=pair[0], to_status=pair[1])
    lifecycle.transition_require(entity=entity, from_status=pair[0], to_status=pair[1])


@pytest.mark.parametrize(("entity", "pair"),
                         [(e, p) for e in sorted(TABLES) for p in _refused(e)])
def test_every_other_move_is_refused(entity: str, pair: tuple[str, str]) -> None:
    assert not transition_allowed(entity=entity, from_status=pair[0], to_status=pair[1])
    with pytest.raises(IllegalTransition) as err:
        lifecycle.transition_require(entity=entity, from_status=pair[0], to_status=pair[1])
    assert err.value.status_code == 409
    assert err.value.as_dict()["code"] == "illegal_transition"
    assert err.value.fields == {"status": pair[0], "to_status": pair[1]}


@pytest.mark.parametrize(("entity", "from_status", "to_status"), [
    ("booking", BookingStatus.COMPLETED, BookingStatus.OPEN),
    ("booking", BookingStatus.CANCELLED, BookingStatus.ASSIGNED),
    ("booking", BookingStatus.OPEN, BookingStatus.COMPLETED),
    ("booking", BookingStatus.UNFILLED, BookingStatus.CANCELLED),
    ("booking", BookingStatus.OFFERED, BookingStatus.OFFERED),
    ("offer", OfferStatus.ACCEPTED, OfferStatus.WITHDRAWN),
    ("offer", OfferStatus.EXPIRED, OfferStatus.ACCEPTED),
    ("offer", OfferStatus.DECLINED, OfferStatus.WITHDRAWN),
    ("assignment", AssignmentStatus.COMPLETED, AssignmentStatus.CANCELLED),
    ("assignment", AssignmentStatus.REOPENED, AssignmentStatus.ACTIVE),
    ("booking", "", BookingStatus.OPEN),  # unknown starting state
])
def test_a_sample_of_refused_moves(entity: str, from_status: str, to_status: str) -> None:
    assert not transition_allowed(entity=entity, from_status=from_status, to_status=to_status)


def test_starting_states_of_the_operations_come_from_the_table() -> None:
    assert booking_sources(BookingStatus.CANCELLED) == {
        BookingStatus.OPEN, BookingStatus.OFFERED, BookingStatus.ASSIGNED
    }
    assert not booking_sources(BookingStatus.CANCELLED) & set(FINAL_BOOKING_STATUSES)
    assert booking_sources(BookingStatus.COMPLETED) == {BookingStatus.ASSIGNED}
    assert set(EXCEPTION_PATH_STATUSES) == {
        BookingStatus.OPEN, BookingStatus.OFFERED, BookingStatus.UNFILLED
    }


@pytest.mark.parametrize(("entity", "in_bokmal"), [
    ("booking", "bestillingen"), ("offer", "tilbudet"), ("assignment", "tildelingen"),
])
def test_the_error_names_the_entity_in_both_languages(entity: str, in_bokmal: str) -> None:
    err = IllegalTransition(entity=entity, from_status="accepted", to_status="pending")
    assert (err.code, err.status_code) == ("illegal_transition", 409)
    assert err.message_en == f"The {entity} cannot change from 'accepted' to 'pending'."
    assert err.message_nb == (
        f"Statusen til {in_bokmal} kan ikke endres fra «accepted» til «pending»."
    )


# --- writing through the lifecycle -------------------------------------------------------------


def _booking_in(status: str) -> Booking:
    booking = book(world())
    Booking.objects.filter(pk=booking.pk).update(status=status)
    booking.refresh_from_db()
    return booking


@pytest.mark.django_db
@pytest.mark.parametrize("pair", _allowed("booking"))
def test_each_allowed_booking_move_is_written_with_audit_event_and_signal(
    pair: tuple[str, str],
) -> None:
    from_status, to_status = pair
    booking = _booking_in(from_status)
    finished, reopened = [], []

    def on_finished(sender: object, booking: Booking, **kwargs: object) -> None:
        finished.append(booking.pk)

    def on_reopened(sender: object, booking: Booking, **kwargs: object) -> None:
        reopened.append(booking.pk)

    booking_finished.connect(on_finished)
    booking_reopened.connect(on_reopened)
    try:
        with transaction.atomic():
            booking_transition(booking=booking, to_status=to_status, actor=None, action="test")
    finally:
        booking_finished.disconnect(on_finished)
        booking_reopened.disconnect(on_reopened)
    booking.refresh_from_db()
    assert booking.status == to_status
    entry = AuditEntry.objects.filter(booking=booking).latest("id")
    assert (entry.action, entry.from_status, entry.to_status) == ("test", from_status, to_status)
    event = Event.objects.filter(kind="booking.changed").latest("id")
    assert (event.payload["from"], event.payload["to"]) == (from_status, to_status)
    assert (booking.finished_at is not None) == (to_status in FINAL_BOOKING_STATUSES)
    assert finished == ([booking.pk] if to_status in FINAL_BOOKING_STATUSES else [])
    assert reopened == ([booking.pk] if from_status in FINAL_BOOKING_STATUSES else [])


@pytest.mark.django_db
@pytest.mark.parametrize("pair", [
    (BookingStatus.COMPLETED, BookingStatus.OPEN),
    (BookingStatus.CANCELLED, BookingStatus.OFFERED),
    (BookingStatus.OPEN, BookingStatus.COMPLETED),
])
def test_a_refused_booking_move_writes_nothing(pair: tuple[str, str]) -> None:
    booking = _booking_in(pair[0])
    audits, events = AuditEntry.objects.count(), Event.objects.count()
    with pytest.raises(IllegalTransition):
        booking_transition(booking=booking, to_status=pair[1], actor=None, action="test")
    booking.refresh_from_db()
    assert booking.status == pair[0]
    assert (AuditEntry.objects.count(), Event.objects.count()) == (audits, events)


def _pending_offer() -> tuple[Booking, Offer]:
    w = world()
    user = interpreter_user()
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=1, now=NOW)
    assert offer.interpreter_id == user.interpreter_id
    booking.refresh_from_db()
    return booking, offer


@pytest.mark.django_db
@pytest.mark.parametrize(("reason", "status", "told"), [
    ("taken", OfferStatus.WITHDRAWN, True),
    ("cancelled", OfferStatus.WITHDRAWN, True),
    ("rules", OfferStatus.WITHDRAWN, True),
    ("expired", OfferStatus.EXPIRED, True),
    ("declined", OfferStatus.DECLINED, False),
])
def test_closing_an_offer_sets_its_status_and_tells_the_interpreter(
    reason: str, status: str, told: bool,
) -> None:
    booking, offer = _pending_offer()
    offer_close(offer=offer, booking=booking, reason=reason, now=NOW, extra={"rule": "x"},
                decline_reason="  busy  ")
    offer.refresh_from_db()
    assert offer.status == status
    assert offer.responded_at == NOW
    events = Event.objects.filter(kind="offer.withdrawn", interpreter_id=offer.interpreter_id)
    if told:
        (event,) = events
        assert event.payload == {"offer_id": offer.pk, "booking_id": booking.pk,
                                 "reason": reason, "rule": "x"}
    else:
        assert not events.exists()
        assert offer.decline_reason == "busy"
    # Closed once: closing again is an illegal move, not a second event.
    with pytest.raises(IllegalTransition):
        offer_close(offer=offer, booking=booking, reason="taken", now=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("closed", [OfferStatus.WITHDRAWN, OfferStatus.DECLINED,
                                    OfferStatus.EXPIRED])
def test_a_closed_offer_is_issued_again(closed: str) -> None:
    booking, offer = _pending_offer()
    offer_transition(offer=offer, to_status=closed, now=NOW)
    later = NOW + dt.timedelta(minutes=5)
    offer_reissue(offer=offer, values={"wave": 7, "responded_at": None, "expires_at": later})
    offer.refresh_from_db()
    assert (offer.status, offer.wave, offer.responded_at) == (OfferStatus.PENDING, 7, None)


@pytest.mark.django_db
def test_an_accepted_offer_is_never_issued_again() -> None:
    booking, offer = _pending_offer()
    offer_transition(offer=offer, to_status=OfferStatus.ACCEPTED, now=NOW)
    with pytest.raises(IllegalTransition):
        offer_reissue(offer=offer, values={"wave": 9})
    offer.refresh_from_db()
    assert (offer.status, offer.wave) == (OfferStatus.ACCEPTED, booking.wave)


def _active_assignment() -> Assignment:
    booking, offer = _pending_offer()
    user = User.objects.get(interpreter_id=offer.interpreter_id)
    return offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("to_status", [AssignmentStatus.COMPLETED, AssignmentStatus.CANCELLED,
                                       AssignmentStatus.REOPENED])
def test_each_allowed_assignment_move_ends_it_and_tells_the_interpreter(to_status: str) -> None:
    assignment = _active_assignment()
    assignment_end(assignment=assignment, to_status=to_status, now=NOW, reason="why")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.ended_at, assignment.end_reason) == (
        to_status, NOW, "why")
    event = Event.objects.filter(kind="assignment.changed").latest("id")
    assert (event.payload["change"], event.payload["status"]) == (to_status, to_status)
    with pytest.raises(IllegalTransition):
        assignment_end(assignment=assignment, to_status=AssignmentStatus.CANCELLED, now=NOW)


# --- at service level --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_service_refuses_an_illegal_move_and_rolls_back() -> None:
    """Before the lifecycle, a wave on a cancelled booking whose start had passed wrote
    `cancelled → unfilled` silently; now it is a 409 and nothing changes."""
    booking = _booking_in(BookingStatus.CANCELLED)
    audits, events = AuditEntry.objects.count(), Event.objects.count()
    after_start = booking.start + dt.timedelta(minutes=1)
    with pytest.raises(IllegalTransition) as err, transaction.atomic():
        offers_send_wave_locked(booking=booking, actor=None, limit=None, now=after_start)
    assert err.value.as_dict()["code"] == "illegal_transition"
    assert err.value.status_code == 409
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert (AuditEntry.objects.count(), Event.objects.count()) == (audits, events)
    with pytest.raises(IllegalTransition):
        booking_mark_unfilled(booking, actor=None, reason="no candidates left")


@pytest.mark.django_db
def test_offer_expiry_still_closes_with_the_expired_reason() -> None:
    booking, offer = _pending_offer()
    expired = offers_expire_due(now=offer.expires_at)
    assert expired == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    event = Event.objects.get(kind="offer.withdrawn", interpreter_id=offer.interpreter_id)
    assert event.payload["reason"] == "expired"


def test_the_relay_runs_the_services_registered_when_the_app_is_ready() -> None:
    assert realtime._expire_offers is offers_expire_due
    assert realtime._daily_recheck is recheck_daily_due


def test_the_import_contracts_hold() -> None:
    # Every contract in pyproject.toml: the lifecycle and the service core, and the layers of the
    # apps, the domains and the reference data (the suite is what CI runs).
    cli = pytest.importorskip("importlinter.cli")
    root = Path(__file__).resolve().parents[3]
    assert cli.lint_imports(
        config_filename=str(root / "pyproject.toml"), no_cache=True,
    ) == cli.EXIT_STATUS_SUCCESS
