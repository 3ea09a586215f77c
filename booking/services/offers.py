"""Offers: waves to the top candidates, accept (first valid accept wins), decline, expiry, and the
`unfilled` outcome when nobody is left."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from booking.languages import language_name
from booking.locks import lock_booking, lock_interpreter, lock_offer
from booking.models import (
    Assignment,
    Booking,
    BookingStatus,
    Modality,
    Offer,
    OfferStatus,
    Role,
    User,
)
from booking.outbox import event_record
from booking.rules import Declarations
from booking.rules import checks as rules
from booking.selectors import qualification_on
from booking.selectors_bookings import booking_candidates, booking_date, interpreter_blocked_for
from booking.services.bookings import (
    assignment_create,
    assignment_event,
    booking_taken_error,
    booking_transition,
    offers_withdraw,
)
from tolk.errors import ConflictError, NotFoundError, ValidationFailed

MAX_WAVE = 100


def wave_size_default() -> int:
    return int(getattr(settings, "TOLK_OFFER_WAVE_SIZE", 5))


def offer_minutes_default() -> int:
    return int(getattr(settings, "TOLK_OFFER_MINUTES", 60))


def offer_payload(offer: Offer, booking: Booking) -> dict[str, object]:
    """What the interpreter needs to judge the offer (§ 14): never data about the person."""
    payload: dict[str, object] = {
        "offer_id": offer.pk,
        "booking_id": booking.pk,
        "language": booking.language,
        "language_name": language_name(booking.language),
        "dialect": booking.dialect,
        "modality": booking.modality,
        "start": booking.start.isoformat(),
        "end": booking.end.isoformat(),
        "topic_notes": booking.topic_notes,
        "terminology_notes": booking.terminology_notes,
        "expires_at": offer.expires_at.isoformat(),
        "personal": offer.personal,
    }
    if booking.modality == Modality.ONSITE:
        payload["municipality"] = booking.municipality
        payload["address"] = booking.address
    else:
        payload["platform"] = booking.platform
    return payload


def _offer_not_found() -> NotFoundError:
    return NotFoundError(
        code="offer_not_found", message_nb="Fant ikke tilbudet.", message_en="Offer not found."
    )


def _mark_unfilled(booking: Booking, *, actor: User | None, reason: str) -> None:
    booking_transition(
        booking=booking, to_status=BookingStatus.UNFILLED, actor=actor, action="unfilled",
        reason=reason, actor_role="" if actor else "system",
    )


def offers_send_wave_locked(
    *, booking: Booking, actor: User | None, limit: int | None, now: dt.datetime,
    register_numbers: list[str] | None = None,
) -> list[Offer]:
    """Offer `booking` to the next `limit` candidates (or to the chosen `register_numbers`, who
    must be candidates). Call inside transaction.atomic holding SELECT ... FOR UPDATE on the
    booking row. When nobody is left and no offer is pending, the booking becomes `unfilled`."""
    limit = limit or wave_size_default()
    if booking.start <= now:
        if not Offer.objects.filter(booking=booking, status=OfferStatus.PENDING).exists():
            _mark_unfilled(booking, actor=actor, reason="start time reached without interpreter")
        return []
    candidates = booking_candidates(
        booking=booking, now=now, limit=None if register_numbers else limit
    )
    if register_numbers:
        wanted = set(register_numbers)
        candidates = [c for c in candidates if c.register_number in wanted]
        missing = sorted(wanted - {c.register_number for c in candidates})
        if missing:
            raise ValidationFailed(
                code="not_a_candidate",
                message_nb="Noen av tolkene kan ikke få tilbudet (se ?explain= for grunnen).",
                message_en="Some of the interpreters cannot be offered the booking (see "
                "?explain= for the reason).",
                fields={"register_numbers": missing},
            )
    candidates = candidates[:limit]
    if not candidates:
        if not Offer.objects.filter(booking=booking, status=OfferStatus.PENDING).exists():
            _mark_unfilled(booking, actor=actor, reason="no candidates left")
        return []
    expires_at = min(now + dt.timedelta(minutes=offer_minutes_default()), booking.start)
    booking.wave += 1
    # Interpreters whose earlier offer was withdrawn (someone else took it) get that row back.
    earlier = {
        o.interpreter_id: o
        for o in Offer.objects.select_for_update().filter(
            booking=booking, interpreter_id__in=[c.interpreter_id for c in candidates],
            status=OfferStatus.WITHDRAWN,
        )
    }
    fresh = []
    for c in candidates:
        offer = earlier.get(c.interpreter_id)
        if offer is None:
            fresh.append(Offer(booking=booking, interpreter_id=c.interpreter_id,
                               wave=booking.wave, rank=c.rank, expires_at=expires_at))
            continue
        offer.status = OfferStatus.PENDING
        offer.wave, offer.rank, offer.expires_at = booking.wave, c.rank, expires_at
        offer.responded_at = None
        offer.save(update_fields=["status", "wave", "rank", "expires_at", "responded_at"])
    Offer.objects.bulk_create(fresh)
    offers = list(Offer.objects.filter(booking=booking, wave=booking.wave).order_by("rank"))
    for offer in offers:
        event_record(kind="offer.created", payload=offer_payload(offer, booking),
                     interpreter_ids=[offer.interpreter_id])
    details = {
        "wave": booking.wave,
        "interpreters": [c.register_number for c in candidates],
        "expires_at": expires_at.isoformat(),
    }
    if booking.status != BookingStatus.OFFERED:
        booking_transition(
            booking=booking, to_status=BookingStatus.OFFERED, actor=actor, action="offers_sent",
            details=details, actor_role="" if actor else "system", update_fields=("wave",),
        )
    else:
        booking.save(update_fields=["wave", "updated_at"])
        from booking.services.bookings import audit_record

        audit_record(booking=booking, actor=actor, action="offers_sent",
                     from_status=booking.status, to_status=booking.status, details=details,
                     actor_role="" if actor else "system")
    return offers


@transaction.atomic
def offers_send_wave(
    *, booking_id: int, user: User, limit: int | None = None, now: dt.datetime | None = None,
    register_numbers: list[str] | None = None,
) -> list[Offer]:
    """The coordinator offers the booking to the top `limit` candidates at once, or to the
    candidates they picked (`register_numbers`)."""
    now = now or timezone.now()
    if limit is not None and not 1 <= limit <= MAX_WAVE:
        raise ValidationFailed(
            code="invalid", message_nb=f"limit må være mellom 1 og {MAX_WAVE}.",
            message_en=f"limit must be between 1 and {MAX_WAVE}.",
            fields={"limit": [f"Between 1 and {MAX_WAVE}."]},
        )
    booking = lock_booking(booking_id=booking_id)
    if not (
        (user.has_role(Role.COORDINATOR) and user.organisation_id == booking.provider_id)
        or user.has_role(Role.ADMIN)
    ):
        raise NotFoundError(code="booking_not_found", message_nb="Fant ikke bestillingen.",
                            message_en="Booking not found.")
    if booking.status not in (BookingStatus.OPEN, BookingStatus.OFFERED):
        raise ConflictError(
            code="booking_not_open",
            message_nb="Bestillingen kan ikke tilbys nå.",
            message_en="The booking cannot be offered now.",
            fields={"status": booking.status},
        )
    return offers_send_wave_locked(booking=booking, actor=user, limit=limit, now=now,
                                   register_numbers=register_numbers)


def _own_offer(*, offer_id: int, user: User) -> Offer:
    if not user.has_role(Role.INTERPRETER) or not user.interpreter_id:
        raise _offer_not_found()
    offer = Offer.objects.filter(pk=offer_id, interpreter_id=user.interpreter_id).first()
    if offer is None:
        raise _offer_not_found()
    return offer


def _require_pending(offer: Offer, now: dt.datetime) -> None:
    if offer.status != OfferStatus.PENDING:
        if offer.status == OfferStatus.WITHDRAWN and offer.booking.status in (
            BookingStatus.ASSIGNED, BookingStatus.COMPLETED
        ):
            raise booking_taken_error()
        raise ConflictError(
            code="offer_not_pending",
            message_nb=f"Tilbudet er ikke lenger åpent ({offer.status}).",
            message_en=f"The offer is no longer open ({offer.status}).",
            fields={"status": offer.status},
        )
    if offer.expires_at <= now:
        raise ConflictError(
            code="offer_expired", message_nb="Tilbudet har gått ut.",
            message_en="The offer has expired.",
        )


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
                ConflictError(code="booking_not_open",
                              message_nb="Bestillingen er ikke lenger åpen.",
                              message_en="The booking is no longer open.",
                              fields={"status": booking.status}))
        _require_pending(offer, now)
        declarations.require_complete()
        interpreter = lock_interpreter(interpreter_id=offer.interpreter_id)
        on = booking_date(booking)
        if offer.personal:
            # Chosen by the coordinator on the exception path: its § 7 exception and § 16
            # override are checked again, now that the interpreter declares.
            from booking.services.exception_path import personal_offer_terms

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
        offer.status = OfferStatus.ACCEPTED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        offers_withdraw(booking=booking, reason="taken", exclude_offer_id=offer.pk)
        assignment_event(assignment, change="assigned")
        booking_transition(
            booking=booking, to_status=BookingStatus.ASSIGNED, actor=user, action="accepted",
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
        offer.status = OfferStatus.DECLINED
        offer.responded_at = now
        offer.decline_reason = reason.strip()[:500]
        offer.save(update_fields=["status", "responded_at", "decline_reason"])
        from booking.services.bookings import audit_record

        audit_record(booking=booking, actor=user, action="offer_declined",
                     from_status=booking.status, to_status=booking.status,
                     reason=offer.decline_reason, details={"offer_id": offer.pk})
        _next_wave_if_exhausted(booking, now=now)
    return offer


def _next_wave_if_exhausted(booking: Booking, *, now: dt.datetime) -> None:
    if booking.status != BookingStatus.OFFERED:
        return
    if Offer.objects.filter(booking=booking, status=OfferStatus.PENDING).exists():
        return
    offers_send_wave_locked(booking=booking, actor=None, limit=None, now=now)


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
                offer.status = OfferStatus.EXPIRED
                offer.responded_at = now
                offer.save(update_fields=["status", "responded_at"])
                event_record(
                    kind="offer.withdrawn",
                    payload={"offer_id": offer.pk, "booking_id": booking.pk,
                             "reason": "expired"},
                    interpreter_ids=[offer.interpreter_id],
                )
            expired += len(due)
            if booking.status == BookingStatus.OFFERED:
                _next_wave_if_exhausted(booking, now=now)
            elif booking.status == BookingStatus.OPEN and booking.start <= now:
                _mark_unfilled(booking, actor=None, reason="start time reached without interpreter")
    return expired
