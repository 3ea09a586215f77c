"""Register and guideline changes made in the Django admin reach offers and assignments too."""

from __future__ import annotations

import pytest
from django.test import Client

from booking.models import AuditEntry, BookingStatus, Guideline, Interpreter
from booking.rules import TL7_QUALIFIED, TL9_GUIDELINES, TL10_POLICE_CERT
from tests import factories
from tests.booking.booking_helpers import world
from tests.booking.dispatch.test_services_recheck import assigned, person

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    client = Client()
    client.force_login(factories.AdminFactory())
    return client


def interpreter_form(interpreter: Interpreter, **changes: str) -> dict[str, str]:
    entry = interpreter.qualifications.get()
    police = interpreter.police_certificate_valid_until
    data = {
        "register_number": interpreter.register_number,
        "given_name": interpreter.given_name,
        "family_name": interpreter.family_name,
        "gender": interpreter.gender,
        "municipality": interpreter.municipality,
        "availability": interpreter.availability,
        "offers_onsite": "on",
        "offers_video": "on",
        "offers_phone": "on",
        "email": interpreter.email,
        "phone": interpreter.phone,
        "police_certificate_valid_until": police.isoformat() if police else "",
        "qualifications-TOTAL_FORMS": "1",
        "qualifications-INITIAL_FORMS": "1",
        "qualifications-0-id": str(entry.pk),
        "qualifications-0-interpreter": str(interpreter.pk),
        "qualifications-0-language": entry.language,
        "qualifications-0-category": entry.category,
        "qualifications-0-valid_from": entry.valid_from.isoformat(),
        "qualifications-0-valid_to": entry.valid_to.isoformat() if entry.valid_to else "",
        "qualifications-0-status": entry.status,
        "status_events-TOTAL_FORMS": "0",
        "status_events-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("guideline", "change", "code"),
    [
        ({}, {"qualifications-0-valid_to": "2026-12-31"}, TL7_QUALIFIED),
        ({"police": True}, {"police_certificate_valid_until": "2027-01-03"}, TL10_POLICE_CERT),
        ({"min_category": "B"}, {"qualifications-0-category": "D"}, TL9_GUIDELINES),
    ],
)
def test_admin_interpreter_change_reopens(guideline: dict, change: dict, code: str) -> None:
    w = world(**guideline)
    user = person("A")
    booking = assigned(w, user)
    interpreter = user.interpreter
    response = admin_client().post(
        f"/admin/booking/interpreter/{interpreter.pk}/change/",
        interpreter_form(interpreter, **change), follow=True,
    )
    assert response.status_code == 200
    assert not (response.context.get("errors") if response.context else None)
    booking.refresh_from_db()
    assert booking.status != BookingStatus.ASSIGNED
    entry = AuditEntry.objects.get(booking=booking, action="register_reopened")
    assert entry.details["rule"] == code and entry.actor_role == "register"


def test_admin_status_event_reopens() -> None:
    w = world()
    user = person("A")
    booking = assigned(w, user)
    response = admin_client().post("/admin/booking/registerstatusevent/add/", {
        "interpreter": str(user.interpreter_id), "kind": "exclusion", "language": "",
        "valid_from": "2026-12-01", "valid_to": "", "reason": "§ 21",
    })
    assert response.status_code == 302
    assert AuditEntry.objects.get(booking=booking, action="register_reopened"
                                  ).details["rule"] == TL7_QUALIFIED


def test_admin_guideline_added_reopens() -> None:
    w = world()
    low = person("C")
    booking = assigned(w, low)
    response = admin_client().post("/admin/booking/guideline/add/", {
        "organisation": str(w.customer.pk), "version": "2", "valid_from": "2026-01-01",
        "min_category": "A", "remote_platforms": '["Teams (helsenett)"]',
        "late_cancellation_hours": "24",
        "ordering_routine": "", "mandatory_use": "", "remote_guidance": "",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Guideline.objects.filter(organisation=w.customer, version=2).exists()
    assert AuditEntry.objects.get(booking=booking, action="guideline_reopened"
                                  ).details["rule"] == TL9_GUIDELINES
