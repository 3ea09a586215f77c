"""Inserting an assignment: the one way a booking gets its interpreter, for an accepted offer
(`booking.dispatch.services.offers`) and for the documented exception path
(`booking.dispatch.services.exception_path`)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from booking.conflicts import booking_taken_error, interpreter_busy_error
from booking.dispatch.selectors import blocked_range, interpreter_is_free, travel_for
from booking.models import Assignment, Booking, DeclarationSource, Interpreter, Offer, User
from booking.rules import Declarations
from booking.rules.checks import ChildException, ExceptionRecord
from booking.rules.declarations import WrittenDeclaration
from tolk.db import constraint_name


def assignment_create(
    *, booking: Booking, interpreter: Interpreter | None, actor: User | None,
    category: str, basis: str, declarations: Declarations,
    offer: Offer | None = None, exception: ExceptionRecord | None = None,
    adhoc_name: str = "", adhoc_age: int | None = None,
    child_exception: ChildException | None = None,
    written: WrittenDeclaration | None = None, now: dt.datetime,
) -> Assignment:
    """Insert the assignment. Call holding the booking lock (and the interpreter lock). The
    interpreter's §§ 15–16 declarations are required: given when accepting (`declarations`), or
    for an ad hoc interpreter in writing (`written`, recorded by `actor` at `now`). A clash with
    the database constraints becomes a 409: `interpreter_busy` (overlapping assignment, travel
    included) or `booking_already_assigned`."""
    declarations.require_complete()
    travel = (
        travel_for(booking=booking, interpreter_municipality=interpreter.municipality)
        if interpreter is not None else 0
    )
    start, end = blocked_range(booking=booking, travel=travel)
    if interpreter is not None and not interpreter_is_free(
        interpreter_id=interpreter.pk, start=start, end=end, exclude_booking_id=booking.pk
    ):
        raise interpreter_busy_error()
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                booking=booking,
                interpreter=interpreter,
                offer=offer,
                adhoc_name=adhoc_name,
                adhoc_age=adhoc_age,
                start=booking.start,
                end=booking.end,
                blocked_start=start,
                blocked_end=end,
                travel_minutes=travel,
                category=category,
                category_checked_at=now,
                basis=basis,
                exception_ground=exception.ground if exception else "",
                exception_justification=exception.justification if exception else "",
                exception_decided_by=exception.decided_by if exception else "",
                child_exception_ground=child_exception.ground if child_exception else "",
                child_exception_reason=child_exception.reason if child_exception else "",
                declared_impartial=declarations.impartial,
                declared_confidentiality=declarations.confidentiality,
                declared_at=written.declared_at if written else now,
                declaration_source=(
                    DeclarationSource.WRITTEN if written else DeclarationSource.INTERPRETER
                ),
                declared_by_name=" ".join(written.declared_by.split()) if written else "",
                declaration_recorded_by=actor if written else None,
                declaration_recorded_at=now if written else None,
                created_by=actor,
            )
    except IntegrityError as exc:
        name = constraint_name(exc)
        if name == "assignment_no_overlap":
            raise interpreter_busy_error() from exc
        if name == "assignment_one_per_booking":
            raise booking_taken_error() from exc
        raise
    return assignment
