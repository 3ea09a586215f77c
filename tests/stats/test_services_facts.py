"""Facts from platform bookings, and platform plus provider files adding up without double
counting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from booking.dispatch.services.bookings import booking_cancel, booking_complete
from booking.dispatch.services.offers import offer_accept, offers_send_wave
from booking.rules import Declarations
from booking.signals import booking_finished
from stats.models import AssignmentFact
from stats.selectors import need_report
from stats.services.facts import fact_record_platform
from stats.services.imports import assignments_import
from tests.booking.booking_helpers import NOW, book, interpreter_user, world
from tests.stats.helpers import csv_bytes, fact_row

pytestmark = pytest.mark.django_db
YES = Declarations(impartial=True, confidentiality=True)


def completed_booking() -> tuple[Any, Any]:
    w = world()
    user = interpreter_user(category="B")
    booking = book(w)
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    done = booking_complete(
        booking_id=booking.pk, user=w.coordinator, actual_start=booking.start,
        actual_end=booking.start + dt.timedelta(minutes=75), cost_nok=Decimal("1250.00"),
        now=booking.end + dt.timedelta(hours=1),
    )
    return w, done


def test_completed_booking_becomes_a_fact_of_the_dispatching_provider() -> None:
    w, booking = completed_booking()
    fact = AssignmentFact.objects.get()
    assert fact.source == "platform" and fact.booking_id == booking.pk
    assert fact.provider_org_number == w.provider.org_number
    assert fact.provider_type == w.provider.provider_type
    assert fact.reference == f"tolk-{booking.pk}"
    assert (fact.outcome, fact.language, fact.modality) == ("completed", "ara", "onsite")
    assert (fact.interpreter_category, fact.qualified) == ("B", True)
    assert (fact.duration_minutes, fact.cost_nok) == (75, Decimal("1250.00"))
    assert fact.date == dt.date(2026, 12, 30)
    assert (fact.municipality, fact.county) == (booking.unit.municipality,
                                                booking.unit.municipality[:2])


def test_cancelled_booking_becomes_a_cancelled_fact() -> None:
    w = world()
    booking = book(w)
    booking_cancel(booking_id=booking.pk, user=w.booker, now=NOW)
    fact = AssignmentFact.objects.get()
    assert (fact.outcome, fact.qualified, fact.duration_minutes) == ("cancelled", False, None)


def test_signal_sent_again_replaces_the_fact() -> None:
    _w, booking = completed_booking()
    key = AssignmentFact.objects.get().record_key
    assert 0 <= key < 2**31
    booking_finished.send(sender=type(booking), booking=booking)
    assert AssignmentFact.objects.count() == 1
    # The same request: the statistics' record key stays, so its cells keep their values.
    assert AssignmentFact.objects.get().record_key == key


def test_every_fact_gets_its_own_random_record_key() -> None:
    result = assignments_import(
        stream=csv_bytes([fact_row(reference=f"k{i}") for i in range(50)]), file_name="k.csv",
        today=dt.date(2025, 1, 1),
    )
    assert result.ok
    keys = list(AssignmentFact.objects.values_list("record_key", flat=True))
    assert len(set(keys)) == 50 and all(0 <= key < 2**31 for key in keys)
    again = assignments_import(
        stream=csv_bytes([fact_row(reference=f"k{i}", cost_nok="5") for i in range(50)]),
        file_name="k.csv", today=dt.date(2025, 1, 1),
    )
    assert again.ok and again.changed == 50
    assert sorted(AssignmentFact.objects.values_list("record_key", flat=True)) == sorted(keys)


def _provider_file(w: Any, booking_id: int) -> Any:
    own = {"provider_org_number": w.provider.org_number, "provider_type": "municipal",
           "date": "2026-03-01"}
    return csv_bytes([
        fact_row(reference="own-1", **own),
        fact_row(reference="own-2", **own, outcome="unfilled", interpreter_category="",
                 duration_minutes="", cost_nok=""),
        # The provider also reports the booking it dispatched through Tolk.
        fact_row(reference=f"tolk-{booking_id}", **own),
    ])


def test_platform_and_file_add_up_without_double_counting() -> None:
    w, booking = completed_booking()
    result = assignments_import(stream=_provider_file(w, booking.pk), file_name="f.csv",
                                today=dt.date(2026, 6, 1))
    assert result.ok, result.errors
    assert (result.added, result.on_platform) == (2, 1)
    assert AssignmentFact.objects.count() == 3
    platform = AssignmentFact.objects.get(booking_id=booking.pk)
    assert platform.source == "platform" and platform.date == dt.date(2026, 12, 30)
    report = need_report(year=2026, suppress=False)
    assert report["totals"]["requests"] == 3  # 1 platform + 2 from the file
    assert report["totals"]["assignments"] == 2
    assert report["totals"]["unfilled"] == 1
    # Importing the file again changes nothing.
    again = assignments_import(stream=_provider_file(w, booking.pk), file_name="f.csv",
                               today=dt.date(2026, 6, 1))
    assert (again.added, again.changed, again.unchanged, again.on_platform) == (0, 0, 2, 1)
    assert need_report(year=2026, suppress=False)["totals"]["requests"] == 3


def test_file_first_then_booking_finishes_replaces_the_row() -> None:
    w = world()
    user = interpreter_user(category="A")
    booking = book(w)
    result = assignments_import(stream=_provider_file(w, booking.pk), file_name="f.csv",
                                today=dt.date(2026, 6, 1))
    assert result.ok and result.added == 3
    (offer,) = offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW)
    offer_accept(offer_id=offer.pk, user=user, declarations=YES, now=NOW)
    booking_complete(booking_id=booking.pk, user=w.coordinator, actual_start=booking.start,
                     actual_end=booking.end, now=booking.end + dt.timedelta(hours=1))
    assert AssignmentFact.objects.count() == 3
    fact = AssignmentFact.objects.get(reference=f"tolk-{booking.pk}")
    assert fact.source == "platform" and fact.booking_id == booking.pk


def test_invalid_platform_fields_are_refused() -> None:
    from tolk.errors import ValidationFailed

    fields = {"provider_org_number": "123", "provider_type": "private", "reference": "tolk-1",
              "date": dt.date(2026, 1, 1), "language": "ara", "modality": "phone",
              "sector": "health", "municipality": "0301", "interpreter_category": "",
              "outcome": "completed", "duration_minutes": 10, "cost_nok": None}
    with pytest.raises(ValidationFailed) as exc:
        fact_record_platform(booking_id=1, fields=fields)
    assert exc.value.fields == {"provider_org_number": ["'123' is not valid"]}
    assert not AssignmentFact.objects.exists()


def test_unfilled_then_assigned_by_exception_counts_once_as_what_it_became() -> None:
    from booking.dispatch.services.exception_path import assignment_record_adhoc
    from booking.rules import ExceptionRecord, WrittenDeclaration

    w = world()
    interpreter_user(language="tir")
    booking = book(w)
    assert offers_send_wave(booking_id=booking.pk, user=w.coordinator, now=NOW) == []
    assert AssignmentFact.objects.get(booking_id=booking.pk).outcome == "unfilled"
    assignment_record_adhoc(
        booking_id=booking.pk, user=w.coordinator, adhoc_name="Voksen Person", adhoc_age=40,
        exception=ExceptionRecord(
            ground="cannot_wait", justification="Fristen for vedtak løper ut i dag; ingen ledig.",
            decided_by="Avdelingsleder Nordmann",
        ),
        written_declaration=WrittenDeclaration(
            declared_by="Voksen Person", declared_at=NOW, impartial=True, confidentiality=True
        ),
        now=NOW,
    )
    # Assigned again: no longer a finished request, so not counted as unfilled.
    assert not AssignmentFact.objects.filter(booking_id=booking.pk).exists()
    booking_complete(
        booking_id=booking.pk, user=w.coordinator, actual_start=booking.start,
        actual_end=booking.start + dt.timedelta(minutes=60), cost_nok=Decimal("900.00"),
        now=booking.end + dt.timedelta(hours=1),
    )
    fact = AssignmentFact.objects.get(booking_id=booking.pk)
    assert (fact.outcome, fact.qualified, fact.duration_minutes) == ("completed", False, 60)
