"""Time to fill: recorded when a booking becomes assigned (from when it was made to the accepting
moment, real time), and its p50/p90 per provider, acute and not."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.dispatch.selectors import fill_times_of, time_to_fill_by_acute
from booking.dispatch.services.bookings import assignment_cancel_by_interpreter
from booking.dispatch.services.exception_path import assignment_record_adhoc
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.models import Booking
from booking.rules import Declarations, ExceptionRecord
from tests.booking.booking_helpers import (
    BEFORE_CUTOFF,
    NOW,
    book,
    interpreter_user,
    world,
    written_declaration,
)

pytestmark = pytest.mark.django_db
YES = Declarations(impartial=True, confidentiality=True)


def _made_at(booking: Booking, at: dt.datetime) -> Booking:
    Booking.objects.filter(pk=booking.pk).update(created_at=at)
    booking.refresh_from_db()
    return booking


def test_accepting_records_the_time_from_the_booking_to_the_acceptance() -> None:
    w = world()
    first, second = interpreter_user(), interpreter_user()
    booking = _made_at(book(w), NOW)
    accepted = NOW + dt.timedelta(minutes=42, seconds=30)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    mine = next(o for o in offers if o.interpreter_id == first.interpreter_id)
    offer_accept(offer_id=mine.pk, user=first, declarations=YES, now=accepted)
    booking.refresh_from_db()
    assert booking.filled_at == accepted
    assert booking.time_to_fill_seconds == 42 * 60 + 30
    # Given back and taken again: the interpreter who holds it counts.
    later = accepted + dt.timedelta(hours=2)
    assignment_cancel_by_interpreter(booking_id=booking.pk, user=first, now=later)
    other = next(o for o in booking.offers.filter(status="pending")
                 if o.interpreter_id == second.interpreter_id)
    offer_accept(offer_id=other.pk, user=second, declarations=YES,
                 now=later + dt.timedelta(minutes=5))
    booking.refresh_from_db()
    assert booking.time_to_fill_seconds == (2 * 60 + 47) * 60 + 30


def test_the_exception_path_records_it_too() -> None:
    w = world()
    booking = _made_at(book(w, start=BEFORE_CUTOFF), NOW)
    at = NOW + dt.timedelta(hours=3)
    assignment_record_adhoc(
        booking_id=booking.pk, user=w.coordinator, adhoc_name="Kari Hansen", adhoc_age=40,
        exception=ExceptionRecord(ground="cannot_wait", justification="Ingen ledig i dag.",
                                  decided_by="Leder"),
        written_declaration=written_declaration("Kari Hansen", at), now=at,
    )
    booking.refresh_from_db()
    assert booking.status == "assigned" and booking.time_to_fill_seconds == 3 * 3600


def test_percentiles_by_nearest_rank() -> None:
    minutes = [m * 60 for m in range(1, 11)]  # 1..10 minutes
    times = fill_times_of(list(reversed(minutes)))
    assert (times.count, times.p50_minutes, times.p90_minutes) == (10, 5, 9)
    one = fill_times_of([125])
    assert (one.count, one.p50_minutes, one.p90_minutes) == (1, 2, 2)
    assert fill_times_of([]).p50_minutes is None


def test_summary_is_the_providers_own_recent_bookings_acute_and_not() -> None:
    w, other = world(), world()
    since = NOW - dt.timedelta(days=30)
    rows = [(w, True, 600, NOW), (w, True, 1200, NOW), (w, False, 7200, NOW),
            (w, False, 60, since - dt.timedelta(days=1)), (other, False, 30, NOW)]
    for owner, acute, seconds, filled in rows:
        b = book(owner)
        Booking.objects.filter(pk=b.pk).update(acute=acute, time_to_fill_seconds=seconds,
                                               filled_at=filled)
    summary = time_to_fill_by_acute(provider_id=w.provider.pk, since=since)
    assert (summary[True].count, summary[True].p50_minutes, summary[True].p90_minutes) == (
        2, 10, 20)
    assert (summary[False].count, summary[False].p50_minutes) == (1, 120)


def test_the_booking_api_gives_the_time_to_fill_to_staff() -> None:
    from tests.conftest import client_for

    w = world()
    user = interpreter_user()
    booking = _made_at(book(w), NOW)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    offer_accept(offer_id=offer.pk, user=user, declarations=YES,
                 now=NOW + dt.timedelta(minutes=3))
    data = client_for(w.booker).get(f"/api/v1/bookings/{booking.pk}/").json()
    assert data["time_to_fill_seconds"] == 180
    assert data["filled_at"] == "2026-06-01T07:03:00Z"
    seen = client_for(user).get(f"/api/v1/bookings/{booking.pk}/")
    assert seen.status_code == 200
    assert "time_to_fill_seconds" not in seen.json() and seen.json()["acute"] is False
