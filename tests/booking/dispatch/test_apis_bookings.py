"""The booking API: create with Idempotency-Key, check, list/detail, tenant isolation,
candidates with explain, offers, cancel, complete, audit, rules and the error shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import include, path

from booking.models import AuditEntry, Booking, BookingStatus, Offer
from tests import factories
from tests.booking.booking_helpers import interpreter_user, world
from tests.conftest import client_for

# The API is tested on its own URLconf, independent of the web pages.
urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/api/v1/bookings/"


def _future(days: int = 10, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    local = timezone.localtime() + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def body(**overrides: Any) -> dict[str, Any]:
    start = overrides.pop("start", _future())
    data = {
        "language": "ara",
        "modality": "onsite",
        "start": start.isoformat() if isinstance(start, dt.datetime) else start,
        "end": ((start if isinstance(start, dt.datetime) else _future())
                + dt.timedelta(hours=1)).isoformat(),
        "duty_basis": "necessary",
        "assessment_note": "Språkbarriere vurdert i samtale.",
        "municipality": "0301",
        "address": "Markveien 1, 0554 Oslo",
        "topic_notes": "Arbeidsavklaring",
    }
    data.update(overrides)
    return data


def test_create_returns_201_and_the_booking() -> None:
    w = world()
    api = client_for(w.booker)
    response = api.post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "open"
    assert data["guideline_version"] == 1
    assert data["provider"]["org_number"] == w.provider.org_number
    assert data["assignment"] is None


def test_idempotency_key_retry_returns_the_same_booking() -> None:
    w = world()
    api = client_for(w.booker)
    payload = body()
    first = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    again = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Booking.objects.count() == 1
    other = api.post(URL, body(topic_notes="Noe annet"), format="json",
                     HTTP_IDEMPOTENCY_KEY="abc-123")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1
    # Keys are per user: another booker's same key is a new booking.
    second_booker = factories.BookerFactory(unit=w.booker.unit, organisation=w.customer)
    response = client_for(second_booker).post(URL, payload, format="json",
                                               HTTP_IDEMPOTENCY_KEY="abc-123")
    assert response.status_code == 201
    assert Booking.objects.count() == 2


def test_rule_violation_is_400_with_code_section_and_nothing_saved() -> None:
    w = world()
    response = client_for(w.booker).post(
        URL, body(modality="video", platform="Skype"), format="json"
    )
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "TL8_REMOTE"
    assert data["section"] == "§ 8"
    assert set(data) == {"code", "detail", "section", "fields"}
    assert Booking.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"modality": "telepathy"}, "modality"),
        ({"start": "not a date"}, "start"),
        ({"min_category": "F"}, "min_category"),
    ],
)
def test_bad_input_is_400_invalid(override: dict[str, Any], field: str) -> None:
    w = world()
    response = client_for(w.booker).post(URL, body(**override), format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_past_start_and_naive_times_refused() -> None:
    w = world()
    api = client_for(w.booker)
    response = api.post(URL, body(start=_future(days=-2)), format="json")
    assert response.status_code == 400
    assert "start" in response.json()["fields"]
    naive = body()
    naive["start"] = naive["start"][:19]
    naive["end"] = naive["end"][:19]
    # DRF makes naive input aware in the current time zone; the booking is accepted as local time.
    assert api.post(URL, naive, format="json").status_code == 201


def test_only_bookers_create() -> None:
    w = world()
    response = client_for(w.coordinator).post(URL, body(), format="json")
    assert response.status_code == 403


def test_check_counts_free_qualified_interpreters_and_saves_nothing() -> None:
    w = world()
    interpreter_user(category="A")
    interpreter_user(category="C")
    interpreter_user(language="tir")
    response = client_for(w.booker).post(URL + "check/", body(), format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["free_qualified_interpreters"] == 2
    assert data["by_category"]["A"] == 1
    assert data["guideline_version"] == 1
    assert data["late_cancellation_hours"] == 24
    assert data["late_cancellation_on_acceptance"] is False
    assert data["acute"] is False and data["remote_suggestion"] is None
    assert Booking.objects.count() == 0


def test_acute_is_in_every_booking_output() -> None:
    from django.utils import timezone

    w = world()
    api = client_for(w.booker)
    planned = api.post(URL, body(), format="json").json()
    acute = api.post(URL, body(start=timezone.now() + dt.timedelta(hours=5)), format="json")
    assert acute.status_code == 201, acute.json()
    assert planned["acute"] is False and acute.json()["acute"] is True
    assert api.get(f"{URL}{acute.json()['id']}/").json()["acute"] is True
    listed = {b["id"]: b["acute"] for b in api.get(URL).json()["results"]}
    assert listed == {planned["id"]: False, acute.json()["id"]: True}
    check = api.post(URL + "check/", body(start=timezone.now() + dt.timedelta(hours=5)),
                     format="json")
    assert check.json()["acute"] is True


def test_check_suggests_video_for_an_acute_onsite_booking_nobody_can_come_to() -> None:
    from django.utils import timezone

    w = world()
    interpreter_user(offers_onsite=False)
    start = timezone.now() + dt.timedelta(hours=5)
    check = client_for(w.booker).post(URL + "check/", body(start=start), format="json")
    assert check.status_code == 200, check.json()
    assert check.json()["free_qualified_interpreters"] == 0
    assert check.json()["remote_suggestion"] == {"onsite": 0, "video": 1, "phone": 1}


def test_check_tells_when_a_cancellation_after_acceptance_would_be_late() -> None:
    from django.utils import timezone

    w = world()
    start = timezone.now() + dt.timedelta(hours=5)
    soon = client_for(w.booker).post(URL + "check/", body(start=start), format="json")
    assert soon.status_code == 200, soon.json()
    assert soon.json()["late_cancellation_on_acceptance"] is True
    assert soon.json()["late_cancellation_hours"] == 24


def test_tenant_isolation() -> None:
    w = world()
    other = world()
    api = client_for(w.booker)
    booking_id = api.post(URL, body(), format="json").json()["id"]
    # Another organisation's booker and another provider's coordinator: 404, not 403.
    for user in (other.booker, other.coordinator):
        client = client_for(user)
        assert client.get(f"{URL}{booking_id}/").status_code == 404
        assert client.get(f"{URL}{booking_id}/audit/").status_code == 404
        assert client.post(f"{URL}{booking_id}/cancel/", {}, format="json").status_code == 404
        assert client.get(URL).json()["count"] == 0
    assert client_for(other.coordinator).post(
        f"{URL}{booking_id}/offers/", {}, format="json"
    ).status_code == 404
    # An interpreter who was not offered the booking cannot see it.
    stranger = interpreter_user()
    assert client_for(stranger).get(f"{URL}{booking_id}/").status_code == 404
    # The booking's own organisation and provider can.
    assert client_for(w.coordinator).get(f"{URL}{booking_id}/").status_code == 200
    assert api.get(URL).json()["count"] == 1


def test_candidates_ranked_and_explained() -> None:
    w = world()
    a = interpreter_user(category="A", municipality="4601")
    b = interpreter_user(category="B")
    a_near = interpreter_user(category="A")
    no_onsite = interpreter_user(category="A", offers_onsite=False)
    booking_id = client_for(w.booker).post(URL, body(), format="json").json()["id"]
    api = client_for(w.coordinator)
    response = api.get(f"{URL}{booking_id}/candidates/")
    assert response.status_code == 200
    numbers = [c["register_number"] for c in response.json()["results"]]
    assert numbers == [
        a_near.interpreter.register_number,  # A, same distance rank, closer
        a.interpreter.register_number,
        b.interpreter.register_number,
    ]
    explain = api.get(f"{URL}{booking_id}/candidates/",
                      {"explain": no_onsite.interpreter.register_number}).json()
    assert explain["eligible"] is False
    assert [r["code"] for r in explain["reasons"]] == ["MODALITY"]
    tir = interpreter_user(language="tir")
    explain = api.get(f"{URL}{booking_id}/candidates/",
                      {"explain": tir.interpreter.register_number}).json()
    assert explain["reasons"][0]["code"] == "TL7_QUALIFIED"
    ok = api.get(f"{URL}{booking_id}/candidates/",
                 {"explain": b.interpreter.register_number}).json()
    assert ok["eligible"] is True and ok["rank"] == 3
    assert api.get(f"{URL}{booking_id}/candidates/", {"explain": "nope"}).status_code == 404


def test_full_cycle_over_http() -> None:
    w = world()
    interpreter = interpreter_user()
    booker_api = client_for(w.booker)
    booking_id = booker_api.post(URL, body(), format="json").json()["id"]
    coordinator_api = client_for(w.coordinator)
    sent = coordinator_api.post(f"{URL}{booking_id}/offers/", {"limit": 3}, format="json")
    assert sent.status_code == 201, sent.json()
    assert len(sent.json()["offers"]) == 1
    interpreter_api = client_for(interpreter)
    offers = interpreter_api.get("/api/v1/offers/").json()["results"]
    assert [o["booking_id"] for o in offers] == [booking_id]
    offer_id = offers[0]["id"]
    refused = interpreter_api.post(f"/api/v1/offers/{offer_id}/accept/",
                                   {"impartial": True}, format="json")
    assert refused.status_code == 400
    accepted = interpreter_api.post(f"/api/v1/offers/{offer_id}/accept/",
                                    {"impartial": True, "confidentiality": True}, format="json")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["category"] == "A"
    detail = interpreter_api.get(f"{URL}{booking_id}/").json()
    assert detail["status"] == "assigned"
    assert "assessment_note" not in detail
    audit = booker_api.get(f"{URL}{booking_id}/audit/").json()["results"]
    assert [(e["action"], e["from"], e["to"]) for e in audit] == [
        ("created", None, "open"), ("offers_sent", "open", "offered"),
        ("accepted", "offered", "assigned"),
    ]
    booking = Booking.objects.get(pk=booking_id)
    done = coordinator_api.post(
        f"{URL}{booking_id}/complete/",
        {"actual_start": booking.start.isoformat(), "actual_end": booking.end.isoformat(),
         "cost_nok": "1250.00"},
        format="json",
    )
    # The assignment is in the future: it cannot be completed yet.
    assert done.status_code == 400
    assert "actual_start" in done.json()["fields"]


def test_cancel_by_booker_withdraws_offers() -> None:
    w = world()
    interpreter_user()
    api = client_for(w.booker)
    booking_id = api.post(URL, body(start=_future(days=10)), format="json").json()["id"]
    client_for(w.coordinator).post(f"{URL}{booking_id}/offers/", {}, format="json")
    response = api.post(f"{URL}{booking_id}/cancel/", {"reason": "Time avlyst"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == BookingStatus.CANCELLED
    assert response.json()["late_cancellation"] is False
    assert not Offer.objects.filter(status="pending").exists()
    again = api.post(f"{URL}{booking_id}/cancel/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "booking_final"


def test_rules_endpoint_by_date() -> None:
    w = world()
    api = client_for(w.booker)
    before = api.get("/api/v1/rules/", {"date": "2026-12-31"}).json()
    after = api.get("/api/v1/rules/", {"date": "2027-01-01"}).json()
    assert "TL7_DISPENSATION" in [r["code"] for r in before["rules"]]
    assert "TL7_DISPENSATION" not in [r["code"] for r in after["rules"]]
    assert after["rule_set"] == "exception-only"
    assert len(after["rules"]) == 10
    bad = api.get("/api/v1/rules/", {"date": "31.12.2026"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_list_filters() -> None:
    w = world()
    api = client_for(w.booker)
    api.post(URL, body(), format="json")
    api.post(URL, body(language="tir", start=_future(days=20)), format="json")
    assert api.get(URL, {"language": "tir"}).json()["count"] == 1
    assert api.get(URL, {"status": "open"}).json()["count"] == 2
    assert api.get(URL, {"status": "bogus"}).status_code == 400
    day = _future(days=20).date().isoformat()
    assert api.get(URL, {"date_from": day}).json()["count"] == 1
