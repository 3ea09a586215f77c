"""The re-check through the ways in: the register import endpoint and command, and the guidelines
API. Each reports what it took away; the bookings show it in their audit trail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from booking.dispatch.services.offers import offers_send_wave
from booking.models import Assignment, AssignmentStatus, AuditEntry, BookingStatus, Offer
from booking.register.services import REGISTER_COLUMNS
from booking.rules import TL7_QUALIFIED, TL9_GUIDELINES, TL10_POLICE_CERT
from tests.booking.booking_helpers import AFTER_CUTOFF, NOW, book, world
from tests.booking.dispatch.test_services_recheck import assigned, csv_row, person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def upload(*rows: str) -> SimpleUploadedFile:
    text = "\n".join([",".join(REGISTER_COLUMNS), *rows]) + "\n"
    return SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")


@pytest.mark.parametrize(
    ("guideline", "change", "code"),
    [
        ({}, {"valid_to": "2026-12-31"}, TL7_QUALIFIED),
        ({"police": True}, {"police_certificate_valid_until": "2027-01-03"}, TL10_POLICE_CERT),
        ({"min_category": "B"}, {"category": "D"}, TL9_GUIDELINES),
    ],
)
def test_register_import_endpoint_reopens_and_counts(
    admin_user: object, guideline: dict, change: dict, code: str
) -> None:
    w = world(**guideline)
    user = person("A")
    booking = assigned(w, user)
    colleague = assigned(w, person("A"), start=AFTER_CUTOFF + dt.timedelta(days=2))

    response = client_for(admin_user).post(
        "/api/v1/register/imports/", {"file": upload(csv_row(user.interpreter, **change))},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reopened_assignments"] == 1
    assert body["withdrawn_offers"] == 0
    entry = AuditEntry.objects.get(booking=booking, action="register_reopened")
    assert entry.details["rule"] == code
    listed = client_for(admin_user).get("/api/v1/register/imports/").json()["results"][0]
    assert (listed["reopened_assignments"], listed["withdrawn_offers"]) == (1, 0)
    colleague.refresh_from_db()
    assert colleague.status == BookingStatus.ASSIGNED


def test_import_register_command_reports_the_counts(tmp_path: object, capsys: object) -> None:
    w = world()
    user = person("A")
    booking = assigned(w, user)
    path = tmp_path / "register.csv"  # type: ignore[operator]
    path.write_text(
        ",".join(REGISTER_COLUMNS) + "\n" + csv_row(user.interpreter, valid_to="2026-12-31")
        + "\n", encoding="utf-8",
    )

    call_command("import_register", str(path), "--json")

    out, err = capsys.readouterr()  # type: ignore[attr-defined]
    data = json.loads(out)
    assert (data["reopened_assignments"], data["withdrawn_offers"]) == (1, 0)
    assert "1 assignments reopened, 0 offers withdrawn" in err
    assert Assignment.objects.get(booking=booking).status == AssignmentStatus.REOPENED


def test_guidelines_api_raising_the_minimum_reopens_and_withdraws(admin_user: object) -> None:
    w = world()
    low = person("C")
    booking = assigned(w, low)
    offered_booking = book(w, start=AFTER_CUTOFF + dt.timedelta(days=3))
    offers_send_wave(booking_id=offered_booking.pk, user=w.coordinator,
                     register_numbers=[low.interpreter.register_number], now=NOW)

    response = client_for(admin_user).post("/api/v1/guidelines/", {
        "organisation": w.customer.org_number, "valid_from": "2026-01-01",
        "min_category": "B",
    }, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["reopened_assignments"], body["withdrawn_offers"]) == (2, 1, 1)
    assert AuditEntry.objects.get(booking=booking, action="guideline_reopened"
                                  ).details["rule"] == TL9_GUIDELINES
    withdrawn = AuditEntry.objects.get(booking=offered_booking, action="offer_withdrawn")
    assert withdrawn.details["rule"] == TL9_GUIDELINES
    assert not Offer.objects.filter(booking=offered_booking, status="pending").exists()
    offered_booking.refresh_from_db()
    assert offered_booking.status == BookingStatus.UNFILLED  # nobody at B or above


def test_guidelines_api_police_certificate_and_lapsed_qualification(admin_user: object) -> None:
    """Publishing re-checks everything on the organisation's coming bookings: a certificate the
    new version requires, and a qualification whose end date has come to lie before the job."""
    w = world()
    without = person("A", police=None)
    lapsed = person("A")
    first = assigned(w, without)
    second = assigned(w, lapsed, start=AFTER_CUTOFF + dt.timedelta(days=1))
    lapsed.interpreter.qualifications.update(valid_to=dt.date(2026, 12, 31))

    response = client_for(admin_user).post("/api/v1/guidelines/", {
        "organisation": w.customer.org_number, "valid_from": "2026-01-01",
        "police_certificate_required": True,
    }, format="json")

    assert response.status_code == 201
    assert response.json()["reopened_assignments"] == 2
    assert AuditEntry.objects.get(booking=first, action="guideline_reopened"
                                  ).details["rule"] == TL10_POLICE_CERT
    # The qualification check comes first: the lapsed entry is the reason given.
    assert AuditEntry.objects.get(booking=second, action="guideline_reopened"
                                  ).details["rule"] == TL7_QUALIFIED


def test_guidelines_api_bad_input_changes_nothing(admin_user: object) -> None:
    w = world()
    low = person("C")
    booking = assigned(w, low)
    response = client_for(admin_user).post("/api/v1/guidelines/", {
        "organisation": w.customer.org_number, "valid_from": "2026-01-01",
        "min_category": "B", "late_cancellation_hours": 999,
    }, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"code", "detail", "section", "fields"}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ASSIGNED and booking.min_category == ""
