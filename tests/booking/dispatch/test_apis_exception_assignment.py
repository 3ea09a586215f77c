"""`POST /api/v1/bookings/{id}/exception-assignment/`: the documented exception path never
assigns an interpreter without their own §§ 15–16 declarations. A registered interpreter gets a
personal offer and declares when accepting it; an interpreter outside the register is assigned only
with their written declaration recorded (who, when, recorded by whom)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import include, path
from django.utils import timezone

from booking.models import (
    Assignment,
    AuditEntry,
    Booking,
    BookingStatus,
    InterpreterBlock,
    Offer,
    OfferStatus,
)
from tests import factories
from tests.booking.booking_helpers import book, interpreter_user, soon, world
from tests.conftest import client_for

urlpatterns = [path("api/v1/", include("booking.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

EXCEPTION = {
    "ground": "cannot_wait",
    "justification": "Fristen for vedtaket løper ut; ingen kvalifisert tolk er ledig.",
    "decided_by": "Avdelingsleder Nordmann",
}
YES = {"impartial": True, "confidentiality": True}


@pytest.fixture(autouse=True)
def _exception_only(settings: Any) -> None:
    # The bookings below fall after the cut-off: no transitional dispensation, so a
    # non-qualified interpreter needs a documented § 7 exception whatever today's date is.
    settings.TOLK_DISPENSATION_LAST_DAY = timezone.localdate()


def _url(booking: Booking) -> str:
    return f"/api/v1/bookings/{booking.pk}/exception-assignment/"


def _unqualified_user() -> Any:
    """A registered interpreter with a login, not qualified for Arabic (the bookings' language)."""
    return factories.InterpreterUserFactory(interpreter=factories.InterpreterFactory())


def _written(name: str, at: dt.datetime | None = None, **overrides: Any) -> dict[str, Any]:
    data = {"declared_by": name,
            "declared_at": (at or timezone.now() - dt.timedelta(minutes=10)).isoformat(), **YES}
    data.update(overrides)
    return data


def _status(booking: Booking) -> str:
    booking.refresh_from_db()
    return booking.status


# --- a registered interpreter: a personal offer, assigned when they declare -------------------


def test_registered_interpreter_gets_a_personal_offer_not_an_assignment() -> None:
    w = world()
    user = _unqualified_user()
    booking = book(w, start=soon())
    assert _status(booking) == BookingStatus.OPEN
    response = client_for(w.coordinator).post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["assignment"] is None
    assert data["booking"] == {"id": booking.pk, "status": "offered"}
    offer = data["offer"]
    assert offer["personal"] is True and offer["status"] == "pending"
    assert offer["register_number"] == user.interpreter.register_number
    assert offer["exception_ground"] == "cannot_wait"
    assert offer["exception_decided_by"] == "Avdelingsleder Nordmann"
    assert not Assignment.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OFFERED
    # The exception's justification is in the audit trail from the start.
    entry = AuditEntry.objects.filter(booking=booking).last()
    assert entry.action == "personal_offer_sent"
    assert entry.reason == EXCEPTION["justification"]
    assert entry.details["basis"] == "exception"
    assert entry.details["decided_by"] == "Avdelingsleder Nordmann"
    # The interpreter sees the personal offer among their own.
    mine = client_for(user).get("/api/v1/offers/", {"status": "pending"}).json()["results"]
    assert [(o["id"], o["personal"]) for o in mine] == [(offer["id"], True)]


def test_the_personal_offer_becomes_an_assignment_only_with_both_declarations() -> None:
    w = world()
    user = _unqualified_user()
    booking = book(w, start=soon())
    offer_id = client_for(w.coordinator).post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION}, format="json").json()["offer"]["id"]
    api = client_for(user)
    accept = f"/api/v1/offers/{offer_id}/accept/"
    for payload, code in (
        ({}, "invalid"),
        ({"impartial": True}, "invalid"),
        ({"impartial": "true", "confidentiality": True}, "invalid"),
        ({"impartial": False, "confidentiality": True}, "TL16_IMPARTIALITY"),
        ({"impartial": True, "confidentiality": False}, "TL15_CONFIDENTIALITY"),
    ):
        response = api.post(accept, payload, format="json")
        assert response.status_code == 400, payload
        assert response.json()["code"] == code
        assert not Assignment.objects.filter(booking=booking).exists()
        assert _status(booking) == BookingStatus.OFFERED
        assert Offer.objects.get(pk=offer_id).status == OfferStatus.PENDING
    response = api.post(accept, YES, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["declared_impartial"] is True and data["declared_confidentiality"] is True
    assert data["declaration_source"] == "interpreter"
    assert data["basis"] == "exception" and data["category"] is None
    assert data["exception_ground"] == "cannot_wait"
    assert data["exception_justification"] == EXCEPTION["justification"]
    assert data["exception_decided_by"] == "Avdelingsleder Nordmann"
    assert _status(booking) == BookingStatus.ASSIGNED
    assignment = Assignment.objects.get(booking=booking)
    assert assignment.offer_id == offer_id and assignment.declared_at is not None
    entry = AuditEntry.objects.filter(booking=booking).last()
    assert (entry.action, entry.actor_id) == ("accepted", user.pk)
    assert entry.details["personal"] is True
    assert entry.details["basis"] == "exception"
    assert entry.details["exception_ground"] == "cannot_wait"
    detail = client_for(w.booker).get(f"/api/v1/bookings/{booking.pk}/").json()
    assert detail["assignment"]["declaration_source"] == "interpreter"


def test_a_coordinator_cannot_declare_for_the_interpreter() -> None:
    w = world()
    user = _unqualified_user()
    booking = book(w, start=soon())
    coordinator = client_for(w.coordinator)
    # The old request, with the coordinator ticking the declarations: refused, nothing changes.
    response = coordinator.post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION, **YES}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "interpreter_must_declare"
    response = coordinator.post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION,
                        "written_declaration": _written(user.interpreter.full_name)},
        format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "interpreter_must_declare"
    assert not Offer.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OPEN
    offer_id = coordinator.post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION}, format="json").json()["offer"]["id"]
    # Nor can the coordinator (or anyone but the interpreter) accept the personal offer.
    for other in (w.coordinator, w.booker, interpreter_user()):
        response = client_for(other).post(f"/api/v1/offers/{offer_id}/accept/", YES,
                                          format="json")
        assert response.status_code in (403, 404)
    assert not Assignment.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OFFERED


