"""Booking times across Norway's clock changes: durations are instants apart (UTC), never wall-clock
times apart; a time without an offset is Oslo time, and one that does not exist or exists twice on
a change day is refused with its own code."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.dispatch.services.bookings import booking_cancel, booking_complete, booking_prepare
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.models import Booking
from booking.rules import Declarations, times
from stats.models import AssignmentFact
from tests import factories
from tests.booking.booking_helpers import World, book, qualified, request, world
from tests.conftest import client_for
from tolk.errors import ValidationFailed
from tolk.times import local_instant, minutes_between

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC
URL = "/api/v1/bookings/"
# The clock changes in Europe/Oslo, as instants: spring forward 01:00 UTC (02:00 → 03:00 local),
# fall back 01:00 UTC (03:00 → 02:00 local).
CHANGES = [
    dt.datetime(2026, 3, 29, 1, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, tzinfo=UTC),
    dt.datetime(2027, 3, 28, 1, tzinfo=UTC), dt.datetime(2027, 10, 31, 1, tzinfo=UTC),
    dt.datetime(2028, 3, 26, 1, tzinfo=UTC), dt.datetime(2028, 10, 29, 1, tzinfo=UTC),
]
BOOKED_AT = dt.datetime(2025, 12, 1, 9, tzinfo=UTC)


def _body(start: str, end: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "language": "ara", "modality": "onsite", "start": start, "end": end,
        "duty_basis": "necessary", "assessment_note": "Språkbarriere vurdert i samtale.",
        "municipality": "0301", "address": "Markveien 1, 0554 Oslo",
        "topic_notes": "Arbeidsavklaring",
    }
    data.update(overrides)
    return data


def _post(start: str, end: str) -> Any:
    w = world()
    return client_for(w.booker).post(URL, _body(start, end), format="json")


# --- over HTTP: the cases found in the review ---------------------------------------------------

def test_thirteen_hours_over_the_october_change_is_too_long() -> None:
    # 14:00 summer time to 02:00 winter time: 12 h on the wall clock, 13 h in fact.
    response = _post("2027-10-30T14:00:00+02:00", "2027-10-31T02:00:00+01:00")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "duration_too_long"
    assert not Booking.objects.exists()


def test_ten_minutes_over_the_march_change_is_too_short() -> None:
    # 01:55 winter time to 03:05 summer time: 70 min on the wall clock, 10 min in fact.
    response = _post("2027-03-28T01:55:00+01:00", "2027-03-28T03:05:00+02:00")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "duration_too_short"


def test_forty_minutes_inside_the_repeated_hour_is_accepted() -> None:
    # 02:40 summer time to 02:20 winter time: backwards on the wall clock, 40 min in fact.
    response = _post("2027-10-31T02:40:00+02:00", "2027-10-31T02:20:00+01:00")
    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    assert booking.end - booking.start == dt.timedelta(minutes=40)
    assert booking.duration_minutes == 40


def test_end_before_start_is_a_400_with_its_code_never_a_409() -> None:
    # 02:20 winter time is 20 minutes after 02:40 on the wall, but 40 minutes before it in fact.
    response = _post("2027-10-31T02:20:00+01:00", "2027-10-31T02:40:00+02:00")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "end_before_start"
    assert "end" in response.json()["fields"]
    response = _post("2027-05-03T10:00:00+02:00", "2027-05-03T09:00:00+02:00")
    assert response.status_code == 400 and response.json()["code"] == "end_before_start"
    response = _post("2027-05-03T10:00:00+02:00", "2027-05-03T08:00:00Z")
    assert response.status_code == 400 and response.json()["code"] == "end_before_start"


def test_a_time_without_offset_is_oslo_time() -> None:
    response = _post("2027-05-03T10:00:00", "2027-05-03T11:30:00")
    assert response.status_code == 201, response.json()
    assert (response.json()["start"], response.json()["end"]) == (
        "2027-05-03T08:00:00Z", "2027-05-03T09:30:00Z")
    booking = Booking.objects.get()
    assert booking.start == dt.datetime(2027, 5, 3, 8, tzinfo=UTC)
    assert booking.duration_minutes == 90


def test_a_local_time_that_does_not_exist_is_refused() -> None:
    response = _post("2027-03-28T02:30:00", "2027-03-28T04:00:00")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "nonexistent_local_time"
    assert "start" in response.json()["fields"]


def test_a_local_time_that_exists_twice_is_refused() -> None:
    response = _post("2027-10-31T01:00:00", "2027-10-31T02:30:00")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "ambiguous_local_time"
    assert "end" in response.json()["fields"]
    # With its offset the same wall time is clear.
    ok = client_for(world().booker).post(
        URL, _body("2027-10-31T01:00:00", "2027-10-31T02:30:00+01:00"), format="json"
    )
    assert ok.status_code == 201, ok.json()
    assert Booking.objects.get().duration_minutes == 150


def test_the_dry_run_uses_the_same_time_rules() -> None:
    w = world()
    response = client_for(w.booker).post(
        f"{URL}check/", _body("2027-10-30T14:00:00+02:00", "2027-10-31T02:00:00+01:00"),
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "duration_too_long"


# --- completion, late cancellation, statistics --------------------------------------------------

def _assigned_booking(start: dt.datetime, end: dt.datetime) -> tuple[Any, Booking]:
    w = world()
    interpreter = qualified()
    user = factories.InterpreterUserFactory(interpreter=interpreter)
    booking = book(w, start, end=end)
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=5,
                              now=BOOKED_AT)
    offer = next(o for o in offers if o.interpreter_id == interpreter.pk)
    offer_accept(offer_id=offer.pk, user=user, now=BOOKED_AT,
                 declarations=Declarations(impartial=True, confidentiality=True))
    return w, booking


def test_completion_over_the_october_change_counts_real_minutes() -> None:
    start = dt.datetime(2027, 10, 31, 1, 30, tzinfo=OSLO)  # summer time
    end = dt.datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=OSLO)  # winter time: 2 h later
    w, booking = _assigned_booking(start, end)
    # 02:40 summer time to 02:20 winter time: 40 minutes, backwards on the wall clock.
    actual_start = dt.datetime(2027, 10, 31, 2, 40, tzinfo=OSLO)
    actual_end = dt.datetime(2027, 10, 31, 2, 20, fold=1, tzinfo=OSLO)
    booking_complete(booking_id=booking.pk, user=w.booker, actual_start=actual_start,
                     actual_end=actual_end, now=dt.datetime(2027, 11, 1, tzinfo=UTC))
    fact = AssignmentFact.objects.get(reference=f"tolk-{booking.pk}")
    assert fact.duration_minutes == 40


def test_completion_ending_before_it_started_is_refused() -> None:
    start = dt.datetime(2027, 10, 31, 1, 30, tzinfo=OSLO)
    end = dt.datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=OSLO)
    w, booking = _assigned_booking(start, end)
    with pytest.raises(ValidationFailed) as refused:
        booking_complete(
            booking_id=booking.pk, user=w.booker,
            actual_start=dt.datetime(2027, 10, 31, 2, 20, fold=1, tzinfo=OSLO),
            actual_end=dt.datetime(2027, 10, 31, 2, 40, tzinfo=OSLO),
            now=dt.datetime(2027, 11, 1, tzinfo=UTC),
        )
    assert refused.value.code == "end_before_start"


def test_late_cancellation_window_counts_real_hours() -> None:
    w = world()
    # Starts 10:00 winter time on the change day; the window is 24 h (the guideline's default).
    start = dt.datetime(2027, 10, 31, 10, tzinfo=OSLO)
    booking = book(w, start)
    # 10:30 summer time the day before is 24.5 h of real time before the start: in good time,
    # although the wall clock says 23.5 h.
    now = dt.datetime(2027, 10, 30, 10, 30, tzinfo=OSLO)
    cancelled = booking_cancel(booking_id=booking.pk, user=w.booker, now=now)
    assert cancelled.late_cancellation is False


# --- the web booking form -----------------------------------------------------------------------

def _form(day: str, start: str, end: str) -> dict[str, str]:
    return {
        "idempotency_key": f"form-{day}-{start}-{end}", "language": "ara", "modality": "onsite",
        "date": day, "start_time": start, "end_time": end, "municipality": "0301",
        "address": "Markveien 1, 0554 Oslo", "duty_basis": "necessary",
        "assessment_note": "Må forstå vedtaket om arbeidsavklaringspenger.",
        "topic_notes": "Oppfølging", "platform": "",
    }


@pytest.mark.parametrize(("start", "end", "field"), [
    ("00:00", "12:00", "end_time"),  # 13 h in fact on the day the clocks go back
    ("02:30", "03:30", "start_time"),  # 02:30 exists twice
    ("01:00", "02:15", "end_time"),  # so does 02:15
])
def test_the_form_refuses_what_the_clock_change_makes_wrong(
    client: Client, start: str, end: str, field: str
) -> None:
    w = world()
    client.force_login(w.booker)
    response = client.post("/book/", _form("2027-10-31", start, end))
    assert response.status_code == 400
    assert not Booking.objects.exists()
    assert field in response.context["form"].errors, response.context["form"].errors


def test_the_form_refuses_a_time_in_the_spring_gap(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    response = client.post("/book/", _form("2027-03-28", "02:15", "04:00"))
    assert response.status_code == 400
    assert "start_time" in response.context["form"].errors
    assert not Booking.objects.exists()


def test_the_form_books_real_minutes_over_the_change(client: Client) -> None:
    w = world()
    client.force_login(w.booker)
    # 01:00 summer time to 03:00 winter time is three hours.
    response = client.post("/book/", _form("2027-10-31", "01:00", "03:00"))
    assert response.status_code == 302, response.context["form"].errors
    assert Booking.objects.get().duration_minutes == 180


# --- properties around the 2026–2028 changes ----------------------------------------------------

around_a_change = st.builds(
    lambda change, offset: change + dt.timedelta(minutes=offset),
    st.sampled_from(CHANGES), st.integers(min_value=-14 * 60, max_value=14 * 60),
)


# The limits themselves and their neighbours, as well as anything in between.
booking_minutes = st.one_of(
    st.sampled_from([-1, 0, 1, 14, 15, 16, 719, 720, 721]),
    st.integers(min_value=-60, max_value=14 * 60),
)


@settings(max_examples=400, deadline=None)
@given(start=around_a_change, minutes=booking_minutes,
       start_zone=st.sampled_from([OSLO, UTC, dt.timezone(dt.timedelta(hours=5))]),
       end_zone=st.sampled_from([OSLO, UTC, dt.timezone(dt.timedelta(hours=-3))]))
def test_duration_limits_hold_in_real_minutes(
    start: dt.datetime, minutes: int, start_zone: dt.tzinfo, end_zone: dt.tzinfo
) -> None:
    end = start + dt.timedelta(minutes=minutes)
    # However the two instants are written (Oslo with either offset, UTC, elsewhere) ...
    local_start, local_end = start.astimezone(start_zone), end.astimezone(end_zone)
    now = start - dt.timedelta(days=30)
    try:
        times.check_booking_times(start=local_start, end=local_end, now=now)
    except ValidationFailed as refused:
        code = refused.code
    else:
        code = "ok"
    # ... the answer depends only on the real minutes between them.
    if minutes <= 0:
        assert code == "end_before_start"
    elif minutes < 15:
        assert code == "duration_too_short"
    elif minutes > 12 * 60:
        assert code == "duration_too_long"
    else:
        assert code == "ok"
    assert minutes_between(local_start, local_end) == minutes


def _wall(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(OSLO).replace(tzinfo=None, fold=0)


@settings(max_examples=400, deadline=None)
@given(change=st.sampled_from(CHANGES), minutes=st.integers(min_value=-180, max_value=180))
def test_oslo_wall_times_are_taken_or_refused_as_documented(
    change: dt.datetime, minutes: int
) -> None:
    wall = _wall(change) + dt.timedelta(minutes=minutes)  # naive, as a client might send
    # The instants whose Oslo wall time this is, found by brute force over the day.
    candidates = {
        change + dt.timedelta(minutes=m) for m in range(-300, 301)
        if _wall(change + dt.timedelta(minutes=m)) == wall
    }
    try:
        instant = local_instant(wall, field="start")
    except ValidationFailed as refused:
        if not candidates:
            assert refused.code == "nonexistent_local_time"
        else:
            assert len(candidates) == 2 and refused.code == "ambiguous_local_time"
        assert refused.fields == {"start": [refused.code]}
        return
    assert candidates == {instant}
    assert instant.utcoffset() == dt.timedelta(0)


@pytest.fixture
def booking_world() -> World:
    return world()


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=around_a_change, minutes=st.integers(min_value=1, max_value=13 * 60))
def test_the_booking_service_agrees_with_the_rule(
    booking_world: World, start: dt.datetime, minutes: int
) -> None:
    w = booking_world
    end = start + dt.timedelta(minutes=minutes)
    data = request(start.astimezone(OSLO), end=end.astimezone(OSLO))
    try:
        prepared = booking_prepare(user=w.booker, data=data,
                                   now=start - dt.timedelta(days=30))
    except ValidationFailed as refused:
        assert not 15 <= minutes <= 12 * 60, refused.code
        assert refused.code in ("duration_too_short", "duration_too_long")
        return
    assert 15 <= minutes <= 12 * 60
    values = prepared.values
    assert values["end"] - values["start"] == dt.timedelta(minutes=minutes)
    assert prepared.on == start.astimezone(OSLO).date()


def _oslo_candidates(wall: dt.datetime) -> set[dt.datetime]:
    """Every instant (to the minute, within a day) at which Oslo clocks show `wall`."""
    guess = wall.replace(tzinfo=UTC) - dt.timedelta(hours=1)
    return {
        guess + dt.timedelta(minutes=m) for m in range(-180, 181)
        if _wall(guess + dt.timedelta(minutes=m)) == wall
    }


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(change=st.sampled_from(CHANGES),
       offset=st.integers(min_value=-150, max_value=150),
       minutes=booking_minutes)
def test_over_http_oslo_wall_times_book_real_minutes(
    booking_world: World, change: dt.datetime, offset: int, minutes: int
) -> None:
    """A client sends Oslo wall times without offset, as a form would: the start a few minutes
    around a clock change, the end `minutes` later on the wall clock. The answer follows from
    the instants alone."""
    from django.utils import timezone

    start_wall = _wall(change) + dt.timedelta(minutes=offset)
    end_wall = start_wall + dt.timedelta(minutes=minutes)
    now = timezone.now()
    if change - dt.timedelta(hours=4) < now:
        return  # a change already past cannot be booked any more
    response = client_for(booking_world.booker).post(
        URL, _body(start_wall.isoformat(), end_wall.isoformat()), format="json"
    )
    body = response.json()
    starts, ends = _oslo_candidates(start_wall), _oslo_candidates(end_wall)
    for field, found in (("start", starts), ("end", ends)):
        if len(found) != 1:
            expected = "nonexistent_local_time" if not found else "ambiguous_local_time"
            assert response.status_code == 400 and body["code"] == expected, (field, body)
            assert field in body["fields"]
            return
    start, end = starts.pop(), ends.pop()
    real = (end - start) // dt.timedelta(minutes=1)
    if real <= 0:
        expected = "end_before_start"
    elif real < 15:
        expected = "duration_too_short"
    elif real > 12 * 60:
        expected = "duration_too_long"
    elif start > now + times.MAX_AHEAD:
        expected = "start_too_far_ahead"
    else:
        assert response.status_code == 201, body
        assert Booking.objects.get(pk=body["id"]).duration_minutes == real
        return
    assert response.status_code == 400 and body["code"] == expected, (real, body)
