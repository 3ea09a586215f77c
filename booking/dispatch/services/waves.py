"""Dispatch: offering a booking to the next wave of candidates, the `unfilled` outcome when nobody
is left, and reopening a booking whose interpreter is taken off (it is offered again at once).

The services that change who may take a booking (offers, blocks, the re-check, cancellation by
the interpreter, automatic dispatch on create) build on these; this module uses only the lifecycle
(`booking.dispatch.lifecycle`) and the selectors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from booking.dispatch.lifecycle import (
    assignment_end,
    audit_record,
    booking_transition,
    offer_reissue,
    offers_created,
)
from booking.dispatch.selectors import booking_candidates
from booking.models import Assignment, Booking, BookingStatus, Offer, OfferStatus, User
from tolk.errors import ValidationFailed


def wave_size_default() -> int:
    return int(getattr(settings, "TOLK_OFFER_WAVE_SIZE", 5))


def offer_minutes_default() -> int:
    return int(getattr(settings, "TOLK_OFFER_MINUTES", 60))


def wave_size_for(booking: Booking) -> int:
    """How many candidates the next wave goes to when the coordinator names no number: more for
    the first wave of an acute booking."""
    if booking.acute and booking.wave == 0:
        return max(int(settings.TOLK_ACUTE_FIRST_WAVE), wave_size_default())
    return wave_size_default()


def offer_minutes_for(booking: Booking) -> int:
    """How long an offer of `booking` stays open: short for an acute booking."""
    if booking.acute:
        return min(int(settings.TOLK_ACUTE_OFFER_MINUTES), offer_minutes_default())
    return offer_minutes_default()


def booking_mark_unfilled(booking: Booking, *, actor: User | None, reason: str) -> None:
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
    limit = limit or wave_size_for(booking)
    if booking.start <= now:
        if not Offer.objects.filter(booking=booking, status=OfferStatus.PENDING).exists():
            booking_mark_unfilled(booking, actor=actor,
                                  reason="start time reached without interpreter")
        return []
    candidates = booking_candidates(
        booking=booking, now=now, limit=None if register_numbers else limit
    )
    if register_numbers:
        wanted = set(register_numbers)
        candidates = [c for c in candidates if c.register_number in wanted]
        missing = sorted(wanted - {c.register_number for c in candidates})
        if missing:
            raise ValidationFailed.of("not_a_candidate", fields={"register_numbers": missing})
    candidates = candidates[:limit]
    if not candidates:
        if not Offer.objects.filter(booking=booking, status=OfferStatus.PENDING).exists():
            booking_mark_unfilled(booking, actor=actor, reason="no candidates left")
        return []
    expires_at = min(now + dt.timedelta(minutes=offer_minutes_for(booking)), booking.start)
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
        offer_reissue(offer=offer, values={"wave": booking.wave, "rank": c.rank,
                                           "expires_at": expires_at, "responded_at": None})
    Offer.objects.bulk_create(fresh)
    offers = list(Offer.objects.filter(booking=booking, wave=booking.wave).order_by("rank"))
    offers_created(offers=offers, booking=booking)
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
        audit_record(booking=booking, actor=actor, action="offers_sent",
                     from_status=booking.status, to_status=booking.status, details=details,
                     actor_role="" if actor else "system")
    return offers


def next_wave_if_exhausted(booking: Booking, *, now: dt.datetime) -> None:
    """An offered booking with no pending offer left: the next wave goes out (or unfilled)."""
    if booking.status != BookingStatus.OFFERED:
        return
    if Offer.objects.filter(booking=booking, status=OfferStatus.PENDING).exists():
        return
    offers_send_wave_locked(booking=booking, actor=None, limit=None, now=now)


def assignment_reopen(
    booking: Booking, assignment: Assignment, *, status: str, actor: User | None, reason: str,
    action: str, actor_role: str = "", now: dt.datetime, details: dict[str, Any] | None = None,
) -> None:
    """Take the interpreter off (`status`: cancelled or reopened), reopen the booking and offer
    it again. Call holding the booking lock. `details` (e.g. the rule that no longer holds) go
    into the audit entry and the interpreter's `assignment.changed` event."""
    assignment_end(assignment=assignment, to_status=status, now=now, reason=reason,
                   extra=details)
    booking_transition(
        booking=booking, to_status=BookingStatus.OPEN, actor=actor, action=action,
        reason=reason, actor_role=actor_role,
        details={"assignment_id": assignment.pk,
                 "interpreter": assignment.interpreter_label, **(details or {})},
    )
    offers_send_wave_locked(booking=booking, actor=None, limit=None, now=now)
