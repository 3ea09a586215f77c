"""The interpreter's offer endpoints and the guideline endpoint."""

from __future__ import annotations

import pytest
from django.urls import include, path

from booking.dispatch.services.offers import offer_payload, offers_send_wave
from booking.models import Guideline, OfferStatus
from tests.booking.booking_helpers import book, interpreter_user, soon, world
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_offer_list_is_own_and_filterable_and_decline_works() -> None:
    w = world()
    first, second = interpreter_user(category="A"), interpreter_user(category="B")
    booking = book(w, start=soon())
    offers_send_wave(booking_id=booking.pk, user=w.coordinator, limit=2)
    api = client_for(first)
    mine = api.get("/api/v1/offers/", {"status": "pending"}).json()["results"]
    assert len(mine) == 1 and mine[0]["booking_id"] == booking.pk
    assert mine[0]["language_name"]
    assert "case_reference" not in mine[0]
    assert api.get("/api/v1/offers/", {"status": "nonsense"}).status_code == 400
    theirs = client_for(second).get("/api/v1/offers/").json()["results"][0]["id"]
    assert api.post(f"/api/v1/offers/{theirs}/decline/", {}, format="json").status_code == 404
    declined = api.post(f"/api/v1/offers/{mine[0]['id']}/decline/",
                        {"reason": "Opptatt"}, format="json")
    assert declined.status_code == 200
    assert declined.json()["status"] == OfferStatus.DECLINED
    again = api.post(f"/api/v1/offers/{mine[0]['id']}/accept/",
                     {"impartial": True, "confidentiality": True}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "offer_not_pending"


def test_accept_validates_declarations_shape() -> None:
    w = world()
    user = interpreter_user()
    booking = book(w, start=soon())
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator)
    api = client_for(user)
    for payload, code in (
        ({"impartial": "ja", "confidentiality": True}, "invalid"),
        ({"impartial": True, "confidentiality": False}, "TL15_CONFIDENTIALITY"),
        ({"impartial": False, "confidentiality": True}, "TL16_IMPARTIALITY"),
    ):
        response = api.post(f"/api/v1/offers/{offer.pk}/accept/", payload, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == code
    assert client_for(w.booker).get("/api/v1/offers/").status_code == 403


def test_guidelines_listed_for_members_and_published_by_admins(admin_user: object) -> None:
    w = world()
    api = client_for(w.booker)
    data = api.get("/api/v1/guidelines/").json()
    assert data["in_force"] == 1 and len(data["results"]) == 1
    payload = {"organisation": w.customer.org_number, "valid_from": "2026-01-01",
               "min_category": "C", "remote_platforms": ["Teams (helsenett)"],
               "police_certificate_required": True, "late_cancellation_hours": 48}
    assert api.post("/api/v1/guidelines/", payload, format="json").status_code == 403
    created = client_for(admin_user).post("/api/v1/guidelines/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["version"] == 2
    assert Guideline.objects.filter(organisation=w.customer).count() == 2
    bad = client_for(admin_user).post("/api/v1/guidelines/",
                                      {**payload, "min_category": "Z"}, format="json")
    assert bad.status_code == 400 and "min_category" in bad.json()["fields"]


def test_an_offer_in_the_list_carries_the_websocket_payload_as_it_is() -> None:
    """The list answer (typed by InterpreterOfferOutput) is the `offer.created` payload plus the
    offer's state: nothing renamed, no time reformatted, and an on-site offer has no `platform`
    key at all (not a null one)."""
    w = world()
    user = interpreter_user()
    booking = book(w, start=soon())
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator)
    (item,) = client_for(user).get("/api/v1/offers/").json()["results"]
    payload = offer_payload(offer, booking)
    assert {key: item[key] for key in payload} == payload
    assert "platform" not in item and item["address"] == booking.address
    assert set(item) - set(payload) == {"id", "status", "wave", "created_at", "responded_at",
                                        "booking_status"}
    assert item["created_at"].endswith("Z") and item["responded_at"] is None
