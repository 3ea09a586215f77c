"""Acute bookings: decided and stored when made, a larger first wave, short offer expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from booking.dispatch.services.bookings import booking_check, booking_create
from booking.dispatch.services.offers import offers_send_wave
from booking.models import AuditEntry, Booking, Event, Guideline
from tests.booking.booking_helpers import (
    BEFORE_CUTOFF,
    interpreter_user,
    qualified,
    request,
    soon,
    world,
)
from tests.conftest import client_for

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


@override_settings(**ACUTE)
def test_an_acute_onsite_booking_with_few_candidates_is_told_about_video_and_phone() -> None:
    w = world()
    qualified()  # comes on site, and also does video and phone
    for _ in range(3):
        qualified(offers_onsite=False, offers_phone=False)  # video only
    qualified(offers_onsite=False, offers_video=False)  # phone only
    start = BEFORE_CUTOFF
    acute = booking_check(user=w.booker, data=request(start), now=start - dt.timedelta(hours=5))
    assert acute["free_qualified_interpreters"] == 1
    assert acute["remote_suggestion"] == {"onsite": 1, "video": 4, "phone": 2}
    # Made in good time: no suggestion; nor for a remote booking.
    planned = booking_check(user=w.booker, data=request(start), now=start - dt.timedelta(days=3))
    assert planned["remote_suggestion"] is None
    video = booking_check(
        user=w.booker, data=request(start, modality="video", platform="Teams (helsenett)"),
        now=start - dt.timedelta(hours=5))
    assert video["remote_suggestion"] is None


@override_settings(**ACUTE)
def test_no_remote_suggestion_when_it_would_find_nobody_more_or_has_no_platform() -> None:
    w = world()
    for _ in range(2):
        qualified()  # on site, video and phone alike
    start, now = BEFORE_CUTOFF, BEFORE_CUTOFF - dt.timedelta(hours=5)
    assert booking_check(user=w.booker, data=request(start), now=now)["remote_suggestion"] is None
    qualified(offers_onsite=False)
    assert booking_check(user=w.booker, data=request(start), now=now)["remote_suggestion"] == {
        "onsite": 2, "video": 3, "phone": 3}
    # Without an approved platform remote interpreting is not possible (§ 8).
    Guideline.objects.filter(organisation=w.customer).update(remote_platforms=[])
    assert booking_check(user=w.booker, data=request(start), now=now)["remote_suggestion"] is None


@override_settings(**{**ACUTE, "TOLK_ACUTE_FIRST_WAVE": 2})
def test_enough_onsite_candidates_for_the_first_wave_need_no_suggestion() -> None:
    w = world()
    for _ in range(2):
        qualified()
    qualified(offers_onsite=False)
    start = BEFORE_CUTOFF
    check = booking_check(user=w.booker, data=request(start), now=start - dt.timedelta(hours=5))
    assert check["remote_suggestion"] is None


@override_settings(**ACUTE)
def test_the_interpreter_is_told_the_offer_is_acute() -> None:
    w = world()
    user = interpreter_user()
    # The offer list shows offers not yet expired by the real clock.
    start = soon(5)
    acute, _ = booking_create(user=w.booker, data=request(start),
                              now=start - dt.timedelta(hours=5))
    offers_send_wave(booking_id=acute.pk, user=w.coordinator, now=start - dt.timedelta(hours=5))
    event = Event.objects.get(kind="offer.created", interpreter_id=user.interpreter_id)
    assert event.payload["acute"] is True
    (item,) = client_for(user).get("/api/v1/offers/").json()["results"]
    assert item["acute"] is True