def test_a_qualified_registered_interpreter_also_declares_through_the_offer() -> None:
    w = world()
    user = interpreter_user(category="B")
    booking = book(w, start=soon())
    data = client_for(w.coordinator).post(
        _url(booking), {"register_number": user.interpreter.register_number},
        format="json").json()
    assert data["assignment"] is None and data["booking"]["status"] == "offered"
    response = client_for(user).post(f"/api/v1/offers/{data['offer']['id']}/accept/", YES,
                                     format="json")
    assert response.status_code == 201
    assert (response.json()["basis"], response.json()["category"]) == ("qualified", "B")


def test_non_qualified_without_exception_is_refused_and_nothing_changes() -> None:
    w = world()
    user = _unqualified_user()
    booking = book(w, start=soon())
    response = client_for(w.coordinator).post(
        _url(booking), {"register_number": user.interpreter.register_number}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "TL7_QUALIFIED"
    assert not Offer.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OPEN


def test_blocked_interpreter_only_with_a_written_override_kept_until_the_accept() -> None:
    w = world()
    user = interpreter_user()
    InterpreterBlock.objects.create(organisation=w.customer, interpreter=user.interpreter,
                                    case_reference="SAK-9", reason="Slektskap")
    booking = book(w, start=soon(), case_reference="SAK-9")
    coordinator = client_for(w.coordinator)
    body = {"register_number": user.interpreter.register_number}
    refused = coordinator.post(_url(booking), body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "TL16_IMPARTIALITY"
    override = "Akutt innleggelse; ingen annen tolk kan nås i natt."
    offer = coordinator.post(_url(booking), {**body, "block_override_reason": override},
                             format="json").json()["offer"]
    assert offer["block_override_reason"] == override
    response = client_for(user).post(f"/api/v1/offers/{offer['id']}/accept/", YES,
                                     format="json")
    assert response.status_code == 201, response.json()
    entry = AuditEntry.objects.filter(booking=booking).last()
    assert entry.details["impartiality_override"] == override


def test_declining_the_personal_offer_returns_the_booking_to_the_waves() -> None:
    w = world()
    unqualified = _unqualified_user()
    candidate = interpreter_user()
    booking = book(w, start=soon())
    offer_id = client_for(w.coordinator).post(
        _url(booking), {"register_number": unqualified.interpreter.register_number,
                        "exception": EXCEPTION}, format="json").json()["offer"]["id"]
    response = client_for(unqualified).post(f"/api/v1/offers/{offer_id}/decline/",
                                            {"reason": "Opptatt"}, format="json")
    assert response.status_code == 200
    assert _status(booking) == BookingStatus.OFFERED
    assert Offer.objects.get(booking=booking, interpreter=candidate.interpreter).status == (
        OfferStatus.PENDING
    )
    assert not Assignment.objects.filter(booking=booking).exists()


# --- an interpreter outside the register: the written declaration -----------------------------


def test_adhoc_interpreter_without_the_written_declaration_is_refused() -> None:
    w = world()
    booking = book(w, start=soon())
    response = client_for(w.coordinator).post(
        _url(booking), {"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": EXCEPTION},
        format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "written_declaration_required"
    assert body["section"] == "§§ 15–16"
    assert "written_declaration" in body["fields"]
    assert not Assignment.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OPEN


def test_adhoc_interpreter_with_the_written_declaration_is_assigned_with_who_and_when() -> None:
    w = world()
    booking = book(w, start=soon())
    declared_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    response = client_for(w.coordinator).post(
        _url(booking), {"adhoc_name": "Amina  Tolk", "adhoc_age": 40, "exception": EXCEPTION,
                        "written_declaration": _written("amina tolk", declared_at)},
        format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["offer"] is None
    assert data["booking"] == {"id": booking.pk, "status": "assigned"}
    assignment = data["assignment"]
    assert assignment["in_register"] is False and assignment["name"] == "Amina Tolk"
    assert assignment["declaration_source"] == "written"
    assert assignment["declared_by_name"] == "amina tolk"
    assert assignment["declaration_recorded_by"] == w.coordinator.username
    assert dt.datetime.fromisoformat(assignment["declared_at"]) == declared_at
    assert assignment["declaration_recorded_at"] is not None
    assert assignment["basis"] == "exception"
    stored = Assignment.objects.get(booking=booking)
    assert stored.declared_impartial and stored.declared_confidentiality
    assert stored.declaration_recorded_by_id == w.coordinator.pk
    assert stored.declared_at == declared_at
    assert _status(booking) == BookingStatus.ASSIGNED
    entry = AuditEntry.objects.filter(booking=booking).last()
    assert entry.action == "assigned_by_exception"
    assert entry.details["declaration"] == "written"
    assert entry.details["declared_by"] == "amina tolk"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ({"declared_at": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
         "written_declaration_invalid"),
        ({"declared_by": "Koordinator Kari"}, "written_declaration_invalid"),
        ({"declared_by": "   "}, "invalid"),
        ({"impartial": False}, "TL16_IMPARTIALITY"),
        ({"confidentiality": False}, "TL15_CONFIDENTIALITY"),
        ({"impartial": "yes"}, "invalid"),
        ({"impartial": 1}, "invalid"),
        ({"declared_at": "i går kveld"}, "invalid"),
        ({"declared_at": 1732600000}, "invalid"),
        ({"declared_by": ["Amina Tolk"]}, "invalid"),
        ({"declared_by": "A" * 201}, "invalid"),
        ({"declared_by": "Amina\x00Tolk"}, "invalid_character"),
        # A wall-clock time that does not exist in Oslo (clocks forward on 29 March 2026).
        ({"declared_at": "2026-03-29T02:30:00"}, "invalid"),
        ({"declared_at": "0001-01-01T00:00:00+14:00"}, "invalid"),
        ({"declared_at": "9999-12-31T23:59:59-14:00"}, "invalid"),
    ],
)
def test_a_bad_written_declaration_is_refused_and_changes_nothing(
    written: dict[str, Any], code: str
) -> None:
    w = world()
    booking = book(w, start=soon())
    response = client_for(w.coordinator).post(
        _url(booking), {"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": EXCEPTION,
                        "written_declaration": _written("Amina Tolk", **written)},
        format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "detail", "section", "fields"}
    assert not Assignment.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OPEN


# --- bad input and authorisation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"register_number": "", "adhoc_name": ""}, 400, "invalid"),
        ({"register_number": "T-1", "adhoc_name": "Amina Tolk"}, 400, "invalid"),
        ({"register_number": 12345678901234567890}, 400, "invalid"),
        ({"register_number": ["T-1"]}, 400, "invalid"),
        ({"register_number": "UKJENT-1", "exception": EXCEPTION}, 404, "interpreter_not_found"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": "førti"}, 400, "invalid"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": "akutt"}, 400, "invalid"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": {"ground": "akutt"}}, 400,
         "TL7_EXCEPTION"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": EXCEPTION,
          "written_declaration": "ja"}, 400, "invalid"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": EXCEPTION,
          "written_declaration": {}}, 400, "invalid"),
        ({"adhoc_name": "Amina Tolk", "exception": EXCEPTION,
          "written_declaration": {"declared_by": "Amina Tolk"}}, 400, "invalid"),
        # A NUL character anywhere in the body is refused before any rule looks at it.
        ({"adhoc_name": "Amina\x00Tolk", "adhoc_age": 40, "exception": EXCEPTION}, 400,
         "invalid_character"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": 40,
          "exception": {**EXCEPTION, "justification": "Akutt\x00 ingen tolk ledig i natt."}},
         400, "invalid_character"),
        ({"adhoc_name": "Amina Tolk", "adhoc_age": 15, "exception": EXCEPTION,
          "child_exception": {"ground": "emergency", "reason": "Livstruende\x00 situasjon."}},
         400, "invalid_character"),
    ],
)
def test_bad_input_is_a_clear_error_never_a_500(payload: dict[str, Any], status: int,
                                                code: str) -> None:
    w = world()
    booking = book(w, start=soon())
    response = client_for(w.coordinator).post(_url(booking), payload, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not Offer.objects.filter(booking=booking).exists()
    assert not Assignment.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OPEN


def test_a_body_that_is_not_an_object_is_a_400() -> None:
    w = world()
    booking = book(w, start=soon())
    api = client_for(w.coordinator)
    for raw in ("[]", '"T-1"', "null", "{"):
        response = api.generic("POST", _url(booking), raw, content_type="application/json")
        assert response.status_code == 400, raw
        assert set(response.json()) == {"code", "detail", "section", "fields"}
    assert _status(booking) == BookingStatus.OPEN


def test_only_the_dispatching_coordinator_or_an_admin() -> None:
    w = world()
    user = _unqualified_user()
    booking = book(w, start=soon())
    body = {"register_number": user.interpreter.register_number, "exception": EXCEPTION}
    other_coordinator = factories.CoordinatorFactory()
    for caller, status in ((w.booker, 403), (user, 403), (other_coordinator, 404)):
        assert client_for(caller).post(_url(booking), body, format="json").status_code == status
    from rest_framework.test import APIClient

    assert APIClient().post(_url(booking), body, format="json").status_code in (401, 403)
    assert not Offer.objects.filter(booking=booking).exists()
    assert _status(booking) == BookingStatus.OPEN
    admin = factories.AdminFactory()
    response = client_for(admin).post(_url(booking), body, format="json")
    assert response.status_code == 201
    assert response.json()["booking"]["status"] == "offered"


def test_an_assigned_booking_cannot_take_the_exception_path() -> None:
    w = world()
    booking = book(w, start=soon())
    client_for(w.coordinator).post(
        _url(booking), {"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": EXCEPTION,
                        "written_declaration": _written("Amina Tolk")}, format="json")
    assert _status(booking) == BookingStatus.ASSIGNED
    user = _unqualified_user()
    response = client_for(w.coordinator).post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "booking_not_open"
    assert not Offer.objects.filter(booking=booking).exists()


def test_a_personal_offer_stands_on_its_exception_when_the_register_is_rechecked() -> None:
    """The daily re-check and a register change look at a personal offer as its accept does: the
    documented exception carries an interpreter without an entry for the language, and a
    suspension still takes the offer away."""
    from booking.dispatch.services.recheck import recheck_interpreters, recheck_upcoming
    from booking.models import Offer, OfferStatus, RegisterStatusEvent

    w = world()
    user = _unqualified_user()
    booking = book(w, start=soon())
    offer_id = client_for(w.coordinator).post(
        _url(booking), {"register_number": user.interpreter.register_number,
                        "exception": EXCEPTION}, format="json").json()["offer"]["id"]
    assert recheck_upcoming(days=28).withdrawn_offers == 0
    assert recheck_interpreters(interpreter_ids=[user.interpreter_id],
                                cause="register import").withdrawn_offers == 0
    assert Offer.objects.get(pk=offer_id).status == OfferStatus.PENDING

    RegisterStatusEvent.objects.create(
        interpreter_id=user.interpreter_id, language=booking.language, kind="suspension",
        valid_from=timezone.localdate() - dt.timedelta(days=1),
    )
    assert recheck_interpreters(interpreter_ids=[user.interpreter_id],
                                cause="register import").withdrawn_offers == 1
    assert Offer.objects.get(pk=offer_id).status == OfferStatus.WITHDRAWN



def test_the_exception_answer_gives_times_as_utc_instants_like_the_booking_detail() -> None:
    w = world()
    booking = book(w, start=soon())
    declared_at = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    coordinator = client_for(w.coordinator)
    response = coordinator.post(
        _url(booking), {"adhoc_name": "Amina Tolk", "adhoc_age": 40, "exception": EXCEPTION,
                        "written_declaration": _written("Amina Tolk", declared_at)},
        format="json")
    assert response.status_code == 201, response.json()
    assignment = response.json()["assignment"]
    detail = coordinator.get(f"/api/v1/bookings/{booking.pk}/").json()["assignment"]
    for name in ("declared_at", "category_checked_at", "declaration_recorded_at"):
        assert assignment[name].endswith("Z"), (name, assignment[name])
        assert assignment[name] == detail[name]
