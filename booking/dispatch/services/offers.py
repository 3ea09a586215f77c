"""Offers: waves to the top candidates, accept (first valid accept wins), decline, expiry, and the
`unfilled` outcome when nobody is left."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from booking.conflicts import booking_taken_error
from booking.dispatch.lifecycle import (
    BOOKING_WAVE_STATUSES,
    assignment_event,
    audit_record,
    booking_transition,
    offer_close,
    offer_payload,
    offer_transition,
    offers_withdraw,
)
from booking.dispatch.locks import lock_booking, lock_interpreter, lock_offer
from booking.dispatch.selectors import booking_date, interpreter_blocked_for
from booking.dispatch.services.assignments import assignment_create
from booking.dispatch.services.exception_path import personal_offer_terms
from booking.dispatch.services.waves import (
    booking_mark_unfilled,
    next_wave_if_exhausted,
    offer_minutes_default,
    offers_send_wave_locked,
    wave_size_default,
)
from booking.models import (
    Assignment,
    Booking,
    BookingStatus,
    Offer,
    OfferStatus,
    Role,
    User,
)
from booking.register.selectors import qualification_on
from booking.rules import Declarations
from booking.rules import checks as rules
from tolk.errors import ConflictError, NotFoundError, ValidationFailed

# Re-exported: the offer payload (API, websocket) and the wave functions are used from here.
__all__ = [
    "MAX_WAVE", "offer_accept", "offer_decline", "offer_minutes_default", "offer_payload",
    "offers_expire_due", "offers_send_wave", "offers_send_wave_locked", "wave_size_default",
]

MAX_WAVE = 100


@transaction.atomic
def offers_send_wave(
    *, booking_id: int, user: User, limit: int | None = None, now: dt.datetime | None = None,
    register_numbers: list[str] | None = None,
) -> list[Offer]:
    """The coordinator offers the booking to the top `limit` candidates at once, or to the
    candidates they picked (`register_numbers`)."""
    now = now or timezone.now()
    if limit is not None and not 1 <= limit <= MAX_WAVE:
        raise ValidationFailed.of(
            "wave_limit_invalid", limit=MAX_WAVE, fields={"limit": [f"Between 1 and {MAX_WAVE}."]}
        )
    booking = lock_booking(booking_id=booking_id)
    if not (
        (user.has_role(Role.COORDINATOR) and user.organisation_id == booking.provider_id)
        or user.has_role(Role.ADMIN)
    ):
        raise NotFoundError.of("booking_not_found")
    if booking.status not in BOOKING_WAVE_STATUSES:
        raise ConflictError.of("booking_cannot_be_offered", fields={"status": booking.status})
    return offers_send_wave_locked(booking=booking, actor=user, limit=limit, now=now,
                                   register_numbers=register_numbers)


def _own_offer(*, offer_id: int, user: User) -> Offer:
    if not user.has_role(Role.INTERPRETER) or not user.interpreter_id:
        raise NotFoundError.of("offer_not_found")
    offer = Offer.objects.filter(pk=offer_id, interpreter_id=user.interpreter_id).first()
    if offer is None:
        raise NotFoundError.of("offer_not_found")
    return offer


def _require_pending(offer: Offer, now: dt.datetime) -> None:
    if offer.status != OfferStatus.PENDING:
        if offer.status == OfferStatus.WITHDRAWN and offer.booking.status in (
            BookingStatus.ASSIGNED, BookingStatus.COMPLETED
        ):
            raise booking_taken_error()
        raise ConflictError.of(
            "offer_not_pending", offer_status=offer.status, fields={"status": offer.status}
        )
    if offer.expires_at <= now:
        raise ConflictError.of("offer_expired")


def offer_accept(
    *, offer_id: int, user: User, declarations: Declarations, now: dt.datetime | None = None
) -> Assignment:
    """The interpreter takes the offer. The first valid accept wins; the booking's other offers
    are withdrawn (reason `taken`). Re-checks, on the assignment date: the register entry for the
    language (§ 14), the minimum category (§ 9), the police certificate (§ 10), the case block and
    the declarations (§§ 15–16), and that the interpreter is still free (travel included). A
    personal offer (exception path) is checked against its documented exception instead: not
    qualified only with the dispensation or a § 7 exception, blocked only with the override."""
    now = now or timezone.now()
    found = _own_offer(offer_id=offer_id, user=user)
    with transaction.atomic():
        booking = lock_booking(booking_id=found.booking_id)
        offer = lock_offer(offer_id=found.pk)
        if booking.status != BookingStatus.OFFERED and offer.status == OfferStatus.PENDING:
            raise booking_taken_error() if booking.status == BookingStatus.ASSIGNED else (
                ConflictError.of("booking_not_open", fields={"status": booking.status}))
        _require_pending(offer, now)
        declarations.require_complete()
        interpreter = lock_interpreter(interpreter_id=offer.interpreter_id)
        on = booking_date(booking)
        if offer.personal:
            # Chosen by the coordinator on the exception path: its § 7 exception and § 16
            # override are checked again, now that the interpreter declares.
            terms = personal_offer_terms(offer=offer, booking=booking, interpreter=interpreter)
            category, basis, exception = terms.category, terms.basis, terms.exception
        else:
            qualification = qualification_on(interpreter=interpreter, language=booking.language,
                                             on=on)
            found_category = qualification.category if qualification else None
            rules.check_language(category=found_category, language=booking.language, on=on)
            assert found_category is not None  # noqa: S101 - check_language raised otherwise
            category, basis, exception = found_category, rules.BASIS_QUALIFIED, None
            if booking.min_category:
                rules.check_category(category=category, min_category=booking.min_category)
            rules.check_police_certificate(
                required=booking.police_certificate_required,
                valid_until=interpreter.police_certificate_valid_until, on=on,
            )
            rules.check_not_blocked(
                blocked=interpreter_blocked_for(booking=booking, interpreter_id=interpreter.pk)
            )
        assignment = assignment_create(
            booking=booking, interpreter=interpreter, actor=user, category=category,
            basis=basis, declarations=declarations, offer=offer, exception=exception, now=now,
        )
        offer_transition(offer=offer, to_status=OfferStatus.ACCEPTED, now=now)
        offers_withdraw(booking=booking, reason="taken", exclude_offer_id=offer.pk)
        assignment_event(assignment, change="assigned")
        booking_transition(
            booking=booking, to_status=BookingStatus.ASSIGNED, actor=user, action="accepted",
            accepted_at=now,
            details={
                "offer_id": offer.pk,
                "interpreter": interpreter.register_number,
                "category": category,
                "basis": basis,
                "impartial": declarations.impartial,
                "confidentiality": declarations.confidentiality,
                **({"personal": True,
                    "exception_ground": exception.ground if exception else "",
                    "decided_by": exception.decided_by if exception else "",
                    "impartiality_override": offer.block_override_reason}
                   if offer.personal else {}),
            },
        )
    return assignment


def offer_decline(
    *, offer_id: int, user: User, reason: str = "", now: dt.datetime | None = None
) -> Offer:
    """The interpreter says no. When it was the last pending offer, the next wave goes out (or the
    booking becomes `unfilled`)."""
    now = now or timezone.now()
    found = _own_offer(offer_id=offer_id, user=user)
    with transaction.atomic():
        booking = lock_booking(booking_id=found.booking_id)
        offer = lock_offer(offer_id=found.pk)
        _require_pending(offer, now)
        offer_close(offer=offer, booking=booking, reason="declined", now=now,
                    decline_reason=reason)
        audit_record(booking=booking, actor=user, action="offer_declined",
                     from_status=booking.status, to_status=booking.status,
                     reason=offer.decline_reason, details={"offer_id": offer.pk})
        next_wave_if_exhausted(booking, now=now)
    return offer


def offers_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire pending offers past their deadline; for each booking whose wave is then exhausted,
    send the next wave or mark it `unfilled`. Open or offered bookings whose start has passed
    become `unfilled`. Returns the number of offers expired. Safe to run from several workers."""
    now = now or timezone.now()
    due_bookings = set(
        Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now)
        .values_list("booking_id", flat=True)
    )
    due_bookings |= set(
        Booking.objects.filter(
            status__in=[BookingStatus.OPEN, BookingStatus.OFFERED], start__lte=now
        ).values_list("pk", flat=True)
    )
    expired = 0
    for booking_id in sorted(due_bookings):
        with transaction.atomic():
            booking = lock_booking(booking_id=booking_id)
            due = list(
                Offer.objects.select_for_update()
                .filter(booking=booking, status=OfferStatus.PENDING, expires_at__lte=now)
            )
            for offer in due:
                offer_close(offer=offer, booking=booking, reason="expired", now=now)
            expired += len(due)
            if booking.status == BookingStatus.OFFERED:
                next_wave_if_exhausted(booking, now=now)
            elif booking.status == BookingStatus.OPEN and booking.start <= now:
                booking_mark_unfilled(booking, actor=None,
                                      reason="start time reached without interpreter")
    return expired
