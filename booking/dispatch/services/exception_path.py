"""The documented exception path: the coordinator chooses an interpreter outside the offer waves.

- A registered interpreter (e.g. not qualified for the language but the best available, with a
  § 7 exception, or one blocked for the case with a written § 16 override) gets a *personal
  offer*. It becomes an assignment only when the interpreter accepts it with their own §§ 15–16
  declarations (`offer_accept`, REST or websocket); the exception is checked again then.
- An ad hoc interpreter outside the register (no login) is assigned at once, but only with their
  written declarations recorded: the name they declared under, when, and by which user it was
  recorded.

A coordinator never declares for an interpreter, and the booking is not `assigned` before the
declarations exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.conflicts import interpreter_busy_error
from booking.dispatch.lifecycle import (
    assignment_event,
    audit_record,
    booking_sources,
    booking_transition,
    offer_reissue,
    offers_created,
    offers_withdraw,
)
from booking.dispatch.locks import lock_booking, lock_interpreter
from booking.dispatch.selectors import (
    blocked_range,
    booking_date,
    interpreter_blocked_for,
    interpreter_is_free,
    travel_for,
)
from booking.dispatch.services.assignments import assignment_create
from booking.dispatch.services.waves import offer_minutes_for
from booking.models import (
    Assignment,
    Booking,
    BookingStatus,
    Interpreter,
    Offer,
    OfferStatus,
    Role,
    User,
)
from booking.register.selectors import qualification_on
from booking.rules import Declarations, rule_set_for
from booking.rules import checks as rules
from booking.rules.checks import ChildException, ExceptionRecord
from booking.rules.declarations import WrittenDeclaration, written_declaration_required
from tolk.errors import ConflictError, NotFoundError, ValidationFailed

# A § 16 override needs a written reason, not a word.
MIN_OVERRIDE_REASON = 10
# Where the exception path may start: wherever the booking can still become `assigned` (open,
# offered, and unfilled – the path reopens a booking nobody took).
EXCEPTION_PATH_STATUSES = booking_sources(BookingStatus.ASSIGNED)


@dataclass(frozen=True)
class ExceptionTerms:
    """On what footing a registered interpreter may take a booking outside the waves."""

    category: str  # "" when not qualified for the language on the day
    basis: str
    exception: ExceptionRecord | None
    block_override: str  # "" when the interpreter is not blocked for the case


def exception_terms(
    *, booking: Booking, interpreter: Interpreter, exception: ExceptionRecord | None,
    block_override_reason: str,
) -> ExceptionTerms:
    """Apply the rules for a registered interpreter chosen outside the waves: police certificate
    (§ 10), a case block only with a written override (§ 16), the minimum category when
    qualified (§ 9), and the qualification basis (§ 7: qualified, dispensation up to the cut-off,
    or a documented exception). Used when the personal offer is made and again when it is
    accepted. Call holding the booking and interpreter locks."""
    on = booking_date(booking)
    qualification = qualification_on(interpreter=interpreter, language=booking.language, on=on)
    category = qualification.category if qualification else ""
    rules.check_police_certificate(
        required=booking.police_certificate_required,
        valid_until=interpreter.police_certificate_valid_until, on=on,
    )
    override = ""
    if interpreter_blocked_for(booking=booking, interpreter_id=interpreter.pk):
        override = block_override_reason.strip()
        if len(override) < MIN_OVERRIDE_REASON:
            rules.check_not_blocked(blocked=True)
    if category and booking.min_category:
        rules.check_category(category=category, min_category=booking.min_category)
    basis = rules.qualification_basis(
        on=on, dispensation_last_day=settings.TOLK_DISPENSATION_LAST_DAY,
        required=booking.qualified_required, category=category or None, exception=exception,
    )
    return ExceptionTerms(category=category, basis=basis, exception=exception,
                          block_override=override)


def personal_offer_terms(*, offer: Offer, booking: Booking, interpreter: Interpreter
                         ) -> ExceptionTerms:
    """The terms of a personal offer, checked again at accept (the register, a block or the
    interpreter's certificate may have changed since it was made)."""
    exception = None
    if offer.exception_ground:
        exception = ExceptionRecord(
            ground=offer.exception_ground, justification=offer.exception_justification,
            decided_by=offer.exception_decided_by,
        )
    return exception_terms(booking=booking, interpreter=interpreter, exception=exception,
                           block_override_reason=offer.block_override_reason)


def _booking_for_exception(*, booking_id: int, user: User) -> Booking:
    """Lock the booking and check that `user` dispatches it (its provider's coordinator, or an
    admin) and that it can still be given to someone."""
    booking = lock_booking(booking_id=booking_id)
    if not (
        (user.has_role(Role.COORDINATOR) and user.organisation_id == booking.provider_id)
        or user.has_role(Role.ADMIN)
    ):
        raise NotFoundError.of("booking_not_found")
    if booking.status not in EXCEPTION_PATH_STATUSES:
        raise ConflictError.of("booking_cannot_be_assigned", fields={"status": booking.status})
    return booking


def _exception_details(booking: Booking, exception: ExceptionRecord | None) -> dict[str, str]:
    return {
        "exception_ground": exception.ground if exception else "",
        "decided_by": exception.decided_by if exception else "",
        "rule_set": rule_set_for(on=booking_date(booking),
                                 dispensation_last_day=settings.TOLK_DISPENSATION_LAST_DAY),
    }


@transaction.atomic
def offer_send_personal(
    *, booking_id: int, user: User, register_number: str,
    exception: ExceptionRecord | None = None, block_override_reason: str = "",
    now: dt.datetime | None = None,
) -> Offer:
    """Offer the booking to one registered interpreter the coordinator chose outside the waves.
    The rules of the exception path are applied now (and again at accept); the booking's other
    pending offers are withdrawn and the booking is `offered` until the interpreter answers. The
    offer is open for `TOLK_OFFER_MINUTES`, but never past the booking's end."""
    now = now or timezone.now()
    booking = _booking_for_exception(booking_id=booking_id, user=user)
    if booking.end <= now:
        raise ConflictError.of("booking_ended")
    found = Interpreter.objects.filter(register_number=register_number).first()
    if found is None:
        raise NotFoundError.of(
            "interpreter_not_found", fields={"register_number": register_number}
        )
    interpreter = lock_interpreter(interpreter_id=found.pk)
    terms = exception_terms(booking=booking, interpreter=interpreter, exception=exception,
                            block_override_reason=block_override_reason)
    travel = travel_for(booking=booking, interpreter_municipality=interpreter.municipality)
    start, end = blocked_range(booking=booking, travel=travel)
    if not interpreter_is_free(interpreter_id=interpreter.pk, start=start, end=end,
                               exclude_booking_id=booking.pk):
        raise interpreter_busy_error()

    offer = (Offer.objects.select_for_update(no_key=True)
             .filter(booking=booking, interpreter=interpreter).first())
    if offer is not None and hasattr(offer, "assignment"):
        raise ConflictError.of("interpreter_already_assigned_once")
    offers_withdraw(booking=booking, reason="taken",
                    exclude_offer_id=offer.pk if offer is not None else None)
    values = {
        "personal": True,
        "wave": booking.wave,
        "rank": 1,
        "expires_at": min(now + dt.timedelta(minutes=offer_minutes_for(booking)), booking.end),
        "responded_at": None,
        "decline_reason": "",
        "exception_ground": exception.ground if exception else "",
        "exception_justification": exception.justification if exception else "",
        "exception_decided_by": exception.decided_by if exception else "",
        "block_override_reason": terms.block_override,
        "sent_by": user,
    }
    if offer is None:
        offer = Offer.objects.create(booking=booking, interpreter=interpreter,
                                     status=OfferStatus.PENDING, **values)
    else:
        offer_reissue(offer=offer, values=values)
    offers_created(offers=[offer], booking=booking)
    details = {
        "offer_id": offer.pk,
        "interpreter": interpreter.register_number,
        "category": terms.category,
        "basis": terms.basis,
        **_exception_details(booking, exception),
        "impartiality_override": terms.block_override,
        "expires_at": offer.expires_at.isoformat(),
    }
    reason = exception.justification if exception else ""
    if booking.status != BookingStatus.OFFERED:
        booking_transition(booking=booking, to_status=BookingStatus.OFFERED, actor=user,
                           action="personal_offer_sent", reason=reason, details=details)
    else:
        audit_record(booking=booking, actor=user, action="personal_offer_sent",
                     from_status=booking.status, to_status=booking.status, reason=reason,
                     details=details)
    return offer


@transaction.atomic
def assignment_record_adhoc(
    *, booking_id: int, user: User, adhoc_name: str, adhoc_age: int | None,
    written_declaration: WrittenDeclaration | None, exception: ExceptionRecord | None = None,
    child_exception: ChildException | None = None, now: dt.datetime | None = None,
) -> Assignment:
    """Assign an interpreter outside the register (no login): age required and a child only with
    a § 4 exception; not qualified, so the dispensation (up to the cut-off) or a documented § 7
    exception; and their written §§ 15–16 declarations, recorded with who declared, when, and
    by `user`. Refused without the written declaration; the booking becomes `assigned`."""
    now = now or timezone.now()
    booking = _booking_for_exception(booking_id=booking_id, user=user)
    name = " ".join(adhoc_name.split())
    if not name:
        raise ValidationFailed.of("adhoc_name_missing", fields={"adhoc_name": ["Required."]})
    if len(name) > 200:
        raise ValidationFailed.of(
            "adhoc_name_too_long", fields={"adhoc_name": ["At most 200 characters."]}
        )
    on = booking_date(booking)
    rules.check_child(age=adhoc_age, child_exception=child_exception)
    rules.check_police_certificate(
        required=booking.police_certificate_required, valid_until=None, on=on
    )
    basis = rules.qualification_basis(
        on=on, dispensation_last_day=settings.TOLK_DISPENSATION_LAST_DAY,
        required=booking.qualified_required, category=None, exception=exception,
    )
    if written_declaration is None:
        raise written_declaration_required()
    written_declaration.validate(interpreter_name=name, now=now, assignment_end=booking.end)
    is_child = adhoc_age is not None and adhoc_age < rules.ADULT_AGE
    offers_withdraw(booking=booking, reason="taken")
    assignment = assignment_create(
        booking=booking, interpreter=None, actor=user, category="", basis=basis,
        declarations=Declarations(impartial=written_declaration.impartial,
                                  confidentiality=written_declaration.confidentiality),
        written=written_declaration, exception=exception, adhoc_name=name, adhoc_age=adhoc_age,
        child_exception=child_exception if is_child else None, now=now,
    )
    assignment_event(assignment, change="assigned")
    booking_transition(
        booking=booking, to_status=BookingStatus.ASSIGNED, actor=user, accepted_at=now,
        action="assigned_by_exception" if basis == rules.BASIS_EXCEPTION else "assigned_directly",
        reason=exception.justification if exception else "",
        details={
            "assignment_id": assignment.pk,
            "interpreter": "ad hoc",
            "category": "",
            "basis": basis,
            **_exception_details(booking, exception),
            "child_exception": child_exception.ground if is_child and child_exception else "",
            "declaration": "written",
            "declared_by": assignment.declared_by_name,
            "declared_at": written_declaration.declared_at.isoformat(),
        },
    )
    return assignment
