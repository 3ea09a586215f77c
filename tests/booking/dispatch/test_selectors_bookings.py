"""The candidate ranking: the head ranked with a limit is the head of the full ranking; counts
and visibility."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import include, path

from booking.dispatch.selectors import booking_candidates, booking_candidates_ranked
from tests.booking.booking_helpers import (
    NOW,
    assign_by_personal_offer,
    book,
    interpreter_user,
    soon,
    world,
)
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_limited_ranking_is_the_head_of_the_full_ranking() -> None:
    w = world()
    users = [interpreter_user(category="ABCDE"[i % 5], municipality=("0301", "3201")[i % 2])
             for i in range(15)]
    # Give some interpreters recent work so fairness matters inside a category.
    for i, user in enumerate(users[:6]):
        past = book(w, start=dt.datetime(2026, 7, 1 + i, 10, tzinfo=NOW.tzinfo))
        assign_by_personal_offer(w, past, user, now=dt.datetime(2026, 6, 20, tzinfo=NOW.tzinfo))
    booking = book(w)
    later = dt.datetime(2026, 8, 1, tzinfo=NOW.tzinfo)
    full = booking_candidates(booking=booking, now=later)
    assert len(full) == 15
    for limit in (1, 3, 4, 7, 15, 40):
        head = booking_candidates_ranked(booking=booking, now=later, limit=limit)
        assert [c.interpreter_id for c in head.ranked] == [
            c.interpreter_id for c in full[:limit]
        ]
        assert head.total == 15
    assert booking_candidates_ranked(booking=booking, now=later, limit=1).by_category == {
        "A": 3, "B": 3, "C": 3, "D": 3, "E": 3
    }
    # Inside category A: no recent work first, then the nearer of the two with one assignment.
    a_ids = [c.interpreter_id for c in full if c.category == "A"]
    assert a_ids == [users[10].interpreter_id, users[0].interpreter_id, users[5].interpreter_id]


def test_candidates_endpoint_pages_through_the_ranking() -> None:
    w = world()
    for i in range(7):
        interpreter_user(category="ABCDE"[i % 5])
    booker_api = client_for(w.booker)
    start = soon()
    booking_id = booker_api.post("/api/v1/bookings/", {
        "language": "ara", "modality": "phone", "platform": "Teams (helsenett)",
        "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat(),
        "duty_basis": "statute",
    }, format="json").json()["id"]
    api = client_for(w.coordinator)
    url = f"/api/v1/bookings/{booking_id}/candidates/"
    full = [c["register_number"] for c in api.get(url).json()["results"]]
    paged = []
    for page in (1, 2, 3):
        data = api.get(url, {"page": page, "page_size": 3}).json()
        assert data["count"] == 7
        paged += [c["register_number"] for c in data["results"]]
    assert paged == full
    assert [c["rank"] for c in api.get(url, {"page": 2, "page_size": 3}).json()["results"]] \
        == [4, 5, 6]
    assert api.get(url, {"page": 9, "page_size": 3}).status_code == 404
