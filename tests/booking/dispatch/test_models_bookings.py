"""The database itself keeps the declarations: no assignment without both §§ 15–16 declarations
from the interpreter or a written declaration record, and an offer carries a § 7 exception only
when it is a personal offer with the exception documented."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from booking.models import Assignment, Booking, Offer
from tests import factories
from tests.booking.booking_helpers import book, world

pytestmark = pytest.mark.django_db


def _assignment(booking: Booking, **values: Any) -> Assignment:
    now = timezone.now()
    fields: dict[str, Any] = {
        "booking": booking, "start": booking.start, "end": booking.end,
        "blocked_start": booking.start, "blocked_end": booking.end, "category_checked_at": now,
        "basis": "not_required", "declared_impartial": True, "declared_confidentiality": True,
        "declared_at": now,
    }
    fields.update(values)
    return Assignment.objects.create(**fields)


def _refused(constraint: str, booking: Booking, **values: Any) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        _assignment(booking, **values)


def test_an_assignment_needs_the_interpreters_own_declarations() -> None:
    w = world()
    booking = book(w)
    interpreter = factories.InterpreterFactory()
    name = "assignment_declarations_given"
    for missing in ({"declared_impartial": False}, {"declared_confidentiality": False},
                    {"declared_at": None}):
        _refused(name, booking, interpreter=interpreter, declaration_source="interpreter",
                 **missing)
    # A registered interpreter declares when accepting, never "in writing" via a coordinator.
    _refused(name, booking, interpreter=interpreter, declaration_source="written",
             declared_by_name="Tolk", declaration_recorded_by=w.coordinator,
             declaration_recorded_at=timezone.now())
    _refused(name, booking, interpreter=interpreter, declaration_source="")
    _refused(name, booking, interpreter=interpreter, declaration_source="coordinator")
    assert _assignment(booking, interpreter=interpreter, declaration_source="interpreter").pk


def test_an_adhoc_assignment_needs_the_written_declaration_record() -> None:
    w = world()
    booking = book(w)
    now = timezone.now()
    record = {"declared_by_name": "Amina Tolk", "declaration_recorded_by": w.coordinator,
              "declaration_recorded_at": now}
    base = {"adhoc_name": "Amina Tolk", "adhoc_age": 40, "declaration_source": "written"}
    name = "assignment_declarations_given"
    for missing in ("declared_by_name", "declaration_recorded_by", "declaration_recorded_at"):
        values = {**base, **record, missing: "" if missing == "declared_by_name" else None}
        _refused(name, booking, **values)
    _refused(name, booking, **base, **record, declared_at=None)
    _refused(name, booking, adhoc_name="Amina Tolk", adhoc_age=40,
             declaration_source="interpreter")
    assignment = _assignment(booking, **base, **record,
                             declared_at=now - dt.timedelta(minutes=5))
    assert assignment.declaration_source == "written"


def test_older_assignments_are_marked_legacy_not_given_declarations() -> None:
    w = world()
    booking = book(w)
    assignment = _assignment(booking, adhoc_name="Ukjent", adhoc_age=40,
                             declaration_source="legacy", declared_impartial=False,
                             declared_confidentiality=False, declared_at=None)
    assert assignment.declaration_source == "legacy"


def test_only_a_personal_offer_carries_a_documented_exception() -> None:
    w = world()
    booking = book(w)
    expires = booking.start
    documented = {"exception_ground": "emergency", "exception_justification": "Akutt, ingen.",
                  "exception_decided_by": "Vakthavende lege"}

    def offer(**values: Any) -> Offer:
        return Offer.objects.create(booking=booking, interpreter=factories.InterpreterFactory(),
                                    wave=1, rank=1, expires_at=expires, **values)

    with pytest.raises(IntegrityError, match="offer_exception_only_personal"), \
            transaction.atomic():
        offer(**documented)
    with pytest.raises(IntegrityError, match="offer_exception_only_personal"), \
            transaction.atomic():
        offer(block_override_reason="Akutt innleggelse.")
    for incomplete in ({"exception_justification": ""}, {"exception_decided_by": ""},
                       {"exception_ground": "whim"}):
        with pytest.raises(IntegrityError, match="offer_exception_documented"), \
                transaction.atomic():
            offer(personal=True, **{**documented, **incomplete})
    assert offer(personal=True, **documented).personal
    assert not offer().personal
