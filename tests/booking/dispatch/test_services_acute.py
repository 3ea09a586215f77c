"""Acute bookings: decided and stored when made, a larger first wave, short offer expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from booking.dispatch.services.bookings import booking_check, booking_create
from booking.dispatch.services.offers import offers_send_wave
from booking.models import AuditEntry, Booking
from tests.booking.booking_helpers import BEFORE_CUTOFF, qualified, request, world

pytestmark = pytest.mark.django_db
ACUTE = {"TOLK_ACUTE_HOURS": 24, "TOLK_ACUTE_FIRST_WAVE": 8, "TOLK_ACUTE_OFFER_MINUTES": 10,
         "TOLK_OFFER_WAVE_SIZE": 3, "TOLK_OFFER_MINUTES": 60}


@override_settings(**ACUTE)
def test_a_booking_made_inside_the_acute_hours_is_acute_and_stays_so() -> None:
    w = world()
    start = BEFORE_CUTOFF
    acute, _ = booking_create(user=w.booker, data=request(start),
                              now=start - dt.timedelta(hours=5))
    planned, _ = booking_create(user=w.booker, data=request(start, case_reference="B"),
                                now=start - dt.timedelta(days=3))
    assert acute.acute and not planned.acute
    # Stored: what was decided when it was made, not recomputed as the start comes closer.
    assert Booking.objects.get(pk=planned.pk).acute is False
    assert Booking.objects.get(pk=acute.pk).acute is True
    created = AuditEntry.objects.get(booking=acute, action="created")
    assert created.details["acute"] is True


@override_settings(**ACUTE)
def test_the_check_says_whether_the_booking_would_be_acute() -> None:
    w = world()
    start = BEFORE_CUTOFF
    assert booking_check(user=w.booker, data=request(start),
                         now=start - dt.timedelta(hours=5))["acute"] is True
    assert booking_check(user=w.booker, data=request(start),
                         now=start - dt.timedelta(days=2))["acute"] is False


@override_settings(**ACUTE)
def test_an_acute_first_wave_is_larger_and_its_offers_expire_sooner() -> None:
    w = world()
    for _ in range(12):
        qualified()
    start = BEFORE_CUTOFF
    now = start - dt.timedelta(hours=5)
    acute, _ = booking_create(user=w.booker, data=request(start), now=now)
    first = offers_send_wave(booking_id=acute.pk, user=w.coordinator, now=now)
    assert len(first) == 8
    assert {o.expires_at for o in first} == {now + dt.timedelta(minutes=10)}
    # Later waves are the usual size, still with the short expiry.
    later = now + dt.timedelta(minutes=11)
    second = offers_send_wave(booking_id=acute.pk, user=w.coordinator, now=later)
    assert len(second) == 3
    assert {o.expires_at for o in second} == {later + dt.timedelta(minutes=10)}
    # A booking made in good time: the usual wave and expiry.
    made = start - dt.timedelta(days=3)
    planned, _ = booking_create(user=w.booker, data=request(start, case_reference="B"), now=made)
    usual = offers_send_wave(booking_id=planned.pk, user=w.coordinator, now=made)
    assert len(usual) == 3
    assert {o.expires_at for o in usual} == {made + dt.timedelta(minutes=60)}
    # The coordinator who names a number gets that number, acute or not.
    named = offers_send_wave(booking_id=acute.pk, user=w.coordinator, limit=1, now=later)
    assert len(named) == 1
