"""The interpreter's iCalendar feed: token create, rotate, revoke; only own assignments."""

from __future__ import annotations

import pytest
from django.urls import include, path
from icalendar import Calendar

from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.models import CalendarToken
from booking.rules import Declarations
from tests.booking.booking_helpers import NOW, book, interpreter_user, soon, world
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
FEED = "/api/v1/me/calendar.ics"


def test_feed_lists_own_assignments_and_token_can_be_rotated_and_revoked() -> None:
    w = world()
    mine, other = interpreter_user(category="A"), interpreter_user(category="B")
    booking = book(w, start=soon(), topic_notes="Barnevernssak, terminologi om omsorgsovertakelse")
    offers = offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=1, now=NOW)
    offer_accept(offer_id=offers[0].pk, user=mine,
                 declarations=Declarations(impartial=True, confidentiality=True), now=NOW)
    api = client_for(mine)
    created = api.post("/api/v1/me/calendar-token/")
    assert created.status_code == 201
    token = created.json()["token"]
    assert created.json()["url"].endswith(f"{FEED}?token={token}")

    response = client_for(other).get(FEED, {"token": token})  # the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 1
    assert str(events[0]["uid"]).startswith("assignment-")
    assert "arabisk" in str(events[0]["summary"]).lower()
    assert "Markveien 1" in str(events[0]["location"])
    assert events[0].decoded("dtstart") == booking.start

    # The other interpreter's feed is empty.
    other_token = client_for(other).post("/api/v1/me/calendar-token/").json()["token"]
    cal = Calendar.from_ical(client_for(other).get(FEED, {"token": other_token}).content)
    assert list(cal.walk("VEVENT")) == []

    rotated = api.post("/api/v1/me/calendar-token/").json()["token"]
    assert rotated != token
    assert client_for(mine).get(FEED, {"token": token}).status_code == 404
    assert client_for(mine).get(FEED, {"token": rotated}).status_code == 200
    assert api.delete("/api/v1/me/calendar-token/").status_code == 204
    assert not CalendarToken.objects.filter(user=mine).exists()
    revoked = client_for(mine).get(FEED, {"token": rotated})
    assert revoked.status_code == 404
    assert revoked.json()["code"] == "calendar_not_found"


def test_feed_without_or_with_bad_token_is_404_and_bookers_get_no_token() -> None:
    w = world()
    assert client_for(w.booker).get(FEED).status_code == 404
    assert client_for(w.booker).get(FEED, {"token": "x" * 40}).status_code == 404
    assert client_for(w.booker).post("/api/v1/me/calendar-token/").status_code == 403
